// A lock-free hand-off of one query at a time from LoadGen's thread to the JS thread.
//
// In SingleStream and MultiStream LoadGen issues a query only after the previous one completed,
// so there is never more than one query in flight, and a single slot is enough. Skipping the
// mailbox lock saves several cache-line transfers per query, which is most of what a
// SingleStream query costs beyond LoadGen itself. Queries larger than the slot, and every other
// scenario, go through the mailbox (docs/design.md §3).
#ifndef LOADGEN_NODE_QUERY_LANE_H_
#define LOADGEN_NODE_QUERY_LANE_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "query_sample.h"

namespace loadgen_node {

class QueryLane {
 public:
  // SingleStream issues 1 sample per query and MultiStream multi_stream_samples_per_query
  // (LoadGen's default 8); 64 leaves room for larger MultiStream queries while the slot stays
  // 1 KiB (16 cache lines) that LoadGen's thread writes and the JS thread reads.
  static constexpr size_t kCapacity = 64;

  static bool Fits(size_t count) { return count <= kCapacity; }

  /// LoadGen's thread: publishes a query. The previous one must have been taken.
  void Publish(const mlperf::QuerySample* samples, size_t count) {
    std::copy(samples, samples + count, samples_);
    count_ = count;
    published_.fetch_add(1, std::memory_order_seq_cst);
  }

  // Sequentially consistent throughout: each side stores a flag and then reads the other's
  // (publish / js_polling_, draining_ / take), which needs store-load ordering.
  bool HasQuery() const { return published_.load(std::memory_order_seq_cst) != taken_.load(std::memory_order_seq_cst); }

  /// Either thread: claims the published query; exactly one claimant wins. The samples stay
  /// valid until the query is completed (LoadGen publishes nothing before that).
  bool Take(const mlperf::QuerySample** samples, size_t* count) {
    uint64_t taken = taken_.load(std::memory_order_seq_cst);
    const uint64_t published = published_.load(std::memory_order_seq_cst);
    if (published == taken || !taken_.compare_exchange_strong(taken, published, std::memory_order_seq_cst))
      return false;
    *samples = samples_;
    *count = count_;
    return true;
  }

 private:
  alignas(64) std::atomic<uint64_t> published_{0};
  alignas(64) std::atomic<uint64_t> taken_{0};
  alignas(64) size_t count_ = 0;
  mlperf::QuerySample samples_[kCapacity];
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_QUERY_LANE_H_
