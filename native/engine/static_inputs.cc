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
    : shape_(shape), memory_(memory), buckets_(MakeBuckets(shape.slots)) {
  device_id_ = Ort::ConstMemoryInfo(memory_).GetDeviceId();
  allocator_.reset(new Ort::Allocator(session, memory_));
  const size_t rows = static_cast<size_t>(shape_.slots);
  host_ids_.assign(rows * ElementSize(shape_.ids_type), 0);
  host_mask_.assign(rows * shape_.max_length * ElementSize(shape_.mask_type), 0);
  ones_.assign(rows, 0);
  try {
    ids_ = allocator_->Alloc(host_ids_.size());
    mask_ = allocator_->Alloc(host_mask_.size());
    logits_ = allocator_->Alloc(rows * shape_.vocab_size * ElementSize(shape_.logits_type));
  } catch (...) {
    for (void* buffer : {ids_, mask_, logits_})
      if (buffer != nullptr) allocator_->Free(buffer);
    throw;
  }
}

StaticInputs::~StaticInputs() {
  for (void* buffer : {ids_, mask_, logits_}) allocator_->Free(buffer);
}

int StaticInputs::Bucket(int rows) const { return *std::lower_bound(buckets_.begin(), buckets_.end(), rows); }

void StaticInputs::Put(std::vector<uint8_t>& host, ONNXTensorElementDataType type, size_t index, int64_t value) {
  if (type == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64) {
    reinterpret_cast<int64_t*>(host.data())[index] = value;
  } else {
    reinterpret_cast<int32_t*>(host.data())[index] = static_cast<int32_t>(value);
  }
}

void StaticInputs::Upload(int rows, const int32_t* tokens, const int* lengths) {
  const size_t width = static_cast<size_t>(shape_.max_length);
  for (int r = 0; r < rows; ++r) {
    const bool idle = lengths[r] < 0;
    Put(host_ids_, shape_.ids_type, r, idle ? 0 : tokens[r]);
    // Only the cells whose value changes: a busy row gains one 1 per step.
    const int ones = idle ? 1 : lengths[r] + 1;
    for (int i = ones_[r]; i < ones; ++i) Put(host_mask_, shape_.mask_type, r * width + i, 1);
    for (int i = ones; i < ones_[r]; ++i) Put(host_mask_, shape_.mask_type, r * width + i, 0);
    ones_[r] = ones;
  }
  CudaCopyToDevice(device_id_, ids_, host_ids_.data(), rows * ElementSize(shape_.ids_type));
  CudaCopyToDevice(device_id_, mask_, host_mask_.data(), rows * width * ElementSize(shape_.mask_type));
}

Ort::Value StaticInputs::Ids(int rows) const {
  const int64_t dims[2] = {rows, 1};
  return Ort::Value::CreateTensor(memory_, ids_, rows * ElementSize(shape_.ids_type), dims, 2, shape_.ids_type);
}

Ort::Value StaticInputs::Mask(int rows) const {
  const int64_t dims[2] = {rows, shape_.max_length};
  return Ort::Value::CreateTensor(memory_, mask_,
                                  static_cast<size_t>(rows) * shape_.max_length * ElementSize(shape_.mask_type), dims,
                                  2, shape_.mask_type);
}

Ort::Value StaticInputs::Logits(int rows) const {
  const int64_t dims[3] = {rows, 1, shape_.vocab_size};
  return Ort::Value::CreateTensor(memory_, logits_,
                                  static_cast<size_t>(rows) * shape_.vocab_size * ElementSize(shape_.logits_type), dims,
                                  3, shape_.logits_type);
}

}  // namespace loadgen_node
