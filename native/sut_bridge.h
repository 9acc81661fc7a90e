// LoadGen's SystemUnderTest, forwarding every call to the TestRun that bridges it to JS.
#ifndef LOADGEN_NODE_SUT_BRIDGE_H_
#define LOADGEN_NODE_SUT_BRIDGE_H_

#include <string>
#include <vector>

#include "system_under_test.h"
#include "test_run.h"

namespace loadgen_node {

class SutBridge : public mlperf::SystemUnderTest {
 public:
  explicit SutBridge(TestRun& run) : run_(run) {}

  // LoadGen asks for the name right after it opened its logs.
  const std::string& Name() override {
    run_.NoteLoggingStarted();
    return run_.sut_name();
  }
  void IssueQuery(const std::vector<mlperf::QuerySample>& samples) override { run_.IssueFromLoadgen(samples); }
  void FlushQueries() override { run_.FlushFromLoadgen(); }

 private:
  TestRun& run_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_SUT_BRIDGE_H_
