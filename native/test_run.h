// One LoadGen test, from startTest() to the settled promise.
//
// Threads (see DESIGN §3):
//  - LoadGen's StartTest blocks until the whole test ends, so it runs on a std::thread of its own.
//    LoadGen calls the SUT and QSL bridges from that thread.
//  - IssueQuery appends the samples to a mailbox and returns at once; the first sample into an
//    empty mailbox wakes the JS thread through a thread-safe function, and JS takes everything
//    queued by then in one call (ids and indices as typed arrays).
//  - Load/Unload put a request in the mailbox and wait until JS settles it (JS may be async).
//    Waiting is safe because the JS thread never waits for LoadGen's thread.
//  - Completions are plain synchronous calls from JS into LoadGen (completion.cc).
//
// Ending early: LoadGen 6.0.17 has no way to stop a test. When a run is aborted (AbortSignal, a
// callback that threw, the environment going away) the run starts draining: JS is not called
// again, every outstanding sample and every sample issued from then on is completed at once with
// an empty response, loads and unloads return immediately, and one error line in LoadGen's
// detail log says why. LoadGen then reaches its own end quickly (accuracy runs, Offline,
// SingleStream/MultiStream once their pre-generated queries are used up), except that a Server
// performance run still follows its pre-computed schedule to the last query.
#ifndef LOADGEN_NODE_TEST_RUN_H_
#define LOADGEN_NODE_TEST_RUN_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "napi_setup.h"
#include "query_lane.h"
#include "query_sample.h"
#include "test_settings.h"

namespace loadgen_node {

struct AddonEnv;

class TestRun {
 public:
  enum class QslRequestKind { kLoad, kUnload };

  /// Exports: startTest(config), abortTest(reason), settleQslRequest(seq).
  static void Init(Napi::Env env, Napi::Object exports);

  // ---- Called on LoadGen's thread, through the SUT and QSL bridges ----
  const std::string& sut_name() const { return sut_name_; }
  const std::string& qsl_name() const { return qsl_name_; }
  size_t total_sample_count() const { return total_sample_count_; }
  size_t performance_sample_count() const { return performance_sample_count_; }
  void NoteLoggingStarted() { logging_started_ = true; }
  void IssueFromLoadgen(const std::vector<mlperf::QuerySample>& samples);
  void FlushFromLoadgen();
  void QslRequestFromLoadgen(QslRequestKind kind, const std::vector<mlperf::QuerySampleIndex>& indices);

  // ---- JS thread ----
  /// Stops calling JS and answers everything LoadGen has issued or will issue (see above).
  void BeginDrain(const std::string& reason);
  /// Counts samples JS completed (statistics, and the signal LoadGen's thread polls for).
  void CountCompletedByJs(size_t count) { samples_completed_by_js_.fetch_add(count, std::memory_order_release); }
  void CountLateCompletions(size_t count) { late_completions_ += count; }

 private:
  using SampleVector = std::vector<mlperf::QuerySample>;

  struct QslRequest {
    QslRequestKind kind;
    const std::vector<mlperf::QuerySampleIndex>* indices;
    uint64_t seq;
    bool delivered = false;
    bool done = false;
  };

  static void OnChannel(Napi::Env env, Napi::Function unused, TestRun* run, void* data);
  using Channel = Napi::TypedThreadSafeFunction<TestRun, void, &TestRun::OnChannel>;
  static void OnChannelClosed(Napi::Env env, void* unused, TestRun* run);
  static void OnEnvCleanup(void* arg);

  static Napi::Value Start(const Napi::CallbackInfo& info);
  static Napi::Value Abort(const Napi::CallbackInfo& info);
  static Napi::Value SettleQslRequest(const Napi::CallbackInfo& info);

