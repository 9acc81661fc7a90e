// LoadGen's side of a run: the thread StartTest blocks, and what the SUT and QSL bridges call
// on it (docs/design.md §2).
//
// StartTest blocks until the whole test ends, so it runs on a std::thread of its own; LoadGen
// calls the bridges from that thread. IssueQuery appends the samples to the mailbox (or, in
// SingleStream/MultiStream, publishes them on the lane) and returns at once; the first event
// into an empty mailbox wakes the JS thread. Nothing here calls JS.
#ifndef LOADGEN_NODE_LOADGEN_SIDE_H_
#define LOADGEN_NODE_LOADGEN_SIDE_H_

#include <cstdint>
#include <thread>
#include <vector>

#include "qsl_handshake.h"
#include "query_sample.h"

namespace loadgen_node {

class Drain;
struct HandOff;
struct StartConfig;

class LoadgenSide {
 public:
  LoadgenSide(const StartConfig& config, HandOff& hand_off, QslHandshake& qsl, Drain& drain)
      : config_(config), hand_off_(hand_off), qsl_(qsl), drain_(drain) {}

  /// JS thread: starts LoadGen's thread (HandOff::channel must exist by then).
  void Start();
  /// JS thread: waits for LoadGen's thread to end, if it was started and not joined yet.
  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  // ---- LoadGen's thread, through the SUT and QSL bridges ----
  const StartConfig& config() const { return config_; }
  void NoteLoggingStarted();
  void IssueFromLoadgen(const std::vector<mlperf::QuerySample>& samples);
  void FlushFromLoadgen();
  void QslRequestFromLoadgen(QslHandshake::Kind kind, const std::vector<mlperf::QuerySampleIndex>& indices) {
    qsl_.PostAndWait(kind, indices);
  }

 private:
  void ThreadMain();

  const StartConfig& config_;
  HandOff& hand_off_;
  QslHandshake& qsl_;
  Drain& drain_;
  std::thread thread_;
  uint64_t samples_sent_to_js_ = 0;  // LoadGen's thread only
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_LOADGEN_SIDE_H_
