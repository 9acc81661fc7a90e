#include "test_run.h"

#include <memory>
#include <utility>

#include "addon_env.h"
#include "errors.h"
#include "loadgen.h"
#include "logging.h"
#include "prefault.h"
#include "qsl_bridge.h"
#include "settings_convert.h"
#include "spin_wait.h"
#include "sut_bridge.h"

namespace loadgen_node {

namespace {

// LoadGen keeps process-wide singletons (logger, issue controller), so one test at a time per
// process, whichever environment (main thread or worker) starts it.
std::atomic<bool> g_test_running{false};

// The token count reported for samples the binding completes itself after an abort: the least
// LoadGen accepts without logging an error per sample. The run carries its own error line.
constexpr int64_t kDrainedTokenCount = 2;

// How long one delivery may keep the JS thread while it polls for further queries, before it
// returns to the event loop so timers and I/O run.
constexpr auto kPollSlice = std::chrono::milliseconds(1);

Napi::Value ConfigField(Napi::Object config, const char* key) {
  Napi::Value value = config.Get(key);
  if (value.IsUndefined()) {
    throw CodedTypeError(config.Env(), "ERR_INVALID_ARG_TYPE", std::string("startTest: config.") + key + " is missing");
  }
  return value;
}

std::string ConfigString(Napi::Object config, const char* key) {
  Napi::Value value = ConfigField(config, key);
  if (!value.IsString()) {
    throw CodedTypeError(config.Env(), "ERR_INVALID_ARG_TYPE",
                         std::string("startTest: config.") + key + " must be a string");
  }
  return value.As<Napi::String>().Utf8Value();
}

size_t ConfigCount(Napi::Object config, const char* key) {
  Napi::Value value = ConfigField(config, key);
  double number = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1;
  if (!(number >= 1 && number <= 4294967295.0) || number != static_cast<double>(static_cast<uint64_t>(number))) {
    throw CodedTypeError(config.Env(), "ERR_INVALID_ARG_TYPE",
                         std::string("startTest: config.") + key + " must be an integer from 1 to 2^32-1");
  }
  return static_cast<size_t>(number);
}

Napi::Function ConfigFunction(Napi::Object config, const char* key) {
  Napi::Value value = ConfigField(config, key);
  if (!value.IsFunction()) {
    throw CodedTypeError(config.Env(), "ERR_INVALID_ARG_TYPE",
                         std::string("startTest: config.") + key + " must be a function");
  }
  return value.As<Napi::Function>();
}

Napi::Object ConfigObject(Napi::Object config, const char* key) {
  Napi::Value value = ConfigField(config, key);
  if (!value.IsObject()) {
    throw CodedTypeError(config.Env(), "ERR_INVALID_ARG_TYPE",
                         std::string("startTest: config.") + key + " must be an object");
  }
  return value.As<Napi::Object>();
}

}  // namespace

TestRun::TestRun(Napi::Env env, AddonEnv* owner) : owner_(owner), deferred_(Napi::Promise::Deferred::New(env)) {}

// ---------------------------------------------------------------------------------------------
// Starting

Napi::Value TestRun::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "startTest(config) needs a config object");
  }
  Napi::Object config = info[0].As<Napi::Object>();
  AddonEnv& owner = GetAddonEnv(env);

  // Read everything first: a bad config must not leave the process marked busy.
  std::unique_ptr<TestRun> run(new TestRun(env, &owner));
  run->sut_name_ = ConfigString(config, "sutName");
  run->qsl_name_ = ConfigString(config, "qslName");
  run->total_sample_count_ = ConfigCount(config, "totalSampleCount");
  run->performance_sample_count_ = ConfigCount(config, "performanceSampleCount");
  run->settings_ = ReadTestSettings(ConfigObject(config, "settings"));
  run->log_settings_ = ReadLogSettings(ConfigObject(config, "logSettings"));
  run->audit_config_ = ConfigString(config, "auditConfig");
  run->on_issue_ = Napi::Persistent(ConfigFunction(config, "onIssue"));
  run->on_flush_ = Napi::Persistent(ConfigFunction(config, "onFlush"));
  run->on_qsl_request_ = Napi::Persistent(ConfigFunction(config, "onQslRequest"));
  Napi::Value poll = config.Get("busyPollNs");
  if (!poll.IsUndefined()) {
    double ns = poll.IsNumber() ? poll.As<Napi::Number>().DoubleValue() : -1;
    if (!(ns >= 0 && ns <= 1e9)) {
      throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE",
                           "startTest: config.busyPollNs must be a number of nanoseconds from 0 to 1e9");
    }
    run->poll_window_ns_ = static_cast<uint64_t>(ns);
  }
  run->loadgen_awaits_each_query_ = run->settings_.scenario == mlperf::TestScenario::SingleStream ||
                                    run->settings_.scenario == mlperf::TestScenario::MultiStream;
  run->reports_tokens_ = run->settings_.use_token_latencies;
  run->expects_first_token_ =
      run->settings_.use_token_latencies && run->settings_.scenario != mlperf::TestScenario::Offline;
  if (run->settings_.server_num_issue_query_threads != 0) {
    throw CodedTypeError(env, "ERR_LOADGEN_INVALID_SETTINGS",
                         "settings.server_num_issue_query_threads must be 0: queries are issued from LoadGen's own "
                         "thread (registered issue threads are not supported by this binding)");
  }

  bool idle = false;
  if (!g_test_running.compare_exchange_strong(idle, true)) {
    throw CodedError(env, "ERR_LOADGEN_BUSY",
                     "A LoadGen test is already running in this process. LoadGen keeps process-wide state, so "
                     "tests run one at a time: await the running test before starting the next.");
  }
  TestRun* raw = run.release();
  try {
    raw->channel_ =
        Channel::New(env, "mlperf_loadgen.test", 0, 1, raw, &TestRun::OnChannelClosed, static_cast<void*>(nullptr));
  } catch (...) {
    g_test_running = false;
    delete raw;
    throw;
  }
  // Registered after the channel, so it runs before the channel's own cleanup at teardown.
  napi_add_env_cleanup_hook(env, &TestRun::OnEnvCleanup, raw);
  owner.run = raw;
  raw->thread_ = std::thread(&TestRun::ThreadMain, raw);
  return raw->deferred_.Promise();
}

