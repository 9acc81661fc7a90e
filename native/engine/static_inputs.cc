#include "static_inputs.h"

#include <algorithm>

#include "cuda_driver.h"
#include "element_type.h"

namespace loadgen_node {

namespace {

// Each captured graph keeps its own workspace, so the buckets grow geometrically (about 1.5×):
// a step runs at most a third more rows than it has, and 128 slots need 14 graphs.
std::vector<int> MakeBuckets(int slots) {
  std::vector<int> buckets;
  for (int size = 1; size < slots;) {
    buckets.push_back(size);
    size = size < 4 ? size + 1 : size + (size + 1) / 2;
  }
  buckets.push_back(slots);
  return buckets;
}

}  // namespace

StaticInputs::StaticInputs(Ort::Session& session, const OrtMemoryInfo* memory, const StaticInputsShape& shape)
    : shape_(shape), buffers_(session, memory), buckets_(MakeBuckets(shape.slots)) {
  const size_t rows = static_cast<size_t>(shape_.slots);
  // The mask starts on a whole 64 bytes after the ids, whatever their type.
  mask_offset_ = (rows * ElementSize(shape_.ids_type) + 63) / 64 * 64;
  host_.assign(mask_offset_ + rows * shape_.max_length * ElementSize(shape_.mask_type), 0);
  ones_.assign(rows, 0);
  inputs_ = buffers_.Alloc(host_.size());
  logits_ = buffers_.Alloc(rows * shape_.vocab_size * ElementSize(shape_.logits_type));
}

int StaticInputs::Bucket(int rows) const { return *std::lower_bound(buckets_.begin(), buckets_.end(), rows); }

void StaticInputs::Put(size_t offset, ONNXTensorElementDataType type, size_t index, int64_t value) {
  uint8_t* base = host_.data() + offset;
  if (type == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64) {
    reinterpret_cast<int64_t*>(base)[index] = value;
  } else {
    reinterpret_cast<int32_t*>(base)[index] = static_cast<int32_t>(value);
  }
}

void StaticInputs::Upload(int rows, int bucket, const int32_t* tokens, const int* lengths) {
  const size_t width = static_cast<size_t>(shape_.max_length);
  for (int r = 0; r < bucket; ++r) {
    const bool idle = r >= rows || lengths[r] < 0;
    Put(0, shape_.ids_type, r, idle ? 0 : tokens[r]);
    // Only the cells whose value changes: a busy row gains one 1 per step.
    const int ones = idle ? 1 : lengths[r] + 1;
    for (int i = ones_[r]; i < ones; ++i) Put(mask_offset_, shape_.mask_type, r * width + i, 1);
    for (int i = ones; i < ones_[r]; ++i) Put(mask_offset_, shape_.mask_type, r * width + i, 0);
    ones_[r] = ones;
  }
  // The ids of every slot (the unused ones are stale and unread) and the mask rows in use.
  CudaCopyToDevice(buffers_.device_id(), inputs_, host_.data(),
                   mask_offset_ + bucket * width * ElementSize(shape_.mask_type));
}

Ort::Value StaticInputs::Ids(int rows) const {
  const int64_t dims[2] = {rows, 1};
  return Ort::Value::CreateTensor(buffers_.memory(), inputs_, rows * ElementSize(shape_.ids_type), dims, 2,
                                  shape_.ids_type);
}

Ort::Value StaticInputs::Mask(int rows) const {
  const int64_t dims[2] = {rows, shape_.max_length};
  return Ort::Value::CreateTensor(buffers_.memory(), static_cast<uint8_t*>(inputs_) + mask_offset_,
                                  static_cast<size_t>(rows) * shape_.max_length * ElementSize(shape_.mask_type), dims,
                                  2, shape_.mask_type);
}

Ort::Value StaticInputs::Logits(int rows) const {
  const int64_t dims[3] = {rows, 1, shape_.vocab_size};
  return Ort::Value::CreateTensor(buffers_.memory(), logits_,
                                  static_cast<size_t>(rows) * shape_.vocab_size * ElementSize(shape_.logits_type), dims,
                                  3, shape_.logits_type);
}

}  // namespace loadgen_node
