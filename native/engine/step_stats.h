// Time spent in prefills and decode steps, measured on the engine thread around the runs
// themselves (decoder and arg-max), so a benchmark sees the engine's own cost per step without
// the JS side. Decode steps are grouped by how many requests they advanced.
#ifndef LOADGEN_NODE_ENGINE_STEP_STATS_H_
#define LOADGEN_NODE_ENGINE_STEP_STATS_H_

#include <cstdint>
#include <mutex>
#include <vector>

namespace loadgen_node {

class StepStats {
 public:
  struct Bucket {
    uint64_t runs = 0;
    uint64_t nanoseconds = 0;
  };
  struct Snapshot {
    Bucket prefill;
    uint64_t prefill_tokens = 0;
    std::vector<Bucket> decode;  // by busy rows (index 0 unused)
  };

  explicit StepStats(int slots) { snapshot_.decode.resize(slots + 1); }

  void AddPrefill(int tokens, uint64_t nanoseconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    snapshot_.prefill.runs += 1;
    snapshot_.prefill.nanoseconds += nanoseconds;
    snapshot_.prefill_tokens += tokens;
  }
  void AddDecode(int busy_rows, uint64_t nanoseconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    Bucket& bucket = snapshot_.decode[busy_rows];
    bucket.runs += 1;
    bucket.nanoseconds += nanoseconds;
  }
  Snapshot Take(bool reset) {
    std::lock_guard<std::mutex> lock(mutex_);
    Snapshot copy = snapshot_;
    if (reset) {
      const size_t size = snapshot_.decode.size();
      snapshot_ = Snapshot();
      snapshot_.decode.resize(size);
    }
    return copy;
  }

 private:
  std::mutex mutex_;
  Snapshot snapshot_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_STEP_STATS_H_
