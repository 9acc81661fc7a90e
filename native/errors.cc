#include "errors.h"

namespace loadgen_node {

namespace {
Napi::Error WithCode(Napi::Error error, const char* code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  return error;
}
}  // namespace

Napi::Error CodedError(Napi::Env env, const char* code, const std::string& message) {
  return WithCode(Napi::Error::New(env, message), code);
}

Napi::Error CodedTypeError(Napi::Env env, const char* code, const std::string& message) {
  return WithCode(Napi::TypeError::New(env, message), code);
}

Napi::Error CodedRangeError(Napi::Env env, const char* code, const std::string& message) {
  return WithCode(Napi::RangeError::New(env, message), code);
}

Napi::Error MalformedInternal(Napi::Env env, const std::string& what) {
  return WithCode(Napi::TypeError::New(env, "internal: " + what + " is malformed (lib/loadgen validates it)"),
                  "ERR_LOADGEN_INTERNAL");
}

}  // namespace loadgen_node
