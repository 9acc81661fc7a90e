// Waits until LoadGen's IO thread has processed everything the calling thread logged so far.
//
// LoadGen 6.0.17 logs `loaded_qsl_set` with a lambda that captures the loaded set's vector by
// reference, and its IO thread runs that lambda up to a poll period (10 ms) later. A run shorter
// than that (a small accuracy run) has freed the vector by then, and the IO thread reads freed
// memory — seen here as a crash. Holding LoadSamplesToRam until the entry has been written keeps
// the vector alive long enough; it costs at most one poll period per loaded set
// (docs/design.md §8).
#ifndef LOADGEN_NODE_LOG_BARRIER_H_
#define LOADGEN_NODE_LOG_BARRIER_H_

#include <future>

#include "logging.h"

namespace loadgen_node {

inline void WaitUntilLoadgenLoggedThisThread() {
  std::promise<void> written;
  std::future<void> done = written.get_future();
  // Entries of one thread are processed in order: when this one runs, the earlier ones have.
  mlperf::logging::Log([&written](mlperf::logging::AsyncLog&) { written.set_value(); });
  done.wait();
}

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_LOG_BARRIER_H_
