// How much host memory is available, for sizing the KV cache of the CPU device.
#ifndef LOADGEN_NODE_ENGINE_HOST_MEMORY_H_
#define LOADGEN_NODE_ENGINE_HOST_MEMORY_H_

#include <cstddef>

namespace loadgen_node {

struct HostMemoryInfo {
  size_t available_bytes = 0;  // what the kernel could give without swapping (MemAvailable)
  size_t total_bytes = 0;
};

/// From /proc/meminfo; both 0 where it cannot be read (the caller then trusts the request).
HostMemoryInfo HostMemory();

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_HOST_MEMORY_H_
