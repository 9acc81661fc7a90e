// The JS thread's side of the hand-off: takes what LoadGen's thread left in the mailbox and the
// lane and calls JS with it (docs/design.md §4 and §5).
//
// One wake-up delivers everything queued by then: samples as typed arrays of tickets and
// indices in one onIssue call, then flushes, then a QSL request. If the SUT completed
// everything synchronously, the JS thread then spins briefly for LoadGen's next event instead
// of returning to the event loop, for at most one poll slice.
#ifndef LOADGEN_NODE_JS_DELIVERY_H_
#define LOADGEN_NODE_JS_DELIVERY_H_

#include <cstdint>
#include <mutex>
#include <vector>

#include "napi_setup.h"
#include "query_sample.h"

namespace loadgen_node {

struct AddonEnv;
class Drain;
struct HandOff;
class QslHandshake;
struct StartConfig;

class JsDelivery {
 public:
  JsDelivery(const StartConfig& config, HandOff& hand_off, QslHandshake& qsl, Drain& drain, AddonEnv& owner)
      : config_(config), hand_off_(hand_off), qsl_(qsl), drain_(drain), owner_(owner) {}

  /// Delivers what the mailbox and the lane hold, then polls for more while it is worth it.
  /// Returns true when LoadGen's StartTest had returned and its last events were delivered: the
  /// run may be settled now.
  bool DeliverMailbox(Napi::Env env);

  /// The first error a JS callback threw, or empty.
  const Napi::ObjectReference& failure() const { return failure_; }
  uint64_t batches_delivered() const { return batches_delivered_; }
  uint64_t samples_delivered() const { return samples_delivered_; }

 private:
  using SampleVector = std::vector<mlperf::QuerySample>;

  /// After a delivery the SUT completed synchronously: spins briefly for LoadGen's next issue.
  /// Returns true, with `lock` (of HandOff::mutex) held, if something arrived; false, unlocked,
  /// if the JS thread should return to the event loop (LoadGen then wakes it through the
  /// channel).
  bool PollForMore(std::unique_lock<std::mutex>& lock);
  /// Whether the mailbox or the lane holds anything. HandOff::mutex held.
  bool HasWorkLocked() const;
  /// Hands samples to JS; takes their storage (the ticket table keeps it). `query_sizes` splits
  /// them into LoadGen's queries; JS gets it only when there is more than one query.
  void DeliverSamples(Napi::Env env, SampleVector& samples, const std::vector<uint32_t>* query_sizes);
  /// Keeps the first error and drains the run.
  void Fail(const Napi::Error& error);

  const StartConfig& config_;
  HandOff& hand_off_;
  QslHandshake& qsl_;
  Drain& drain_;
  AddonEnv& owner_;
  // JS thread only.
  Napi::ObjectReference failure_;
  SampleVector in_delivery_;                 // swapped with HandOff::pending; its storage moves on to the ticket table
  std::vector<uint32_t> in_delivery_sizes_;  // swapped with HandOff::pending_query_sizes
  SampleVector lane_delivery_;               // a query taken from the lane
  uint64_t batches_delivered_ = 0;
  uint64_t samples_delivered_ = 0;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_JS_DELIVERY_H_
