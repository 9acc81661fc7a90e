#include "start_config.h"

#include "errors.h"
#include "settings_convert.h"

namespace loadgen_node {

namespace {

// The largest busy-poll window that stays exact in a double and cannot overflow the steady
// clock once added to it (2^53 ns is 104 days). A representational bound only: the useful
// range (0 to 1 s) is lib/loadgen's to enforce and explain.
constexpr double kMaxPollWindowNs = 9007199254740992.0;

// The largest sample count LoadGen's indices can carry to JS (a Uint32Array).
constexpr double kMaxSampleCount = 4294967295.0;

[[noreturn]] void Malformed(Napi::Object config, const char* key) {
  throw MalformedInternal(config.Env(), std::string("startTest config.") + key);
}

Napi::Value ConfigField(Napi::Object config, const char* key) {
  Napi::Value value = config.Get(key);
  if (value.IsUndefined()) Malformed(config, key);
  return value;
}

std::string ConfigString(Napi::Object config, const char* key) {
  Napi::Value value = ConfigField(config, key);
  if (!value.IsString()) Malformed(config, key);
  return value.As<Napi::String>().Utf8Value();
}

// A count LoadGen divides by and whose indices must fit a uint32: an integer from 1 to 2^32-1.
size_t ConfigCount(Napi::Object config, const char* key) {
  Napi::Value value = ConfigField(config, key);
  double number = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1;
  if (!(number >= 1 && number <= kMaxSampleCount) || number != static_cast<double>(static_cast<uint64_t>(number))) {
    Malformed(config, key);
  }
  return static_cast<size_t>(number);
}

Napi::Function ConfigFunction(Napi::Object config, const char* key) {
  Napi::Value value = ConfigField(config, key);
  if (!value.IsFunction()) Malformed(config, key);
  return value.As<Napi::Function>();
}

Napi::Object ConfigObject(Napi::Object config, const char* key) {
  Napi::Value value = ConfigField(config, key);
  if (!value.IsObject()) Malformed(config, key);
  return value.As<Napi::Object>();
}

}  // namespace

StartConfig StartConfig::Read(Napi::Object config) {
  StartConfig result;
  result.sut_name = ConfigString(config, "sutName");
  result.qsl_name = ConfigString(config, "qslName");
  result.total_sample_count = ConfigCount(config, "totalSampleCount");
  result.performance_sample_count = ConfigCount(config, "performanceSampleCount");
  result.settings = ReadTestSettings(ConfigObject(config, "settings"));
  result.log_settings = ReadLogSettings(ConfigObject(config, "logSettings"));
  result.audit_config = ConfigString(config, "auditConfig");
  result.on_issue = Napi::Persistent(ConfigFunction(config, "onIssue"));
  result.on_flush = Napi::Persistent(ConfigFunction(config, "onFlush"));
  result.on_qsl_request = Napi::Persistent(ConfigFunction(config, "onQslRequest"));
  Napi::Value poll = config.Get("busyPollNs");
  if (!poll.IsUndefined()) {
    double ns = poll.IsNumber() ? poll.As<Napi::Number>().DoubleValue() : -1;
    if (!(ns >= 0 && ns <= kMaxPollWindowNs)) Malformed(config, "busyPollNs");
    result.poll_window_ns = static_cast<uint64_t>(ns);
  }
  const mlperf::TestScenario scenario = result.settings.scenario;
  result.loadgen_awaits_each_query =
      scenario == mlperf::TestScenario::SingleStream || scenario == mlperf::TestScenario::MultiStream;
  result.reports_tokens = result.settings.use_token_latencies;
  result.expects_first_token = result.settings.use_token_latencies && scenario != mlperf::TestScenario::Offline;
  return result;
}

}  // namespace loadgen_node
