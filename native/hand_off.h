// The state LoadGen's thread and the JS thread share: the mailbox, the lane, the wake-up channel
// and the flags both sides poll (docs/design.md §3 and §4).
//
// Who touches what:
//  - Guarded by `mutex`: the mailbox (pending, pending_query_sizes, pending_flushes, finished) and wake_pending.
//    LoadGen's thread adds to the mailbox; the JS thread empties it. The mailbox's QSL request
//    slot is QslHandshake's, guarded by the same mutex.
//  - Atomics read without the lock: js_polling (written by the JS thread), draining (written by
//    the JS thread under the lock, read by both), mailbox_seq and logging_started/loadgen_returned
//    (written by LoadGen's thread), samples_completed_by_js (written by the JS thread).
//  - lane: LoadGen's thread publishes, either thread takes (see query_lane.h).
//  - channel: created on the JS thread before LoadGen's thread starts; called and released by
//    LoadGen's thread.
// The fields each thread polls while spinning sit on cache lines of their own, so the other
// thread's writes to its own data do not keep invalidating them (docs/design.md §3.3).
#ifndef LOADGEN_NODE_HAND_OFF_H_
#define LOADGEN_NODE_HAND_OFF_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "napi_setup.h"
#include "query_lane.h"
#include "query_sample.h"

namespace loadgen_node {

class TestRun;

/// Runs on the JS thread for each wake-up that reaches it (defined in test_run.cc, which hands
/// the wake-up to JsDelivery and, once LoadGen is done, to Teardown). `env` is null while the
/// environment is being torn down.
void OnWakeUp(Napi::Env env, Napi::Function unused, TestRun* run, void* unused_data);
using WakeChannel = Napi::TypedThreadSafeFunction<TestRun, void, &OnWakeUp>;

struct HandOff {
  using SampleVector = std::vector<mlperf::QuerySample>;

  /// Signals the JS thread unless a signal is already on its way or the JS thread is spinning
  /// on mailbox_seq anyway. Called with `mutex` held, on LoadGen's thread.
  void WakeJsLocked() {
    mailbox_seq.fetch_add(1, std::memory_order_release);
    if (wake_pending || js_polling) return;
    wake_pending = true;
    // Fails only while the environment is being torn down; Teardown::OnEnvCleanup then drains
    // the mailbox.
    channel.NonBlockingCall();
  }

  alignas(64) std::mutex mutex;
  SampleVector pending;  // samples issued, not yet taken by the JS thread
  // How many of `pending` each LoadGen query holds, in order: the Python-style API calls back
  // once per query, as LoadGen's Python binding does.
  std::vector<uint32_t> pending_query_sizes;
  size_t pending_flushes = 0;
  bool wake_pending = false;  // a call on the channel is on its way and has not started yet
  // The JS thread is spinning on mailbox_seq and the lane: no wake-up needed. Atomic because
  // LoadGen's thread reads it after publishing to the lane, without the lock.
  std::atomic<bool> js_polling{false};
  std::atomic<bool> draining{false};
  bool finished = false;  // LoadGen's StartTest has returned

  // Bumped whenever LoadGen's thread puts something in the mailbox; polled by the JS thread.
  alignas(64) std::atomic<uint64_t> mailbox_seq{0};
  // Written by the JS thread; polled by LoadGen's thread in SingleStream/MultiStream.
  alignas(64) std::atomic<uint64_t> samples_completed_by_js{0};
  QueryLane lane;

  std::atomic<bool> logging_started{false};  // LoadGen asked for the SUT's name: its logs are open
  std::atomic<bool> loadgen_returned{false};
  // What LoadGen's StartTest threw (std::bad_alloc, ...), if it did. Written by LoadGen's thread
  // before `finished`, read by the JS thread after joining it.
  std::string loadgen_exception;
  WakeChannel channel;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_HAND_OFF_H_
