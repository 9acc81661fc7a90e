// The decoder session: a model-builder export (GroupQueryAttention, past/present sharing one
// buffer) opened on the engine's device and checked against the names genai_config.json gives.
#ifndef LOADGEN_NODE_ENGINE_DECODER_MODEL_H_
#define LOADGEN_NODE_ENGINE_DECODER_MODEL_H_

#include <memory>
#include <string>
#include <vector>

#include "ort_api.h"
#include "session_settings.h"

namespace loadgen_node {

/// The decoder's input and output names; the per-layer ones hold "%d" for the layer index.
struct DecoderNames {
  std::string input_ids;
  std::string attention_mask;
  std::string past_key;
  std::string past_value;
  std::string logits;
  std::string present_key;
  std::string present_value;
};

/// What genai_config.json says about the decoder (read and checked by TypeScript).
struct DecoderSpec {
  std::string model_path;
  std::string config_path;  // for messages
  DecoderNames names;
  int layers = 0;
  int kv_heads = 0;
  int head_size = 0;
  int vocab_size = 0;
};

class DecoderModel {
 public:
  /// Opens and validates the model. Throws EngineError: ERR_BACKEND_MODEL for a missing or
  /// malformed model (naming the input or output that is wrong), ERR_BACKEND_UNAVAILABLE for a
  /// provider that fails to load.
  DecoderModel(Ort::Env& env, const DecoderSpec& spec, const SessionSettings& settings);

  Ort::Session& session() { return *session_; }
  const DecoderSpec& spec() const { return spec_; }
  ONNXTensorElementDataType kv_type() const { return kv_type_; }
  ONNXTensorElementDataType logits_type() const { return logits_type_; }
  ONNXTensorElementDataType ids_type() const { return ids_type_; }
  ONNXTensorElementDataType mask_type() const { return mask_type_; }
  /// Where the decoder wants its past KV (the device its attention runs on): the KV cache goes
  /// there. Owned by the session.
  const OrtMemoryInfo* kv_memory() const { return kv_memory_; }
  /// Where the decoder produces its logits: they stay there for the arg-max session.
  const OrtMemoryInfo* logits_memory() const { return logits_memory_; }
  const std::string& past_key(int layer) const { return past_keys_[layer]; }
  const std::string& past_value(int layer) const { return past_values_[layer]; }
  const std::string& present_key(int layer) const { return present_keys_[layer]; }
  const std::string& present_value(int layer) const { return present_values_[layer]; }

 private:
  void Validate();

  DecoderSpec spec_;
  std::unique_ptr<Ort::Session> session_;
  std::vector<std::string> past_keys_, past_values_, present_keys_, present_values_;
  const OrtMemoryInfo* kv_memory_ = nullptr;
  const OrtMemoryInfo* logits_memory_ = nullptr;
  ONNXTensorElementDataType kv_type_ = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  ONNXTensorElementDataType logits_type_ = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  ONNXTensorElementDataType ids_type_ = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  ONNXTensorElementDataType mask_type_ = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
};

/// `pattern` with its "%d" replaced by `layer`.
std::string LayerName(const std::string& pattern, int layer);

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_DECODER_MODEL_H_
