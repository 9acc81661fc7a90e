// Ending a run early (docs/design.md §9).
//
// LoadGen 6.0.17 has no way to stop a test. When a run is aborted (AbortSignal, a callback that
// threw, the environment going away) the run starts draining: JS is not called again, every
// outstanding sample and every sample issued from then on is completed at once with an empty
// response, loads and unloads return immediately, and one error line in LoadGen's detail log
// says why. LoadGen then reaches its own end quickly (Offline, and SingleStream/MultiStream
// once their pre-generated queries are used up), except that a Server run, in performance and
// accuracy mode alike, still follows its pre-computed schedule to the last query.
#ifndef LOADGEN_NODE_DRAIN_H_
#define LOADGEN_NODE_DRAIN_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "query_sample.h"

namespace loadgen_node {

struct AddonEnv;
struct HandOff;
class QslHandshake;
struct StartConfig;

class Drain {
 public:
  Drain(const StartConfig& config, HandOff& hand_off, QslHandshake& qsl, AddonEnv& owner)
      : config_(config), hand_off_(hand_off), qsl_(qsl), owner_(owner) {}

  /// JS thread: starts draining (once; later calls do nothing). Stops calling JS and answers
  /// everything LoadGen has issued or will issue (see above).
  void Begin(const std::string& reason);

  /// LoadGen's thread: completes samples LoadGen issued while the run drains.
  void CompleteOnLoadgenThread(const mlperf::QuerySample* samples, size_t count);
  /// JS thread: completes samples taken from the mailbox or the lane that never reached JS.
  void CompleteOnJsThread(const mlperf::QuerySample* samples, size_t count);
  /// JS thread: completions JS sent for samples the drain had completed already (ignored).
  void CountLateCompletions(size_t count) { late_completions_ += count; }

  /// JS thread, once LoadGen's thread has been joined: the statistics.
  const std::string& reason() const { return reason_; }
  uint64_t samples_drained() const { return drained_on_js_thread_ + drained_on_loadgen_thread_.load(); }
  uint64_t late_completions() const { return late_completions_; }

 private:
  /// Completes samples with empty responses (first token too, where LoadGen expects one);
  /// returns how many, for the drain counters.
  size_t CompleteEmpty(const mlperf::QuerySample* samples, size_t count, bool first_token_sent) const;
  /// The error_runtime line in LoadGen's detail log, while LoadGen's logger still runs.
  void LogAbort(const std::string& reason) const;

  const StartConfig& config_;
  HandOff& hand_off_;
  QslHandshake& qsl_;
  AddonEnv& owner_;
  std::string reason_;  // written under HandOff::mutex, on the JS thread
  uint64_t drained_on_js_thread_ = 0;
  std::atomic<uint64_t> drained_on_loadgen_thread_{0};
  uint64_t late_completions_ = 0;  // JS thread only
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_DRAIN_H_
