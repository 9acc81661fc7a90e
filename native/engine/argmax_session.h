// Greedy token choice on the device: a one-node-chain model (last position of the logits, cast
// to float, ArgMax over the vocabulary) run as a second session whose input is the decoder's
// logits where they lie, and whose int64 output is bound to host memory. Per step only the
// token ids cross to the host.
#ifndef LOADGEN_NODE_ENGINE_ARGMAX_SESSION_H_
#define LOADGEN_NODE_ENGINE_ARGMAX_SESSION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ort_api.h"
#include "session_settings.h"

namespace loadgen_node {

/// The arg-max model's input and output names (lib/backends/engine/argmax-model.ts writes it).
inline constexpr const char* kArgmaxInput = "logits";
inline constexpr const char* kArgmaxOutput = "token";

class ArgmaxSession {
 public:
  /// `model` is the ONNX model for the decoder's logits type. Throws EngineError.
  ArgmaxSession(Ort::Env& env, const std::vector<uint8_t>& model, const SessionSettings& settings, int max_rows);

  /// The arg-max of the last position of each of `rows` rows of `logits` [rows, length, vocab].
  /// The result stays valid until the next call.
  const int64_t* Run(const Ort::Value& logits, int rows);

 private:
  std::unique_ptr<Ort::Session> session_;
  std::unique_ptr<Ort::IoBinding> binding_;
  Ort::MemoryInfo host_;
  std::vector<int64_t> tokens_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_ARGMAX_SESSION_H_
