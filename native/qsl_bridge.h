// LoadGen's QuerySampleLibrary, forwarding every call to the TestRun that bridges it to JS.
#ifndef LOADGEN_NODE_QSL_BRIDGE_H_
#define LOADGEN_NODE_QSL_BRIDGE_H_

#include <string>
#include <vector>

#include "log_barrier.h"
#include "query_sample_library.h"
#include "test_run.h"

namespace loadgen_node {

class QslBridge : public mlperf::QuerySampleLibrary {
 public:
  explicit QslBridge(TestRun& run) : run_(run) {}

  const std::string& Name() override { return run_.qsl_name(); }
  size_t TotalSampleCount() override { return run_.total_sample_count(); }
  size_t PerformanceSampleCount() override { return run_.performance_sample_count(); }
  void LoadSamplesToRam(const std::vector<mlperf::QuerySampleIndex>& samples) override {
    run_.QslRequestFromLoadgen(TestRun::QslRequestKind::kLoad, samples);
    WaitUntilLoadgenLoggedThisThread();
  }
  void UnloadSamplesFromRam(const std::vector<mlperf::QuerySampleIndex>& samples) override {
    run_.QslRequestFromLoadgen(TestRun::QslRequestKind::kUnload, samples);
  }

 private:
  TestRun& run_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_QSL_BRIDGE_H_
