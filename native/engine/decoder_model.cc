#include "decoder_model.h"

#include <unistd.h>

#include <algorithm>
#include <map>

#include "element_type.h"
#include "engine_error.h"

namespace loadgen_node {

namespace {

struct ValueType {
  size_t index = 0;  // in the session's input or output order
  bool is_tensor = false;
  ONNXTensorElementDataType element = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  std::vector<int64_t> shape;  // -1 for a symbolic dimension
};

std::map<std::string, ValueType> ReadValues(Ort::Session& session, bool inputs) {
  Ort::AllocatorWithDefaultOptions allocator;
  std::map<std::string, ValueType> values;
  const size_t count = inputs ? session.GetInputCount() : session.GetOutputCount();
  for (size_t i = 0; i < count; ++i) {
    std::string name =
        (inputs ? session.GetInputNameAllocated(i, allocator) : session.GetOutputNameAllocated(i, allocator)).get();
    Ort::TypeInfo info = inputs ? session.GetInputTypeInfo(i) : session.GetOutputTypeInfo(i);
    ValueType type;
    type.index = i;
    type.is_tensor = info.GetONNXType() == ONNX_TYPE_TENSOR;
    if (type.is_tensor) {
      auto tensor = info.GetTensorTypeAndShapeInfo();
      type.element = tensor.GetElementType();
      type.shape = tensor.GetShape();
    }
    values.emplace(std::move(name), std::move(type));
  }
  return values;
}

std::string Join(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

std::string Keys(const std::map<std::string, ValueType>& values) {
  std::vector<std::string> names;
  for (const auto& entry : values) names.push_back(entry.first);
  return Join(names);
}

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + (shape[i] < 0 ? "?" : std::to_string(shape[i]));
  return text + "]";
}

}  // namespace

std::string LayerName(const std::string& pattern, int layer) {
  std::string name = pattern;
  size_t at = name.find("%d");
  if (at != std::string::npos) name.replace(at, 2, std::to_string(layer));
  return name;
}

DecoderModel::DecoderModel(Ort::Env& env, const DecoderSpec& spec, const SessionSettings& settings) : spec_(spec) {
  if (access(spec.model_path.c_str(), R_OK) != 0) {
    throw EngineError(kErrModel, "the decoder model " + spec.model_path + " (model.decoder.filename in " +
                                     spec.config_path +
                                     ") is missing or unreadable; export the model again with the onnxruntime-genai "
                                     "model builder, or fix model.decoder.filename");
  }
  auto open = [&](const SessionSettings& with) {
    session_.reset(new Ort::Session(env, spec.model_path.c_str(), MakeSessionOptions(with)));
  };
  try {
    try {
      open(settings);
    } catch (const Ort::Exception& error) {
      if (!settings.cuda_graph || std::string(error.what()).find("graph capture") == std::string::npos) throw;
      // ONNX Runtime captures graphs only when every node runs on CUDA; a float32
      // GroupQueryAttention export keeps its attention on the CPU, so it runs uncaptured.
      SessionSettings uncaptured = settings;
      uncaptured.cuda_graph = false;
      open(uncaptured);
    }
  } catch (const Ort::Exception& error) {
    if (settings.device == Device::kCuda && IsProviderLoadFailure(error.what())) {
      throw ProviderUnavailable(settings, error.what());
    }
    const std::string message = error.what();
    if (message.find("Could not find an implementation") != std::string::npos) {
      throw EngineError(
          kErrModel, "onnxruntime cannot run " + spec.model_path + " on device '" +
                         (settings.device == Device::kCuda ? "cuda" : "cpu") + "': " + message +
                         "; the device has no kernel for that operator and type (GroupQueryAttention runs bfloat16 "
                         "on CUDA only, float32 on the CPU only): export the model for this device, or use the other");
    }
    throw EngineError(kErrModel, "onnxruntime cannot load " + spec.model_path + ": " + message +
                                     "; check that the file is a complete ONNX model (export or download it again)");
  }
  for (int l = 0; l < spec.layers; ++l) {
    past_keys_.push_back(LayerName(spec.names.past_key, l));
    past_values_.push_back(LayerName(spec.names.past_value, l));
    present_keys_.push_back(LayerName(spec.names.present_key, l));
    present_values_.push_back(LayerName(spec.names.present_value, l));
  }
  Validate();
}

void DecoderModel::Validate() {
  auto mismatch = [&](const std::string& detail) {
    return EngineError(kErrModel, spec_.model_path + " does not match " + spec_.config_path + ": " + detail);
  };
  const auto inputs = ReadValues(*session_, true);
  const auto outputs = ReadValues(*session_, false);

  std::vector<std::string> fed = {spec_.names.input_ids, spec_.names.attention_mask};
  fed.insert(fed.end(), past_keys_.begin(), past_keys_.end());
  fed.insert(fed.end(), past_values_.begin(), past_values_.end());
  std::vector<std::string> fetched = {spec_.names.logits};
  fetched.insert(fetched.end(), present_keys_.begin(), present_keys_.end());
  fetched.insert(fetched.end(), present_values_.begin(), present_values_.end());

  std::vector<std::string> missing;
  for (const std::string& name : fed)
    if (!inputs.count(name)) missing.push_back("input " + name);
  for (const std::string& name : fetched)
    if (!outputs.count(name)) missing.push_back("output " + name);
  if (!missing.empty()) {
    throw mismatch(Join(missing) + (missing.size() > 1 ? " named by the config are" : " named by the config is") +
                   " not in the model (model inputs: " + Keys(inputs) + "; outputs: " + Keys(outputs) + ")");
  }
  std::vector<std::string> extra;
  for (const auto& entry : inputs)
    if (std::find(fed.begin(), fed.end(), entry.first) == fed.end()) extra.push_back(entry.first);
  if (!extra.empty()) {
    throw mismatch("the model also needs " + Join(extra) +
                   ", which the engine does not feed; it runs model-builder GroupQueryAttention exports, whose "
                   "attention derives positions from attention_mask (no position_ids)");
  }

  const ValueType& ids = inputs.at(spec_.names.input_ids);
  const ValueType& mask = inputs.at(spec_.names.attention_mask);
  for (const auto* value : {&ids, &mask}) {
    const std::string& name = value == &ids ? spec_.names.input_ids : spec_.names.attention_mask;
    if (!value->is_tensor || !IsEngineInteger(value->element) || value->shape.size() != 2) {
      throw mismatch("input " + name + " must be an int64 or int32 tensor [batch, length], got " +
                     (value->is_tensor ? std::string(ElementName(value->element)) + " " + ShapeText(value->shape)
                                       : std::string("a non-tensor")));
    }
  }
  ids_type_ = ids.element;
  mask_type_ = mask.element;

  const ValueType& first_past = inputs.at(past_keys_[0]);
  kv_type_ = first_past.element;
  if (!first_past.is_tensor || !IsEngineFloat(kv_type_)) {
    throw mismatch("input " + past_keys_[0] + " must be a float32, float16 or bfloat16 tensor, got " +
                   (first_past.is_tensor ? ElementName(kv_type_) : "a non-tensor"));
  }
  auto check_kv = [&](const std::string& name, const ValueType& value, const char* role) {
    const auto& shape = value.shape;
    if (!value.is_tensor || value.element != kv_type_) {
      throw mismatch(std::string(role) + " " + name + " must be " + ElementName(kv_type_) + " like " + past_keys_[0] +
                     ", got " + (value.is_tensor ? ElementName(value.element) : "a non-tensor"));
    }
    if (shape.size() != 4 || (shape[1] >= 0 && shape[1] != spec_.kv_heads) ||
        (shape[3] >= 0 && shape[3] != spec_.head_size)) {
      throw mismatch(std::string(role) + " " + name + " has shape " + ShapeText(shape) + ", expected [batch, " +
                     std::to_string(spec_.kv_heads) + " (num_key_value_heads), length, " +
                     std::to_string(spec_.head_size) + " (head_size)]");
    }
  };
  for (int l = 0; l < spec_.layers; ++l) {
    check_kv(past_keys_[l], inputs.at(past_keys_[l]), "input");
    check_kv(past_values_[l], inputs.at(past_values_[l]), "input");
    check_kv(present_keys_[l], outputs.at(present_keys_[l]), "output");
    check_kv(present_values_[l], outputs.at(present_values_[l]), "output");
  }

  const ValueType& logits = outputs.at(spec_.names.logits);
  // The session knows, once initialized, which device each input is consumed on and each output
  // produced on (the CUDA provider's device memory for the attention and the head).
  kv_memory_ = session_->GetMemoryInfoForInputs()[first_past.index];
  logits_memory_ = session_->GetMemoryInfoForOutputs()[logits.index];
  logits_type_ = logits.element;
  if (!logits.is_tensor || !IsEngineFloat(logits_type_) || logits.shape.size() != 3 ||
      (logits.shape[2] >= 0 && logits.shape[2] != spec_.vocab_size)) {
    throw mismatch("output " + spec_.names.logits + " must be a float tensor [batch, length, " +
                   std::to_string(spec_.vocab_size) + " (vocab_size)], got " +
                   (logits.is_tensor ? std::string(ElementName(logits_type_)) + " " + ShapeText(logits.shape)
                                     : std::string("a non-tensor")));
  }
}

}  // namespace loadgen_node
