// JS objects <-> LoadGen's TestSettings and LogSettings.
//
// The TypeScript layer validates user input and hands native code a plain object whose keys are
// exactly the C++ field names: numbers for double/int fields, bigints for uint64_t fields,
// booleans, and enum values as their integer. Native code still checks each field's type and the
// range it needs to convert it, so a malformed object is an internal error naming the field
// (ERR_LOADGEN_INTERNAL, docs/design.md §11), never a silently wrong setting.
#ifndef LOADGEN_NODE_SETTINGS_CONVERT_H_
#define LOADGEN_NODE_SETTINGS_CONVERT_H_

#include "napi_setup.h"
#include "test_settings.h"

namespace loadgen_node {

mlperf::TestSettings ReadTestSettings(Napi::Object object);
Napi::Object WriteTestSettings(Napi::Env env, const mlperf::TestSettings& settings);

mlperf::LogSettings ReadLogSettings(Napi::Object object);
Napi::Object WriteLogSettings(Napi::Env env, const mlperf::LogSettings& settings);

/// Exports: testSettingsDefaults(), logSettingsDefaults(), testSettingsFromConfig(...).
void InitSettings(Napi::Env env, Napi::Object exports);

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_SETTINGS_CONVERT_H_