  TestRun(Napi::Env env, AddonEnv* owner);
  void ThreadMain();
  /// Signals the JS thread unless a signal is already on its way. Called with mutex_ held.
  void WakeJsLocked();
  void DeliverMailbox(Napi::Env env);
  /// After a delivery the SUT completed synchronously: spins briefly for LoadGen's next issue.
  /// Returns true, with `lock` (of mutex_) held, if something arrived; false, unlocked, if the
  /// JS thread should return to the event loop (LoadGen then wakes it through the channel).
  bool PollForMore(std::unique_lock<std::mutex>& lock);
  /// Hands samples to JS; takes their storage (the ticket table keeps it).
  void DeliverSamples(Napi::Env env, SampleVector& samples);
  void DeliverQslRequest(Napi::Env env, QslRequest* request);
  void SettleRequestLocked(uint64_t seq);
  void Fail(const Napi::Error& error);
  /// Completes samples with empty responses (first token too, where LoadGen expects one);
  /// returns how many, for the drain counters.
  size_t CompleteEmpty(const mlperf::QuerySample* samples, size_t count, bool first_token_sent);
  void Settle(Napi::Env env);

  // Fixed before LoadGen's thread starts.
  AddonEnv* owner_;
  std::string sut_name_;
  std::string qsl_name_;
  size_t total_sample_count_ = 0;
  size_t performance_sample_count_ = 0;
  mlperf::TestSettings settings_;
  mlperf::LogSettings log_settings_;
  std::string audit_config_;
  bool expects_first_token_ = false;
  bool reports_tokens_ = false;
  // Busy-poll window (ns) of both sides of the hand-off; 0 disables polling.
  uint64_t poll_window_ns_ = 0;
  // SingleStream/MultiStream: LoadGen waits for each query's completion before issuing the
  // next, so IssueQuery may poll for that completion before returning, and queries that fit
  // go through the lock-free lane_.
  bool loadgen_awaits_each_query_ = false;
  Napi::FunctionReference on_issue_;
  Napi::FunctionReference on_flush_;
  Napi::FunctionReference on_qsl_request_;
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference failure_;
  Channel channel_;
  std::thread thread_;

  // Shared with LoadGen's thread; guarded by mutex_. The fields each thread polls while
  // spinning sit on cache lines of their own, so the other thread's writes to its own data do
  // not keep invalidating them.
  alignas(64) std::mutex mutex_;
  std::condition_variable request_settled_;
  SampleVector pending_;
  size_t pending_flushes_ = 0;
  QslRequest* request_ = nullptr;
  uint64_t request_seq_ = 0;
  bool wake_pending_ = false;
  // The JS thread is spinning on mailbox_seq_ and the lane: no wake-up needed. Atomic because
  // LoadGen's thread reads it after publishing to the lane, without the lock.
  std::atomic<bool> js_polling_{false};
  std::atomic<bool> draining_{false};
  bool finished_ = false;  // LoadGen's StartTest has returned
  std::string drain_reason_;

  // Bumped whenever LoadGen's thread puts something in the mailbox; polled by the JS thread.
  alignas(64) std::atomic<uint64_t> mailbox_seq_{0};
  // Written by the JS thread; polled by LoadGen's thread in SingleStream/MultiStream.
  alignas(64) std::atomic<uint64_t> samples_completed_by_js_{0};
  alignas(64) uint64_t samples_sent_to_js_ = 0;  // LoadGen's thread only
  QueryLane lane_;

  std::atomic<bool> logging_started_{false};
  std::atomic<bool> loadgen_returned_{false};
  std::atomic<uint64_t> drained_on_loadgen_thread_{0};

  // JS thread only.
  SampleVector in_delivery_;    // swapped with pending_; its storage moves on to the ticket table
  SampleVector lane_delivery_;  // a query taken from the lane
  uint64_t batches_delivered_ = 0;
  uint64_t samples_delivered_ = 0;
  uint64_t drained_on_js_thread_ = 0;
  uint64_t late_completions_ = 0;
  bool env_gone_ = false;
  bool settled_ = false;  // the promise was resolved or rejected
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_TEST_RUN_H_
