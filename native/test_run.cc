#include "test_run.h"

#include <memory>
#include <string>
#include <utility>

#include "addon_env.h"
#include "errors.h"

namespace loadgen_node {

TestRun::TestRun(Napi::Env env, AddonEnv& owner, StartConfig config)
    : owner_(owner),
      config_(std::move(config)),
      qsl_(hand_off_),
      drain_(config_, hand_off_, qsl_, owner_),
      loadgen_(config_, hand_off_, qsl_, drain_),
      delivery_(config_, hand_off_, qsl_, drain_, owner_),
      teardown_(env, *this) {}

void OnWakeUp(Napi::Env env, Napi::Function /*unused*/, TestRun* run, void* /*unused_data*/) {
  // A null env: the environment is going away (Teardown::OnEnvCleanup drains). Node then calls
  // once per call left in the queue, after the finalizer freed the run: do not touch `run`.
  if (env == nullptr) return;
  if (run->teardown().settled()) return;  // an extra wake-up (docs/design.md §4)
  if (run->delivery().DeliverMailbox(env)) run->teardown().Finish(env);
}

Napi::Value TestRun::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw MalformedInternal(env, "startTest config");
  AddonEnv& owner = GetAddonEnv(env);

  // Read everything first: a bad config must not leave the process marked busy.
  std::unique_ptr<TestRun> run(new TestRun(env, owner, StartConfig::Read(info[0].As<Napi::Object>())));
  if (!Teardown::ClaimProcess()) {
    throw CodedError(env, "ERR_LOADGEN_BUSY",
                     "A LoadGen test is already running in this process. LoadGen keeps process-wide state, so "
                     "tests run one at a time: await the running test before starting the next.");
  }
  TestRun* raw = run.release();
  try {
    raw->hand_off_.channel = WakeChannel::New(env, "mlperf_loadgen.test", 0, 1, raw, &Teardown::OnChannelClosed,
                                              static_cast<void*>(nullptr));
  } catch (...) {
    Teardown::ReleaseProcess();
    delete raw;
    throw;
  }
  // After the channel, so that the run's hook runs before the channel's own (docs/design.md §10.3).
  raw->teardown_.RegisterEnvCleanup(env);
  owner.run = raw;
  raw->loadgen_.Start();
  return raw->teardown_.promise();
}

Napi::Value TestRun::Abort(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonEnv& owner = GetAddonEnv(env);
  if (owner.run == nullptr) return Napi::Boolean::New(env, false);
  std::string reason = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "aborted";
  TestRun* run = owner.run;
  run->drain_.Begin(reason);
  // waitForLoadgen: lib/loadgen's process exit listener (see teardown.h).
  if (info.Length() > 1 && info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value()) run->teardown_.OnProcessExit();
  return Napi::Boolean::New(env, true);
}

Napi::Value TestRun::SettleQslRequest(const Napi::CallbackInfo& info) {
  AddonEnv& owner = GetAddonEnv(info.Env());
  if (owner.run == nullptr || info.Length() < 1 || !info[0].IsNumber()) return info.Env().Undefined();
  const double seq = info[0].As<Napi::Number>().DoubleValue();
  // Sequence numbers start at 1; anything else names no request (and must not reach the cast).
  if (seq >= 1 && seq < 18446744073709551616.0) owner.run->qsl_.Settle(static_cast<uint64_t>(seq));
  return info.Env().Undefined();
}

void TestRun::Init(Napi::Env env, Napi::Object exports) {
  exports.Set("startTest", Napi::Function::New(env, Start, "startTest"));
  exports.Set("abortTest", Napi::Function::New(env, Abort, "abortTest"));
  exports.Set("settleQslRequest", Napi::Function::New(env, SettleQslRequest, "settleQslRequest"));
}

}  // namespace loadgen_node
