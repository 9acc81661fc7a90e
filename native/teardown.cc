#include "teardown.h"

#include <atomic>

#include "addon_env.h"
#include "errors.h"
#include "test_run.h"

namespace loadgen_node {

namespace {

std::atomic<bool> g_test_running{false};

}  // namespace

bool Teardown::ClaimProcess() {
  bool idle = false;
  return g_test_running.compare_exchange_strong(idle, true);
}

void Teardown::ReleaseProcess() { g_test_running = false; }

void Teardown::RegisterEnvCleanup(Napi::Env env) { napi_add_env_cleanup_hook(env, &Teardown::OnEnvCleanup, &run_); }

void Teardown::Finish(Napi::Env env) {
  run_.loadgen().Join();
  napi_remove_env_cleanup_hook(env, &Teardown::OnEnvCleanup, &run_);
  if (run_.owner().run == &run_) run_.owner().run = nullptr;
  ReleaseProcess();
  Settle(env);
}

void Teardown::OnProcessExit() { run_.loadgen().Join(); }

void Teardown::OnEnvCleanup(void* arg) {
  TestRun* run = static_cast<TestRun*>(arg);
  run->drain().Begin("the JavaScript environment is shutting down");
  run->loadgen().Join();
  if (run->owner().run == run) run->owner().run = nullptr;
  ReleaseProcess();
}

void Teardown::OnChannelClosed(Napi::Env /*env*/, void* /*unused*/, TestRun* run) {
  // Nothing refers to the run any more. Joined already, unless the environment went away before
  // LoadGen's thread ended.
  run->loadgen().Join();
  delete run;
}

void Teardown::Settle(Napi::Env env) {
  settled_ = true;
  Napi::HandleScope scope(env);
  const JsDelivery& delivery = run_.delivery();
  const Drain& drain = run_.drain();
  if (!delivery.failure().IsEmpty()) {
    deferred_.Reject(delivery.failure().Value());
    return;
  }
  if (!run_.hand_off().loadgen_exception.empty()) {
    deferred_.Reject(CodedError(env, "ERR_LOADGEN_INTERNAL",
                                "LoadGen's thread threw " + run_.hand_off().loadgen_exception +
                                    "; the test ended there and its logs are incomplete. Settings that make LoadGen "
                                    "pre-generate a huge schedule cause this: lower them.")
                         .Value());
    return;
  }
  if (!run_.hand_off().logging_started) {
    deferred_.Reject(CodedError(env, "ERR_LOADGEN_LOG_OUTPUT",
                                "LoadGen could not open its log files in '" +
                                    run_.config().log_settings.log_output.outdir +
                                    "' (its own message is on stderr). Make sure the folder exists and is writable.")
                         .Value());
    return;
  }
  const bool aborted = run_.hand_off().draining;
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("aborted", Napi::Boolean::New(env, aborted));
  stats.Set("abortReason", aborted ? Napi::Value(Napi::String::New(env, drain.reason())) : env.Null());
  stats.Set("batchesDelivered", Napi::Number::New(env, static_cast<double>(delivery.batches_delivered())));
  stats.Set("samplesDelivered", Napi::Number::New(env, static_cast<double>(delivery.samples_delivered())));
  stats.Set("samplesCompleted", Napi::Number::New(env, static_cast<double>(run_.hand_off().samples_completed_by_js)));
  stats.Set("samplesDrained", Napi::Number::New(env, static_cast<double>(drain.samples_drained())));
  stats.Set("lateCompletions", Napi::Number::New(env, static_cast<double>(drain.late_completions())));
  deferred_.Resolve(stats);
}

}  // namespace loadgen_node
