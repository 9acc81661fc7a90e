// The decode step's inputs and logits at fixed device addresses, for CUDA-graph replay: ONNX
// Runtime replays a captured step without looking at the binding again, so input_ids,
// attention_mask and logits must lie where they lay at capture, in the same shapes. The mask is
// therefore max_length wide (GroupQueryAttention's total_sequence_length stays constant; it reads
// each row's length from the row's sum), and the row count is rounded up to a bucket so that a
// handful of graphs cover every batch size.
#ifndef LOADGEN_NODE_ENGINE_STATIC_INPUTS_H_
#define LOADGEN_NODE_ENGINE_STATIC_INPUTS_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "ort_api.h"

namespace loadgen_node {

struct StaticInputsShape {
  int slots = 0;
  int max_length = 0;
  int vocab_size = 0;
  ONNXTensorElementDataType ids_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  ONNXTensorElementDataType mask_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  ONNXTensorElementDataType logits_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
};

class StaticInputs {
 public:
  /// Allocates the buffers with the session's allocator for `memory` (the device). Throws
  /// Ort::Exception when that fails.
  StaticInputs(Ort::Session& session, const OrtMemoryInfo* memory, const StaticInputsShape& shape);
  ~StaticInputs();
  StaticInputs(const StaticInputs&) = delete;
  StaticInputs& operator=(const StaticInputs&) = delete;

  /// The row count a step of `rows` runs as: the smallest bucket that holds it.
  int Bucket(int rows) const;

  /// Writes rows [0, rows) (a bucket): row r feeds `tokens[r]` after `lengths[r]` cached tokens,
  /// so its mask has lengths[r] + 1 leading ones; a negative length (an idle row) feeds token 0
  /// with one 1. Then copies them to the device.
  void Upload(int rows, const int32_t* tokens, const int* lengths);

  Ort::Value Ids(int rows) const;
  Ort::Value Mask(int rows) const;
  Ort::Value Logits(int rows) const;

 private:
  void Put(std::vector<uint8_t>& host, ONNXTensorElementDataType type, size_t index, int64_t value);

  StaticInputsShape shape_;
  const OrtMemoryInfo* memory_;  // owned by the session
  int device_id_ = 0;
  std::unique_ptr<Ort::Allocator> allocator_;
  void* ids_ = nullptr;
  void* mask_ = nullptr;
  void* logits_ = nullptr;
  std::vector<uint8_t> host_ids_, host_mask_;
  std::vector<int> ones_;  // leading ones each host mask row holds now
  std::vector<int> buckets_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_STATIC_INPUTS_H_
