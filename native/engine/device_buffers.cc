#include "device_buffers.h"

#include <cstring>

#include "cuda_driver.h"

namespace loadgen_node {

DeviceBuffers::DeviceBuffers(Ort::Session& session, const OrtMemoryInfo* memory)
    : memory_(memory), allocator_(new Ort::Allocator(session, memory)) {
  const Ort::ConstMemoryInfo info(memory_);
  on_gpu_ = info.GetDeviceType() == OrtMemoryInfoDeviceType_GPU;
  device_id_ = info.GetDeviceId();
}

DeviceBuffers::~DeviceBuffers() {
  for (void* buffer : buffers_) allocator_->Free(buffer);
}

void* DeviceBuffers::Alloc(size_t bytes) {
  void* buffer = allocator_->Alloc(bytes);
  buffers_.push_back(buffer);
  if (on_gpu_) {
    CudaZero(device_id_, buffer, bytes);
  } else {
    std::memset(buffer, 0, bytes);
  }
  return buffer;
}

}  // namespace loadgen_node
