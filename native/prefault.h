// Populates the pages of a freshly reserved large buffer with one system call.
//
// Offline hands over a million samples at once; the buffers that carry them are tens of
// megabytes, touched for the first time, and taking those page faults one by one costs more
// than the work done on the samples. madvise(MADV_POPULATE_WRITE) (Linux 5.14+) faults the range
// in one go; elsewhere, or if it fails, pages are faulted on first use as usual
// (docs/design.md §7).
#ifndef LOADGEN_NODE_PREFAULT_H_
#define LOADGEN_NODE_PREFAULT_H_

#include <cstddef>
#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace loadgen_node {

inline void PrefaultForWrite(void* start, size_t bytes) {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  // Only the one-off buffers of a large query: below 1 MiB a buffer takes at most 256 faults
  // (4 KiB pages), and the small ones (mailbox, scratch, arena) are reused and faulted once.
  constexpr size_t kWorthIt = 1u << 20;
  if (start == nullptr || bytes < kWorthIt) return;
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t first = (reinterpret_cast<uintptr_t>(start) + page - 1) & ~(page - 1);
  const uintptr_t last = (reinterpret_cast<uintptr_t>(start) + bytes) & ~(page - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_POPULATE_WRITE);
#else
  (void)start;
  (void)bytes;
#endif
}

/// Reserves room for `count` more elements and prefaults it.
template <typename Vector>
void ReserveAndPrefault(Vector& vector, size_t count) {
  const size_t needed = vector.size() + count;
  if (needed <= vector.capacity()) return;
  vector.reserve(needed);
  PrefaultForWrite(vector.data() + vector.size(), (vector.capacity() - vector.size()) * sizeof(*vector.data()));
}

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_PREFAULT_H_
