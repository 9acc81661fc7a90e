// LoadGen's SystemUnderTest, forwarding every call to LoadGen's side of the run
// (loadgen_side.h).
#ifndef LOADGEN_NODE_SUT_BRIDGE_H_
#define LOADGEN_NODE_SUT_BRIDGE_H_

#include <string>
#include <vector>

#include "loadgen_side.h"
#include "start_config.h"
#include "system_under_test.h"

namespace loadgen_node {

class SutBridge : public mlperf::SystemUnderTest {
 public:
  explicit SutBridge(LoadgenSide& side) : side_(side) {}

  // LoadGen asks for the name right after it opened its logs.
  const std::string& Name() override {
    side_.NoteLoggingStarted();
    return side_.config().sut_name;
  }
  void IssueQuery(const std::vector<mlperf::QuerySample>& samples) override { side_.IssueFromLoadgen(samples); }
  void FlushQueries() override { side_.FlushFromLoadgen(); }

 private:
  LoadgenSide& side_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_SUT_BRIDGE_H_
