// Buffers taken from an ONNX Runtime session's allocator for one memory (the device where the
// decoder runs), owned together and freed together: the KV cache's per-layer buffers and the
// CUDA-graph inputs both come from here, so what a throwing constructor allocated is freed too.
#ifndef LOADGEN_NODE_ENGINE_DEVICE_BUFFERS_H_
#define LOADGEN_NODE_ENGINE_DEVICE_BUFFERS_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "ort_api.h"

namespace loadgen_node {

class DeviceBuffers {
 public:
  /// `memory` is owned by the session and must outlive this.
  DeviceBuffers(Ort::Session& session, const OrtMemoryInfo* memory);
  ~DeviceBuffers();
  DeviceBuffers(const DeviceBuffers&) = delete;
  DeviceBuffers& operator=(const DeviceBuffers&) = delete;

  /// `bytes` more, zeroed (attention kernels may read, masked, past a row's length). Throws
  /// Ort::Exception when the memory is exhausted; earlier buffers stay owned.
  void* Alloc(size_t bytes);

  const OrtMemoryInfo* memory() const { return memory_; }
  bool on_gpu() const { return on_gpu_; }
  int device_id() const { return device_id_; }

 private:
  const OrtMemoryInfo* memory_;
  bool on_gpu_ = false;
  int device_id_ = 0;
  std::unique_ptr<Ort::Allocator> allocator_;
  std::vector<void*> buffers_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_DEVICE_BUFFERS_H_
