// A CUDA injection library that sums GPU kernel time by kernel name, for profiling the engine on
// a machine without Nsight: the driver loads it into any CUDA process named by
// CUDA_INJECTION64_PATH, it asks CUPTI for a record of every kernel, and at exit writes
// "count,total_ns,name" lines (busiest first) to $KERNEL_TRACE_OUT.
//
// Built on the GPU machine by bench/gpu/profile.sh against the CUPTI found there; KERNEL_RECORD
// is the newest CUpti_ActivityKernel* struct of that CUPTI (the layout its records have).
#include <cupti.h>
#include <cxxabi.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace {

// Large enough that CUPTI rarely waits for a buffer; periodic flushes keep it from filling.
constexpr size_t kBufferBytes = 8u << 20;
constexpr uint32_t kFlushPeriodMs = 250;
// Demangled template names run to kilobytes; the head names the kernel well enough.
constexpr size_t kNameChars = 160;

struct Totals {
  uint64_t count = 0;
  uint64_t ns = 0;
};

std::mutex mutex;
std::map<std::string, Totals>* totals = new std::map<std::string, Totals>();

std::string Readable(const char* mangled) {
  if (mangled == nullptr) return "?";
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string name = status == 0 && demangled != nullptr ? demangled : mangled;
  free(demangled);
  if (name.size() > kNameChars) name = name.substr(0, kNameChars);
  std::replace(name.begin(), name.end(), ',', ';');
  return name;
}

void CUPTIAPI BufferRequested(uint8_t** buffer, size_t* size, size_t* max_records) {
  *size = kBufferBytes;
  *buffer = static_cast<uint8_t*>(aligned_alloc(8, kBufferBytes));
  *max_records = 0;
}

void CUPTIAPI BufferCompleted(CUcontext, uint32_t, uint8_t* buffer, size_t, size_t valid) {
  CUpti_Activity* record = nullptr;
  std::vector<std::pair<const char*, uint64_t>> kernels;
  while (cuptiActivityGetNextRecord(buffer, valid, &record) == CUPTI_SUCCESS) {
    if (record->kind != CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL && record->kind != CUPTI_ACTIVITY_KIND_KERNEL) continue;
    const auto* kernel = reinterpret_cast<const KERNEL_RECORD*>(record);
    kernels.emplace_back(kernel->name, kernel->end - kernel->start);
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& [name, ns] : kernels) {
      Totals& t = (*totals)[Readable(name)];
      t.count += 1;
      t.ns += ns;
    }
  }
  free(buffer);
}

void WriteTotals() {
  cuptiActivityFlushAll(1);
  const char* path = getenv("KERNEL_TRACE_OUT");
  FILE* out = path != nullptr ? fopen(path, "w") : stderr;
  if (out == nullptr) return;
  std::vector<std::pair<std::string, Totals>> rows;
  {
    std::lock_guard<std::mutex> lock(mutex);
    rows.assign(totals->begin(), totals->end());
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.ns > b.second.ns; });
  fprintf(out, "count,total_ns,name\n");
  for (const auto& [name, t] : rows)
    fprintf(out, "%llu,%llu,%s\n", static_cast<unsigned long long>(t.count), static_cast<unsigned long long>(t.ns),
            name.c_str());
  if (out != stderr) fclose(out);
}

}  // namespace

extern "C" int InitializeInjection(void) {
  if (cuptiActivityRegisterCallbacks(BufferRequested, BufferCompleted) != CUPTI_SUCCESS) return 0;
  if (cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL) != CUPTI_SUCCESS) return 0;
  cuptiActivityFlushPeriod(kFlushPeriodMs);
  atexit(WriteTotals);
  return 1;
}
