#include "settings_convert.h"

#include <cmath>
#include <string>

#include "errors.h"

namespace loadgen_node {

// Every field of mlperf::TestSettings in LoadGen 6.0.17, with how it travels to and from JS.
#define LOADGEN_TEST_SETTINGS_FIELDS(X)              \
  X(scenario, Scenario)                              \
  X(mode, Mode)                                      \
  X(single_stream_expected_latency_ns, Double)       \
  X(single_stream_target_latency_percentile, Double) \
  X(multi_stream_expected_latency_ns, Double)        \
  X(multi_stream_target_latency_percentile, Double)  \
  X(multi_stream_samples_per_query, U64)             \
  X(server_target_qps, Double)                       \
  X(server_target_latency_ns, U64)                   \
  X(server_target_latency_percentile, Double)        \
  X(server_coalesce_queries, Bool)                   \
  X(server_find_peak_qps_decimals_of_precision, Int) \
  X(server_find_peak_qps_boundary_step_size, Double) \
  X(server_max_async_queries, U64)                   \
  X(server_num_issue_query_threads, U64)             \
  X(offline_expected_qps, Double)                    \
  X(sample_concatenate_permutation, Bool)            \
  X(min_duration_ms, U64)                            \
  X(max_duration_ms, U64)                            \
  X(min_query_count, U64)                            \
  X(max_query_count, U64)                            \
  X(qsl_rng_seed, U64)                               \
  X(sample_index_rng_seed, U64)                      \
  X(schedule_rng_seed, U64)                          \
  X(accuracy_log_rng_seed, U64)                      \
  X(accuracy_log_probability, Double)                \
  X(accuracy_log_sampling_target, U64)               \
  X(test05, Bool)                                    \
  X(test05_qsl_rng_seed, U64)                        \
  X(test05_sample_index_rng_seed, U64)               \
  X(test05_schedule_rng_seed, U64)                   \
  X(print_timestamps, Bool)                          \
  X(performance_issue_unique, Bool)                  \
  X(performance_issue_same, Bool)                    \
  X(performance_issue_same_index, U64)               \
  X(performance_sample_count_override, U64)          \
  X(accuracy_sample_count_override, U64)             \
  X(use_token_latencies, Bool)                       \
  X(server_ttft_latency, U64)                        \
  X(server_tpot_latency, U64)                        \
  X(infer_token_latencies, Bool)                     \
  X(token_latency_scaling_factor, U64)

namespace {

// lib/loadgen (settings-payload.ts, log-settings.ts) checks every field and explains a bad one
// to the user; these checks only keep a malformed object from turning into a wrong setting.
[[noreturn]] void BadField(Napi::Env env, const char* owner, const char* field) {
  throw MalformedInternal(env, std::string(owner) + "." + field);
}

Napi::Value Field(Napi::Object object, const char* owner, const char* field) {
  Napi::Value value = object.Get(field);
  if (value.IsUndefined()) BadField(object.Env(), owner, field);
  return value;
}

double ReadDouble(Napi::Object object, const char* owner, const char* field) {
  Napi::Value value = Field(object, owner, field);
  if (!value.IsNumber() || !std::isfinite(value.As<Napi::Number>().DoubleValue())) {
    BadField(object.Env(), owner, field);
  }
  return value.As<Napi::Number>().DoubleValue();
}

int ReadInt(Napi::Object object, const char* owner, const char* field) {
  double value = ReadDouble(object, owner, field);
  if (std::floor(value) != value || value < -2147483648.0 || value > 2147483647.0) {
    BadField(object.Env(), owner, field);
  }
  return static_cast<int>(value);
}

uint64_t ReadU64(Napi::Object object, const char* owner, const char* field) {
  Napi::Value value = Field(object, owner, field);
  if (!value.IsBigInt()) BadField(object.Env(), owner, field);
  bool lossless = false;
  uint64_t result = value.As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) BadField(object.Env(), owner, field);
  return result;
}

bool ReadBool(Napi::Object object, const char* owner, const char* field) {
  Napi::Value value = Field(object, owner, field);
  if (!value.IsBoolean()) BadField(object.Env(), owner, field);
  return value.As<Napi::Boolean>().Value();
}

std::string ReadString(Napi::Object object, const char* owner, const char* field) {
  Napi::Value value = Field(object, owner, field);
  if (!value.IsString()) BadField(object.Env(), owner, field);
  return value.As<Napi::String>().Utf8Value();
}

template <typename Enum>
Enum ReadEnum(Napi::Object object, const char* owner, const char* field, int count) {
  int value = ReadInt(object, owner, field);
  if (value < 0 || value >= count) BadField(object.Env(), owner, field);
  return static_cast<Enum>(value);
}

mlperf::TestScenario ReadScenario(Napi::Object o, const char* owner, const char* f) {
  return ReadEnum<mlperf::TestScenario>(o, owner, f, 4);
}
mlperf::TestMode ReadMode(Napi::Object o, const char* owner, const char* f) {
  return ReadEnum<mlperf::TestMode>(o, owner, f, 4);
}

Napi::Value WriteDouble(Napi::Env env, double v) { return Napi::Number::New(env, v); }
Napi::Value WriteInt(Napi::Env env, int v) { return Napi::Number::New(env, v); }
Napi::Value WriteU64(Napi::Env env, uint64_t v) { return Napi::BigInt::New(env, v); }
Napi::Value WriteBool(Napi::Env env, bool v) { return Napi::Boolean::New(env, v); }
Napi::Value WriteScenario(Napi::Env env, mlperf::TestScenario v) { return Napi::Number::New(env, static_cast<int>(v)); }
Napi::Value WriteMode(Napi::Env env, mlperf::TestMode v) { return Napi::Number::New(env, static_cast<int>(v)); }

Napi::Value TestSettingsDefaults(const Napi::CallbackInfo& info) {
  // Value-initialised, as Python's binding does: the one field without a default member
  // initializer (token_latency_scaling_factor) is then zero instead of indeterminate.
  return WriteTestSettings(info.Env(), mlperf::TestSettings());
}

Napi::Value LogSettingsDefaults(const Napi::CallbackInfo& info) {
  return WriteLogSettings(info.Env(), mlperf::LogSettings());
}

// testSettingsFromConfig(settings, path, model, scenario, confType) -> { status, settings }
Napi::Value TestSettingsFromConfig(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsObject() || !info[1].IsString() || !info[2].IsString() || !info[3].IsString() ||
      !info[4].IsNumber()) {
    throw MalformedInternal(env,
                            "the argument list of testSettingsFromConfig(settings, path, model, scenario, confType)");
  }
  mlperf::TestSettings settings = ReadTestSettings(info[0].As<Napi::Object>());
  int status = settings.FromConfig(info[1].As<Napi::String>().Utf8Value(), info[2].As<Napi::String>().Utf8Value(),
                                   info[3].As<Napi::String>().Utf8Value(), info[4].As<Napi::Number>().Int32Value());
  Napi::Object result = Napi::Object::New(env);
  result.Set("status", Napi::Number::New(env, status));
  result.Set("settings", WriteTestSettings(env, settings));
  return result;
}

}  // namespace

