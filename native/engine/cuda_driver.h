// The few CUDA driver calls the engine makes itself (free memory, zeroing the KV cache), through
// libcuda.so.1 opened at run time: the addon links no CUDA library, so it loads on machines
// without a GPU. Everything else on the device is ONNX Runtime's CUDA provider's business.
#ifndef LOADGEN_NODE_ENGINE_CUDA_DRIVER_H_
#define LOADGEN_NODE_ENGINE_CUDA_DRIVER_H_

#include <cstddef>

namespace loadgen_node {

struct CudaMemoryInfo {
  size_t free_bytes = 0;
  size_t total_bytes = 0;
};

/// Free and total memory of device `ordinal` (in its primary context, the one the CUDA runtime
/// and so ONNX Runtime use). Throws EngineError (ERR_BACKEND_UNAVAILABLE) without a driver or
/// with no such device.
CudaMemoryInfo CudaMemory(int ordinal);

/// Sets `bytes` of device memory at `pointer` to zero and waits until it is done.
void CudaZero(int ordinal, void* pointer, size_t bytes);

/// Copies `bytes` from host memory to device memory; returns when the copy is done.
void CudaCopyToDevice(int ordinal, void* device, const void* host, size_t bytes);

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_CUDA_DRIVER_H_
