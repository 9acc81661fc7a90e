// The C++ reference of the null-SUT benchmark: LoadGen's limit on this machine. Linked to the
// same LoadGen build as the addon. Each SUT completes samples inside IssueQuery.
//
//   null_sut_cpp <SingleStream|Server|Offline> <outdir> <min_duration_ms> [server_target_qps]
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "loadgen.h"
#include "query_sample.h"
#include "query_sample_library.h"
#include "system_under_test.h"
#include "test_settings.h"

namespace {

class NullSut : public mlperf::SystemUnderTest {
 public:
  const std::string& Name() override { return name_; }
  void IssueQuery(const std::vector<mlperf::QuerySample>& samples) override {
    responses_.resize(samples.size());
    for (size_t i = 0; i < samples.size(); ++i) responses_[i] = mlperf::QuerySampleResponse(samples[i].id, 0, 0);
    mlperf::QuerySamplesComplete(responses_.data(), responses_.size());
  }
  void FlushQueries() override {}

 private:
  std::string name_ = "NullSutCpp";
  std::vector<mlperf::QuerySampleResponse> responses_;
};

class NullQsl : public mlperf::QuerySampleLibrary {
 public:
  const std::string& Name() override { return name_; }
  size_t TotalSampleCount() override { return 1024; }
  size_t PerformanceSampleCount() override { return 1024; }
  void LoadSamplesToRam(const std::vector<mlperf::QuerySampleIndex>&) override {}
  void UnloadSamplesFromRam(const std::vector<mlperf::QuerySampleIndex>&) override {}

 private:
  std::string name_ = "NullQslCpp";
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: null_sut_cpp <SingleStream|Server|Offline> <outdir> <min_duration_ms> [server_target_qps]\n";
    return 2;
  }
  const std::string scenario = argv[1];
  mlperf::TestSettings settings;
  settings.mode = mlperf::TestMode::PerformanceOnly;
  settings.min_duration_ms = std::strtoull(argv[3], nullptr, 10);
  if (scenario == "SingleStream") {
    settings.scenario = mlperf::TestScenario::SingleStream;
    settings.single_stream_expected_latency_ns = 1000;
  } else if (scenario == "Server") {
    settings.scenario = mlperf::TestScenario::Server;
    settings.server_target_qps = argc > 4 ? std::strtod(argv[4], nullptr) : 1000;
    settings.server_target_latency_ns = 10000000;
  } else if (scenario == "Offline") {
    settings.scenario = mlperf::TestScenario::Offline;
    settings.offline_expected_qps = argc > 4 ? std::strtod(argv[4], nullptr) : 1000;
  } else {
    std::cerr << "unknown scenario " << scenario << "\n";
    return 2;
  }
  mlperf::LogSettings log_settings;
  log_settings.log_output.outdir = argv[2];
  log_settings.enable_trace = false;
  NullSut sut;
  NullQsl qsl;
  mlperf::StartTest(&sut, &qsl, settings, log_settings);
  return 0;
}
