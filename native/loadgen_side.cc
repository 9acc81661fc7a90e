#include "loadgen_side.h"

#include <exception>
#include <mutex>

#include "drain.h"
#include "hand_off.h"
#include "loadgen.h"
#include "prefault.h"
#include "qsl_bridge.h"
#include "spin_wait.h"
#include "start_config.h"
#include "sut_bridge.h"

namespace loadgen_node {

void LoadgenSide::Start() { thread_ = std::thread(&LoadgenSide::ThreadMain, this); }

void LoadgenSide::ThreadMain() {
  // An exception must not leave this thread (std::terminate would abort the process): the run
  // ends with a coded error instead.
  try {
    SutBridge sut(*this);
    QslBridge qsl(*this);
    mlperf::StartTest(&sut, &qsl, config_.settings, config_.log_settings, config_.audit_config);
  } catch (const std::exception& error) {
    hand_off_.loadgen_exception = error.what()[0] != '\0' ? error.what() : "an exception without a message";
  } catch (...) {
    hand_off_.loadgen_exception = "an exception of unknown type";
  }
  // StartTest left by the exception without stopping LoadGen's logger and issue threads, which
  // would crash the process at exit and the next test at its start; LoadGen's AbortTest stops them.
  if (!hand_off_.loadgen_exception.empty()) mlperf::AbortTest();
  hand_off_.loadgen_returned = true;
  {
    std::lock_guard<std::mutex> lock(hand_off_.mutex);
    hand_off_.finished = true;
    hand_off_.WakeJsLocked();
  }
  // The channel's last reference: once the JS thread has run every call on it, its finalizer
  // (Teardown::OnChannelClosed) frees the run.
  hand_off_.channel.Release();
}

void LoadgenSide::NoteLoggingStarted() { hand_off_.logging_started = true; }

void LoadgenSide::IssueFromLoadgen(const std::vector<mlperf::QuerySample>& samples) {
  uint64_t sent;
  if (config_.loadgen_awaits_each_query && QueryLane::Fits(samples.size())) {
    if (hand_off_.draining.load(std::memory_order_seq_cst)) {
      drain_.CompleteOnLoadgenThread(samples.data(), samples.size());
      return;
    }
    samples_sent_to_js_ += samples.size();
    sent = samples_sent_to_js_;
    hand_off_.lane.Publish(samples.data(), samples.size());
    if (!hand_off_.js_polling.load(std::memory_order_seq_cst)) {
      std::lock_guard<std::mutex> lock(hand_off_.mutex);
      hand_off_.WakeJsLocked();
    }
    // A drain that started just before the publication may have missed the query.
    if (hand_off_.draining.load(std::memory_order_seq_cst)) {
      const mlperf::QuerySample* unclaimed = nullptr;
      size_t count = 0;
      if (hand_off_.lane.Take(&unclaimed, &count)) drain_.CompleteOnLoadgenThread(unclaimed, count);
      return;
    }
  } else {
    std::unique_lock<std::mutex> lock(hand_off_.mutex);
    if (hand_off_.draining) {
      lock.unlock();
      drain_.CompleteOnLoadgenThread(samples.data(), samples.size());
      return;
    }
    ReserveAndPrefault(hand_off_.pending, samples.size());
    hand_off_.pending.insert(hand_off_.pending.end(), samples.begin(), samples.end());
    hand_off_.pending_query_sizes.push_back(static_cast<uint32_t>(samples.size()));
    samples_sent_to_js_ += samples.size();
    sent = samples_sent_to_js_;
    hand_off_.WakeJsLocked();
  }
  if (!config_.loadgen_awaits_each_query) return;
  // LoadGen blocks on this query's completion next; a SUT that answers within the window spares
  // it a sleep and a wake-up.
  SpinUntil(
      [&] {
        return hand_off_.samples_completed_by_js.load(std::memory_order_acquire) >= sent ||
               hand_off_.draining.load(std::memory_order_relaxed);
      },
      config_.poll_window_ns);
}

void LoadgenSide::FlushFromLoadgen() {
  std::lock_guard<std::mutex> lock(hand_off_.mutex);
  if (hand_off_.draining) return;
  ++hand_off_.pending_flushes;
  hand_off_.WakeJsLocked();
}

}  // namespace loadgen_node
