// The KV cache: per layer one key and one value buffer [slots, kv_heads, max_length, head_size],
// allocated once on the device. A request owns one slot; since the batch is the outermost
// dimension, slot s alone and the slot prefix [0, n) are both contiguous, so each is a plain
// tensor view that the decoder reads as its past and writes as its present (GroupQueryAttention
// appends in place when both are the same buffer).
#ifndef LOADGEN_NODE_ENGINE_KV_CACHE_H_
#define LOADGEN_NODE_ENGINE_KV_CACHE_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "device_buffers.h"
#include "ort_api.h"

namespace loadgen_node {

struct KvShape {
  int layers = 0;
  int slots = 0;
  int kv_heads = 0;
  int max_length = 0;
  int head_size = 0;
  ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;

  /// Bytes of one slot of one layer's key (or value) buffer.
  size_t SlotBytesPerBuffer() const;
  /// Bytes one slot costs over all layers, keys and values.
  size_t BytesPerSlot() const;
};

class KvCache {
 public:
  /// Allocates every buffer with the session's allocator for `memory` (where the decoder reads
  /// its past KV) and zeroes it (attention kernels may read, masked, past a row's length).
  /// Throws Ort::Exception when the device runs out of memory; nothing stays allocated then.
  KvCache(Ort::Session& session, const OrtMemoryInfo* memory, const KvShape& shape);

  const KvShape& shape() const { return shape_; }
  /// Slots [first, first + count) of a layer's key or value buffer as one tensor.
  Ort::Value KeyView(int layer, int first, int count) const;
  Ort::Value ValueView(int layer, int first, int count) const;

 private:
  Ort::Value View(void* buffer, int first, int count) const;

  KvShape shape_;
  DeviceBuffers buffers_;
  std::vector<void*> keys_;
  std::vector<void*> values_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_KV_CACHE_H_
