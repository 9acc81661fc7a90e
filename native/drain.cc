#include "drain.h"

#include <mutex>
#include <utility>
#include <vector>

#include "addon_env.h"
#include "hand_off.h"
#include "loadgen.h"
#include "log_barrier.h"
#include "logging.h"
#include "qsl_handshake.h"
#include "start_config.h"

namespace loadgen_node {

namespace {

// The token count reported for samples the binding completes itself after an abort: the least
// LoadGen accepts without logging an error per sample (it flags 0, negative and 1). The run
// carries its own error line.
constexpr int64_t kDrainedTokenCount = 2;

}  // namespace

void Drain::Begin(const std::string& reason) {
  HandOff::SampleVector pending;
  bool loadgen_waits = false;
  {
    std::lock_guard<std::mutex> lock(hand_off_.mutex);
    if (hand_off_.draining) return;
    hand_off_.draining = true;
    reason_ = reason;
    pending.swap(hand_off_.pending);
    hand_off_.pending_query_sizes.clear();
    hand_off_.pending_flushes = 0;
    loadgen_waits = qsl_.WaiterBlockedLocked();
  }
  if (hand_off_.logging_started && !hand_off_.loadgen_returned) {
    LogAbort(reason);
    // A waiting load or unload (the last one ends the test) is released only once the error line
    // is written: LoadGen's thread would otherwise reach StopLogging first, which sends this
    // thread's late entry to stderr. The wait is safe only while LoadGen waits: its IO thread
    // is running then.
    if (loadgen_waits) WaitUntilLoadgenLoggedThisThread();
  }
  qsl_.ReleaseWaiter();

  drained_on_js_thread_ += CompleteEmpty(pending.data(), pending.size(), false);
  const mlperf::QuerySample* lane_samples = nullptr;
  size_t lane_count = 0;
  if (hand_off_.lane.Take(&lane_samples, &lane_count)) {
    drained_on_js_thread_ += CompleteEmpty(lane_samples, lane_count, false);
  }

  // Samples JS received but has not completed.
  std::vector<mlperf::QuerySample> without_first_token;
  std::vector<mlperf::QuerySample> with_first_token;
  owner_.tickets.DrainAll([&](mlperf::ResponseId id, bool first_token_reported) {
    (first_token_reported ? with_first_token : without_first_token).push_back(mlperf::QuerySample{id, 0});
  });
  drained_on_js_thread_ += CompleteEmpty(without_first_token.data(), without_first_token.size(), false);
  drained_on_js_thread_ += CompleteEmpty(with_first_token.data(), with_first_token.size(), true);
}

void Drain::CompleteOnLoadgenThread(const mlperf::QuerySample* samples, size_t count) {
  drained_on_loadgen_thread_ += CompleteEmpty(samples, count, false);
}

void Drain::CompleteOnJsThread(const mlperf::QuerySample* samples, size_t count) {
  drained_on_js_thread_ += CompleteEmpty(samples, count, false);
}

void Drain::LogAbort(const std::string& reason) const {
  // LoadGen writes the string into its JSON detail log without escaping it.
  std::string plain = reason;
  for (char& c : plain) {
    if (c == '"') c = '\'';
    if (c == '\\' || c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  std::string message = "Test aborted by the Node.js harness (" + plain +
                        "). Samples outstanding then or issued later were completed with empty responses; "
                        "this run's results are not valid.";
  mlperf::LogDetail([message](mlperf::AsyncDetail& detail) { MLPERF_LOG_ERROR(detail, "error_runtime", message); });
}

size_t Drain::CompleteEmpty(const mlperf::QuerySample* samples, size_t count, bool first_token_sent) const {
  if (count == 0) return 0;
  std::vector<mlperf::QuerySampleResponse> responses;
  responses.reserve(count);
  for (size_t i = 0; i < count; ++i)
    responses.emplace_back(samples[i].id, 0, 0, config_.reports_tokens ? kDrainedTokenCount : 0);
  if (config_.expects_first_token && !first_token_sent) mlperf::FirstTokenComplete(responses.data(), responses.size());
  mlperf::QuerySamplesComplete(responses.data(), responses.size());
  return count;
}

}  // namespace loadgen_node
