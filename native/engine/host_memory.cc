#include "host_memory.h"

#include <fstream>
#include <sstream>
#include <string>

namespace loadgen_node {

HostMemoryInfo HostMemory() {
  HostMemoryInfo info;
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    std::istringstream fields(line);
    std::string key;
    size_t kib = 0;
    fields >> key >> kib;
    if (key == "MemAvailable:") info.available_bytes = kib * 1024;
    if (key == "MemTotal:") info.total_bytes = kib * 1024;
  }
  return info;
}

}  // namespace loadgen_node
