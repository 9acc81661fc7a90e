// JS errors with a stable `code`, so callers can branch on the kind of failure.
#ifndef LOADGEN_NODE_ERRORS_H_
#define LOADGEN_NODE_ERRORS_H_

#include <string>

#include "napi_setup.h"

namespace loadgen_node {

Napi::Error CodedError(Napi::Env env, const char* code, const std::string& message);
Napi::Error CodedTypeError(Napi::Env env, const char* code, const std::string& message);
Napi::Error CodedRangeError(Napi::Env env, const char* code, const std::string& message);

/// A value lib/loadgen should have validated arrived malformed: a TypeError with code
/// ERR_LOADGEN_INTERNAL and the message "internal: <what> is malformed (lib/loadgen validates it)".
/// Native code checks what it needs to convert a value safely and leaves the user-facing message,
/// and every purely semantic rule, to TypeScript (docs/design.md §11).
Napi::Error MalformedInternal(Napi::Env env, const std::string& what);

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ERRORS_H_