mlperf::TestSettings ReadTestSettings(Napi::Object object) {
  mlperf::TestSettings settings = mlperf::TestSettings();
#define LOADGEN_READ_FIELD(name, kind) settings.name = Read##kind(object, "settings", #name);
  LOADGEN_TEST_SETTINGS_FIELDS(LOADGEN_READ_FIELD)
#undef LOADGEN_READ_FIELD
  return settings;
}

Napi::Object WriteTestSettings(Napi::Env env, const mlperf::TestSettings& settings) {
  Napi::Object object = Napi::Object::New(env);
#define LOADGEN_WRITE_FIELD(name, kind) object.Set(#name, Write##kind(env, settings.name));
  LOADGEN_TEST_SETTINGS_FIELDS(LOADGEN_WRITE_FIELD)
#undef LOADGEN_WRITE_FIELD
  return object;
}

mlperf::LogSettings ReadLogSettings(Napi::Object object) {
  mlperf::LogSettings settings;
  Napi::Value output_value = Field(object, "logSettings", "log_output");
  if (!output_value.IsObject()) BadField(object.Env(), "logSettings", "log_output");
  Napi::Object output = output_value.As<Napi::Object>();
  const char* owner = "logSettings.log_output";
  settings.log_output.outdir = ReadString(output, owner, "outdir");
  settings.log_output.prefix = ReadString(output, owner, "prefix");
  settings.log_output.suffix = ReadString(output, owner, "suffix");
  settings.log_output.prefix_with_datetime = ReadBool(output, owner, "prefix_with_datetime");
  settings.log_output.copy_detail_to_stdout = ReadBool(output, owner, "copy_detail_to_stdout");
  settings.log_output.copy_summary_to_stdout = ReadBool(output, owner, "copy_summary_to_stdout");
  settings.log_mode = ReadEnum<mlperf::LoggingMode>(object, "logSettings", "log_mode", 3);
  settings.log_mode_async_poll_interval_ms = ReadU64(object, "logSettings", "log_mode_async_poll_interval_ms");
  settings.enable_trace = ReadBool(object, "logSettings", "enable_trace");
  return settings;
}

Napi::Object WriteLogSettings(Napi::Env env, const mlperf::LogSettings& settings) {
  Napi::Object output = Napi::Object::New(env);
  output.Set("outdir", settings.log_output.outdir);
  output.Set("prefix", settings.log_output.prefix);
  output.Set("suffix", settings.log_output.suffix);
  output.Set("prefix_with_datetime", settings.log_output.prefix_with_datetime);
  output.Set("copy_detail_to_stdout", settings.log_output.copy_detail_to_stdout);
  output.Set("copy_summary_to_stdout", settings.log_output.copy_summary_to_stdout);
  Napi::Object object = Napi::Object::New(env);
  object.Set("log_output", output);
  object.Set("log_mode", Napi::Number::New(env, static_cast<int>(settings.log_mode)));
  object.Set("log_mode_async_poll_interval_ms", WriteU64(env, settings.log_mode_async_poll_interval_ms));
  object.Set("enable_trace", settings.enable_trace);
  return object;
}

void InitSettings(Napi::Env env, Napi::Object exports) {
  exports.Set("testSettingsDefaults", Napi::Function::New(env, TestSettingsDefaults, "testSettingsDefaults"));
  exports.Set("logSettingsDefaults", Napi::Function::New(env, LogSettingsDefaults, "logSettingsDefaults"));
  exports.Set("testSettingsFromConfig", Napi::Function::New(env, TestSettingsFromConfig, "testSettingsFromConfig"));
}

}  // namespace loadgen_node
