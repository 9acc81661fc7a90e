// LoadSamplesToRam / UnloadSamplesFromRam across the thread border (docs/design.md §8).
//
// LoadGen's thread puts the request in the mailbox and waits until JS settles it: JS may load
// asynchronously and calls settleQslRequest(seq) when done. Waiting is safe because the JS
// thread never waits for LoadGen's thread. A drain releases the waiter at once.
#ifndef LOADGEN_NODE_QSL_HANDSHAKE_H_
#define LOADGEN_NODE_QSL_HANDSHAKE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <vector>

#include "hand_off.h"
#include "napi_setup.h"
#include "query_sample.h"

namespace loadgen_node {

class QslHandshake {
 public:
  enum class Kind { kLoad, kUnload };

  struct Request {
    Kind kind;
    const std::vector<mlperf::QuerySampleIndex>* indices;
    uint64_t seq;
    bool delivered = false;
    bool done = false;
  };

  explicit QslHandshake(HandOff& hand_off) : hand_off_(hand_off) {}

  /// LoadGen's thread: posts the request and returns once JS settled it or the run drains.
  void PostAndWait(Kind kind, const std::vector<mlperf::QuerySampleIndex>& indices);

  /// JS thread, HandOff::mutex held: whether a request waits to be handed to JS.
  bool HasUndeliveredLocked() const { return request_ != nullptr && !request_->delivered; }
  /// HandOff::mutex held: whether LoadGen's thread is blocked in PostAndWait (so it is inside a
  /// test, with LoadGen's logging running, and cannot go on until ReleaseWaiter or Settle).
  bool WaiterBlockedLocked() const { return request_ != nullptr && !request_->done; }
  /// JS thread, HandOff::mutex held: the request to hand to JS, marked delivered; null if none.
  Request* TakeUndeliveredLocked() {
    if (!HasUndeliveredLocked()) return nullptr;
    request_->delivered = true;
    return request_;
  }

  /// JS thread: calls onQslRequest(kind, seq, indices). Call it only while the run is not
  /// draining: until then the waiter holds the request alive, and only this thread drains. The
  /// request is read before JS runs: once JS settles it (maybe inside the call) it is gone.
  void Deliver(Napi::Env env, const Request& request, const Napi::FunctionReference& on_qsl_request) const;

  /// JS thread: JS finished request `seq` (settleQslRequest); stale numbers, from this run or an
  /// earlier one, are ignored.
  void Settle(uint64_t seq);

  /// JS thread, after HandOff::draining was set: settles the waiting request, if any, and wakes
  /// LoadGen's thread (a waiter wakes only for this or Settle, never for draining alone).
  void ReleaseWaiter();

 private:
  HandOff& hand_off_;
  std::condition_variable settled_;
  // Guarded by HandOff::mutex.
  Request* request_ = nullptr;  // on the stack of LoadGen's thread, in PostAndWait
  // Numbers are unique in the process, not per run: a settle left over from an aborted run
  // names no request of a later one.
  static std::atomic<uint64_t> next_seq_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_QSL_HANDSHAKE_H_
