// Module entry: per-environment state and the exported functions.
#include "addon_env.h"
#include "completion.h"
#include "engine/engine_binding.h"
#include "napi_setup.h"
#include "settings_convert.h"
#include "test_run.h"
#include "version.h"

namespace loadgen_node {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonEnv());
  TestRun::Init(env, exports);
  InitCompletion(env, exports);
  InitSettings(env, exports);
  InitEngine(env, exports);
  exports.Set("loadgenVersion", Napi::String::New(env, mlperf::LoadgenVersion()));
  return exports;
}

}  // namespace loadgen_node

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return loadgen_node::Init(env, exports); }

NODE_API_MODULE(mlperf_loadgen, InitAddon)
