#include "kv_cache.h"

#include <cstring>

#include "cuda_driver.h"
#include "element_type.h"

namespace loadgen_node {

size_t KvShape::SlotBytesPerBuffer() const {
  return static_cast<size_t>(kv_heads) * max_length * head_size * ElementSize(type);
}

size_t KvShape::BytesPerSlot() const { return 2 * static_cast<size_t>(layers) * SlotBytesPerBuffer(); }

KvCache::KvCache(Ort::Session& session, const OrtMemoryInfo* memory, const KvShape& shape)
    : shape_(shape), memory_(memory) {
  allocator_.reset(new Ort::Allocator(session, memory_));
  const Ort::ConstMemoryInfo info(memory_);
  const bool on_gpu = info.GetDeviceType() == OrtMemoryInfoDeviceType_GPU;
  const size_t bytes = shape_.SlotBytesPerBuffer() * shape_.slots;
  try {
    for (int l = 0; l < shape_.layers; ++l) {
      for (auto* list : {&keys_, &values_}) {
        void* buffer = allocator_->Alloc(bytes);
        list->push_back(buffer);
        if (on_gpu) {
          CudaZero(info.GetDeviceId(), buffer, bytes);
        } else {
          std::memset(buffer, 0, bytes);
        }
      }
    }
  } catch (...) {
    FreeAll();
    throw;
  }
}

KvCache::~KvCache() { FreeAll(); }

void KvCache::FreeAll() {
  for (auto* list : {&keys_, &values_}) {
    for (void* buffer : *list) allocator_->Free(buffer);
    list->clear();
  }
}

Ort::Value KvCache::View(void* buffer, int first, int count) const {
  const size_t slot_bytes = shape_.SlotBytesPerBuffer();
  const int64_t dims[4] = {count, shape_.kv_heads, shape_.max_length, shape_.head_size};
  return Ort::Value::CreateTensor(memory_, static_cast<char*>(buffer) + slot_bytes * first, slot_bytes * count, dims, 4,
                                  shape_.type);
}

Ort::Value KvCache::KeyView(int layer, int first, int count) const { return View(keys_[layer], first, count); }

Ort::Value KvCache::ValueView(int layer, int first, int count) const { return View(values_[layer], first, count); }

}  // namespace loadgen_node