void TestRun::ThreadMain() {
  {
    SutBridge sut(*this);
    QslBridge qsl(*this);
    mlperf::StartTest(&sut, &qsl, settings_, log_settings_, audit_config_);
  }
  loadgen_returned_ = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
    WakeJsLocked();
  }
  channel_.Release();
}

// ---------------------------------------------------------------------------------------------
// LoadGen's thread

void TestRun::WakeJsLocked() {
  mailbox_seq_.fetch_add(1, std::memory_order_release);
  if (wake_pending_ || js_polling_) return;
  wake_pending_ = true;
  // Fails only while the environment is being torn down; OnEnvCleanup then drains the mailbox.
  channel_.NonBlockingCall();
}

void TestRun::IssueFromLoadgen(const std::vector<mlperf::QuerySample>& samples) {
  uint64_t sent;
  if (loadgen_awaits_each_query_ && QueryLane::Fits(samples.size())) {
    if (draining_.load(std::memory_order_seq_cst)) {
      drained_on_loadgen_thread_ += CompleteEmpty(samples.data(), samples.size(), false);
      return;
    }
    samples_sent_to_js_ += samples.size();
    sent = samples_sent_to_js_;
    lane_.Publish(samples.data(), samples.size());
    if (!js_polling_.load(std::memory_order_seq_cst)) {
      std::lock_guard<std::mutex> lock(mutex_);
      WakeJsLocked();
    }
    // A drain that started just before the publication may have missed the query.
    if (draining_.load(std::memory_order_seq_cst)) {
      const mlperf::QuerySample* unclaimed = nullptr;
      size_t count = 0;
      if (lane_.Take(&unclaimed, &count)) {
        drained_on_loadgen_thread_ += CompleteEmpty(unclaimed, count, false);
      }
      return;
    }
  } else {
    std::unique_lock<std::mutex> lock(mutex_);
    if (draining_) {
      lock.unlock();
      drained_on_loadgen_thread_ += CompleteEmpty(samples.data(), samples.size(), false);
      return;
    }
    ReserveAndPrefault(pending_, samples.size());
    pending_.insert(pending_.end(), samples.begin(), samples.end());
    samples_sent_to_js_ += samples.size();
    sent = samples_sent_to_js_;
    WakeJsLocked();
  }
  if (!loadgen_awaits_each_query_) return;
  // LoadGen blocks on this query's completion next; a SUT that answers within the window spares
  // it a sleep and a wake-up.
  SpinUntil(
      [&] {
        return samples_completed_by_js_.load(std::memory_order_acquire) >= sent ||
               draining_.load(std::memory_order_relaxed);
      },
      poll_window_ns_);
}

