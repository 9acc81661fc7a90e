#include "kv_cache.h"

#include "element_type.h"

namespace loadgen_node {

size_t KvShape::SlotBytesPerBuffer() const {
  return static_cast<size_t>(kv_heads) * max_length * head_size * ElementSize(type);
}

size_t KvShape::BytesPerSlot() const { return 2 * static_cast<size_t>(layers) * SlotBytesPerBuffer(); }

KvCache::KvCache(Ort::Session& session, const OrtMemoryInfo* memory, const KvShape& shape)
    : shape_(shape), buffers_(session, memory) {
  const size_t bytes = shape_.SlotBytesPerBuffer() * shape_.slots;
  for (int l = 0; l < shape_.layers; ++l) {
    keys_.push_back(buffers_.Alloc(bytes));
    values_.push_back(buffers_.Alloc(bytes));
  }
}

Ort::Value KvCache::View(void* buffer, int first, int count) const {
  const size_t slot_bytes = shape_.SlotBytesPerBuffer();
  const int64_t dims[4] = {count, shape_.kv_heads, shape_.max_length, shape_.head_size};
  return Ort::Value::CreateTensor(buffers_.memory(), static_cast<char*>(buffer) + slot_bytes * first,
                                  slot_bytes * count, dims, 4, shape_.type);
}

Ort::Value KvCache::KeyView(int layer, int first, int count) const { return View(keys_[layer], first, count); }

Ort::Value KvCache::ValueView(int layer, int first, int count) const { return View(values_[layer], first, count); }

}  // namespace loadgen_node
