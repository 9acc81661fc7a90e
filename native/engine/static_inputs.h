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

#include "device_buffers.h"
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

  /// The row count a step of `rows` runs as: the smallest bucket that holds it.
  int Bucket(int rows) const;

  /// Writes rows [0, bucket): row r < rows feeds `tokens[r]` after `lengths[r]` cached tokens,
  /// so its mask has lengths[r] + 1 leading ones; a negative length, and every row from `rows`
  /// on, is idle: it feeds token 0 with one 1. Then copies them to the device, in one copy.
  void Upload(int rows, int bucket, const int32_t* tokens, const int* lengths);

  Ort::Value Ids(int rows) const;
  Ort::Value Mask(int rows) const;
  Ort::Value Logits(int rows) const;

 private:
  void Put(size_t offset, ONNXTensorElementDataType type, size_t index, int64_t value);

  StaticInputsShape shape_;
  DeviceBuffers buffers_;
  // ids and mask share one buffer, laid out as on the host: [ids (padded) | mask rows].
  size_t mask_offset_ = 0;
  void* inputs_ = nullptr;
  void* logits_ = nullptr;
  std::vector<uint8_t> host_;
  std::vector<int> ones_;  // leading ones each host mask row holds now
  std::vector<int> buckets_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_STATIC_INPUTS_H_
