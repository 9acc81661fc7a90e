// LoadGen's QuerySampleLibrary, forwarding every call to LoadGen's side of the run
// (loadgen_side.h).
#ifndef LOADGEN_NODE_QSL_BRIDGE_H_
#define LOADGEN_NODE_QSL_BRIDGE_H_

#include <string>
#include <vector>

#include "loadgen_side.h"
#include "log_barrier.h"
#include "query_sample_library.h"
#include "start_config.h"

namespace loadgen_node {

class QslBridge : public mlperf::QuerySampleLibrary {
 public:
  explicit QslBridge(LoadgenSide& side) : side_(side) {}

  const std::string& Name() override { return side_.config().qsl_name; }
  size_t TotalSampleCount() override { return side_.config().total_sample_count; }
  size_t PerformanceSampleCount() override { return side_.config().performance_sample_count; }
  void LoadSamplesToRam(const std::vector<mlperf::QuerySampleIndex>& samples) override {
    side_.QslRequestFromLoadgen(QslHandshake::Kind::kLoad, samples);
    WaitUntilLoadgenLoggedThisThread();
  }
  void UnloadSamplesFromRam(const std::vector<mlperf::QuerySampleIndex>& samples) override {
    side_.QslRequestFromLoadgen(QslHandshake::Kind::kUnload, samples);
  }

 private:
  LoadgenSide& side_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_QSL_BRIDGE_H_