void TestRun::FlushFromLoadgen() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (draining_) return;
  ++pending_flushes_;
  WakeJsLocked();
}

void TestRun::QslRequestFromLoadgen(QslRequestKind kind, const std::vector<mlperf::QuerySampleIndex>& indices) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (draining_) return;
  QslRequest request{kind, &indices, ++request_seq_};
  request_ = &request;
  WakeJsLocked();
  request_settled_.wait(lock, [&] { return request.done || draining_; });
  request_ = nullptr;
}

// ---------------------------------------------------------------------------------------------
// JS thread

void TestRun::OnChannel(Napi::Env env, Napi::Function /*unused*/, TestRun* run, void* /*data*/) {
  if (env == nullptr) return;  // the environment is going away; OnEnvCleanup drains
  run->DeliverMailbox(env);
}

void TestRun::DeliverMailbox(Napi::Env env) {
  // Wake-ups can outnumber deliveries (a delivery may take samples queued after a wake-up), so
  // calls may still arrive after the run was settled.
  if (settled_) return;
  const auto slice_end = std::chrono::steady_clock::now() + kPollSlice;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    // mutex_ is held here.
    size_t flushes = 0;
    QslRequest* request = nullptr;
    wake_pending_ = false;
    const bool finished = finished_;
    if (!draining_) {
      in_delivery_.swap(pending_);
      flushes = pending_flushes_;
      pending_flushes_ = 0;
      if (request_ != nullptr && !request_->delivered) {
        request = request_;
        request->delivered = true;
      }
    }
    lock.unlock();
    try {
      // The lane before the mailbox's events: they were posted after it.
      const mlperf::QuerySample* lane_samples = nullptr;
      size_t lane_count = 0;
      if (loadgen_awaits_each_query_ && !draining_ && lane_.Take(&lane_samples, &lane_count)) {
        lane_delivery_.assign(lane_samples, lane_samples + lane_count);
        DeliverSamples(env, lane_delivery_);
      }
      if (!in_delivery_.empty()) DeliverSamples(env, in_delivery_);
      in_delivery_.clear();
      for (size_t i = 0; i < flushes && !draining_; ++i) on_flush_.Call({});
      // Only this thread starts a drain, and until then LoadGen's thread is waiting on the request.
      if (request != nullptr && !draining_) DeliverQslRequest(env, request);
    } catch (const Napi::Error& error) {
      Fail(error);
      // Samples taken from the mailbox or the lane but not handed out yet: nobody else knows
      // of them, so complete them here (ticketed ones were drained by Fail).
      for (SampleVector* taken : {&lane_delivery_, &in_delivery_}) {
        drained_on_js_thread_ += CompleteEmpty(taken->data(), taken->size(), false);
        taken->clear();
      }
    }
    if (finished) {
      if (thread_.joinable()) thread_.join();
      napi_remove_env_cleanup_hook(env, &TestRun::OnEnvCleanup, this);
      if (owner_->run == this) owner_->run = nullptr;
      g_test_running = false;
      Settle(env);
      return;
    }
    if (draining_ || std::chrono::steady_clock::now() >= slice_end || !PollForMore(lock)) return;
  }
}

