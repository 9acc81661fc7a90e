// Failures of the engine, with the stable code the JS error will carry (lib/backends/errors.ts)
// and a message that says what happened and how to fix it.
#ifndef LOADGEN_NODE_ENGINE_ENGINE_ERROR_H_
#define LOADGEN_NODE_ENGINE_ENGINE_ERROR_H_

#include <stdexcept>
#include <string>

namespace loadgen_node {

// The codes of lib/backends/errors.ts.
inline constexpr const char* kErrUnavailable = "ERR_BACKEND_UNAVAILABLE";  // runtime, provider, device
inline constexpr const char* kErrModel = "ERR_BACKEND_MODEL";              // model files missing or malformed
inline constexpr const char* kErrRequest = "ERR_BACKEND_REQUEST";          // options or a request it cannot serve
inline constexpr const char* kErrFailed = "ERR_BACKEND_FAILED";            // generation failed while running

class EngineError : public std::runtime_error {
 public:
  EngineError(const char* code, const std::string& message) : std::runtime_error(message), code_(code) {}
  const char* code() const { return code_; }

 private:
  const char* code_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_ENGINE_ERROR_H_
