// What startTest(config) hands native code, read once on the JS thread before LoadGen's thread
// starts and never written afterwards, so both threads read it without a lock.
//
// lib/loadgen (test-execution.ts, settings-payload.ts, log-settings.ts) validates every field and
// owns the messages a user sees. Reading checks only what native code needs to convert a value
// safely; a malformed field is an internal error (docs/design.md §11).
#ifndef LOADGEN_NODE_START_CONFIG_H_
#define LOADGEN_NODE_START_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "napi_setup.h"
#include "test_settings.h"

namespace loadgen_node {

struct StartConfig {
  /// Reads the config object; throws MalformedInternal() naming the first malformed field.
  static StartConfig Read(Napi::Object config);

  std::string sut_name;
  std::string qsl_name;
  size_t total_sample_count = 0;
  size_t performance_sample_count = 0;
  mlperf::TestSettings settings;
  mlperf::LogSettings log_settings;
  std::string audit_config;
  // JS callbacks, called on the JS thread only.
  Napi::FunctionReference on_issue;
  Napi::FunctionReference on_flush;
  Napi::FunctionReference on_qsl_request;
  // Busy-poll window (ns) of both sides of the hand-off; 0 disables polling (docs/design.md §5).
  uint64_t poll_window_ns = 0;
  // SingleStream/MultiStream: LoadGen waits for each query's completion before issuing the
  // next, so IssueQuery may poll for that completion before returning, and queries that fit
  // go through the lock-free lane (docs/design.md §3).
  bool loadgen_awaits_each_query = false;
  // use_token_latencies: samples the binding completes itself report a token count.
  bool reports_tokens = false;
  // use_token_latencies outside Offline: LoadGen expects a first token before each completion.
  bool expects_first_token = false;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_START_CONFIG_H_