bool TestRun::PollForMore(std::unique_lock<std::mutex>& lock) {
  // Only when the SUT answered everything synchronously: the JS thread is idle anyway, and the
  // next query is due within microseconds in SingleStream (or soon, at high Server rates).
  if (poll_window_ns_ == 0 || owner_->tickets.outstanding() != 0) return false;
  auto mailbox_has_work = [this] {
    return !pending_.empty() || pending_flushes_ != 0 || (request_ != nullptr && !request_->delivered) || finished_ ||
           lane_.HasQuery();
  };
  lock.lock();
  if (mailbox_has_work()) return true;
  js_polling_ = true;
  const uint64_t seen = mailbox_seq_.load(std::memory_order_relaxed);
  lock.unlock();
  SpinUntil([&] { return mailbox_seq_.load(std::memory_order_acquire) != seen || lane_.HasQuery(); }, poll_window_ns_);
  lock.lock();
  js_polling_ = false;
  if (mailbox_has_work()) return true;
  lock.unlock();
  return false;
}

void TestRun::DeliverSamples(Napi::Env env, SampleVector& samples) {
  const size_t count = samples.size();
  Napi::Float64Array ids = owner_->arena.Float64(env, count);
  Napi::Uint32Array indices = owner_->arena.Uint32(env, count);
  uint32_t* index_data = indices.Data();
  for (size_t i = 0; i < count; ++i) index_data[i] = static_cast<uint32_t>(samples[i].index);
  owner_->tickets.Issue(samples, ids.Data());
  samples_delivered_ += count;
  ++batches_delivered_;
  on_issue_.Call({ids, indices});
}

void TestRun::DeliverQslRequest(Napi::Env env, QslRequest* request) {
  const std::vector<mlperf::QuerySampleIndex>& source = *request->indices;
  Napi::Uint32Array indices = Napi::Uint32Array::New(env, source.size());
  uint32_t* data = indices.Data();
  for (size_t i = 0; i < source.size(); ++i) data[i] = static_cast<uint32_t>(source[i]);
  const char* kind = request->kind == QslRequestKind::kLoad ? "load" : "unload";
  on_qsl_request_.Call(
      {Napi::String::New(env, kind), Napi::Number::New(env, static_cast<double>(request->seq)), indices});
}

Napi::Value TestRun::SettleQslRequest(const Napi::CallbackInfo& info) {
  AddonEnv& owner = GetAddonEnv(info.Env());
  if (owner.run == nullptr || info.Length() < 1 || !info[0].IsNumber()) return info.Env().Undefined();
  TestRun* run = owner.run;
  uint64_t seq = static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue());
  {
    std::lock_guard<std::mutex> lock(run->mutex_);
    if (run->request_ != nullptr && run->request_->seq == seq) run->request_->done = true;
  }
  run->request_settled_.notify_all();
  return info.Env().Undefined();
}

void TestRun::Fail(const Napi::Error& error) {
  if (failure_.IsEmpty()) failure_ = Napi::Persistent(error.Value());
  BeginDrain("a JavaScript callback threw: " + error.Message());
}

Napi::Value TestRun::Abort(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonEnv& owner = GetAddonEnv(env);
  if (owner.run == nullptr) return Napi::Boolean::New(env, false);
  std::string reason = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "aborted";
  TestRun* run = owner.run;
  run->BeginDrain(reason);
  // waitForLoadgen: used on process exit, where LoadGen's thread must be gone before C++ static
  // destructors run (process.exit() on the main thread runs no environment cleanup hooks).
  if (info.Length() > 1 && info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value() && run->thread_.joinable()) {
    run->thread_.join();
  }
  return Napi::Boolean::New(env, true);
}

