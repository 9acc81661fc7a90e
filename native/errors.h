// JS errors with a stable `code`, so callers can branch on the kind of failure.
#ifndef LOADGEN_NODE_ERRORS_H_
#define LOADGEN_NODE_ERRORS_H_

#include <string>

#include "napi_setup.h"

namespace loadgen_node {

Napi::Error CodedError(Napi::Env env, const char* code, const std::string& message);
Napi::Error CodedTypeError(Napi::Env env, const char* code, const std::string& message);
Napi::Error CodedRangeError(Napi::Env env, const char* code, const std::string& message);

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ERRORS_H_
