// Bounded busy-waiting for the hand-off between LoadGen's thread and the JS thread.
//
// A sleeping thread takes tens of microseconds to wake, more than LoadGen spends on a whole
// query. Where the other side is expected to answer within microseconds (a SUT that completed
// its last query synchronously), each side spins briefly before falling back to blocking
// (docs/design.md §5).
#ifndef LOADGEN_NODE_SPIN_WAIT_H_
#define LOADGEN_NODE_SPIN_WAIT_H_

#include <chrono>
#include <cstdint>
#include <thread>

namespace loadgen_node {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield");
#endif
}

/// Spins until done() is true or `window_ns` has passed; returns done().
template <typename Done>
bool SpinUntil(Done&& done, uint64_t window_ns) {
  if (done()) return true;
  if (window_ns == 0) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(window_ns);
  for (uint32_t i = 1;; ++i) {
    if (done()) return true;
    // The clock only every 256 spins: reading it each time would cost more than the spin.
    if ((i & 255) == 0) {
      if (std::chrono::steady_clock::now() >= deadline) return done();
      // Let LoadGen's IO thread run if it is waiting for a core: with more busy threads than
      // cores, spinning would otherwise starve it.
      std::this_thread::yield();
    } else {
      CpuRelax();
    }
  }
}

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_SPIN_WAIT_H_