void TestRun::BeginDrain(const std::string& reason) {
  SampleVector pending;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (draining_) return;
    draining_ = true;
    drain_reason_ = reason;
    pending.swap(pending_);
    pending_flushes_ = 0;
  }
  request_settled_.notify_all();

  if (logging_started_ && !loadgen_returned_) {
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

  drained_on_js_thread_ += CompleteEmpty(pending.data(), pending.size(), false);
  const mlperf::QuerySample* lane_samples = nullptr;
  size_t lane_count = 0;
  if (lane_.Take(&lane_samples, &lane_count)) {
    drained_on_js_thread_ += CompleteEmpty(lane_samples, lane_count, false);
  }

  // Samples JS received but has not completed.
  std::vector<mlperf::QuerySample> without_first_token;
  std::vector<mlperf::QuerySample> with_first_token;
  owner_->tickets.DrainAll([&](mlperf::ResponseId id, bool first_token_reported) {
    (first_token_reported ? with_first_token : without_first_token).push_back(mlperf::QuerySample{id, 0});
  });
  drained_on_js_thread_ += CompleteEmpty(without_first_token.data(), without_first_token.size(), false);
  drained_on_js_thread_ += CompleteEmpty(with_first_token.data(), with_first_token.size(), true);
}

size_t TestRun::CompleteEmpty(const mlperf::QuerySample* samples, size_t count, bool first_token_sent) {
  if (count == 0) return 0;
  std::vector<mlperf::QuerySampleResponse> responses;
  responses.reserve(count);
  for (size_t i = 0; i < count; ++i)
    responses.emplace_back(samples[i].id, 0, 0, reports_tokens_ ? kDrainedTokenCount : 0);
  if (expects_first_token_ && !first_token_sent) mlperf::FirstTokenComplete(responses.data(), responses.size());
  mlperf::QuerySamplesComplete(responses.data(), responses.size());
  return count;
}

void TestRun::Settle(Napi::Env env) {
  settled_ = true;
  Napi::HandleScope scope(env);
  if (!failure_.IsEmpty()) {
    deferred_.Reject(failure_.Value());
    return;
  }
  if (!logging_started_) {
    deferred_.Reject(CodedError(env, "ERR_LOADGEN_LOG_OUTPUT",
                                "LoadGen could not open its log files in '" + log_settings_.log_output.outdir +
                                    "' (its own message is on stderr). Make sure the folder exists and is writable.")
                         .Value());
    return;
  }
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("aborted", Napi::Boolean::New(env, draining_));
  stats.Set("abortReason", draining_ ? Napi::Value(Napi::String::New(env, drain_reason_)) : env.Null());
  stats.Set("batchesDelivered", Napi::Number::New(env, static_cast<double>(batches_delivered_)));
  stats.Set("samplesDelivered", Napi::Number::New(env, static_cast<double>(samples_delivered_)));
  stats.Set("samplesCompleted", Napi::Number::New(env, static_cast<double>(samples_completed_by_js_)));
  stats.Set("samplesDrained",
            Napi::Number::New(env, static_cast<double>(drained_on_js_thread_ + drained_on_loadgen_thread_.load())));
  stats.Set("lateCompletions", Napi::Number::New(env, static_cast<double>(late_completions_)));
  deferred_.Resolve(stats);
}

// ---------------------------------------------------------------------------------------------
// Teardown

void TestRun::OnEnvCleanup(void* arg) {
  TestRun* run = static_cast<TestRun*>(arg);
  run->env_gone_ = true;
  run->BeginDrain("the JavaScript environment is shutting down");
  if (run->thread_.joinable()) run->thread_.join();
  if (run->owner_->run == run) run->owner_->run = nullptr;
  g_test_running = false;
}

void TestRun::OnChannelClosed(Napi::Env /*env*/, void* /*unused*/, TestRun* run) {
  // Every call on the channel has been delivered (or dropped at teardown): nothing refers to the
  // run any more. Joined already, unless the environment went away before LoadGen's thread ended.
  if (run->thread_.joinable()) run->thread_.join();
  delete run;
}

void TestRun::Init(Napi::Env env, Napi::Object exports) {
  exports.Set("startTest", Napi::Function::New(env, Start, "startTest"));
  exports.Set("abortTest", Napi::Function::New(env, Abort, "abortTest"));
  exports.Set("settleQslRequest", Napi::Function::New(env, SettleQslRequest, "settleQslRequest"));
}

}  // namespace loadgen_node
