// One LoadGen test, from startTest() to the settled promise: owns the parts of a run and wires
// them together (docs/design.md §1 maps the jobs to the files).
//
//  - StartConfig (start_config.h): what startTest(config) asked for; read-only afterwards.
//  - HandOff (hand_off.h): the mailbox, the lane and the wake-up channel both threads share.
//  - QslHandshake (qsl_handshake.h): loads and unloads, which LoadGen's thread waits for.
//  - Drain (drain.h): ending a run early, since LoadGen cannot stop a test.
//  - LoadgenSide (loadgen_side.h): LoadGen's thread and what the SUT/QSL bridges call on it.
//  - JsDelivery (js_delivery.h): the JS thread's deliveries and busy-polling.
//  - Teardown (teardown.h): settling the promise, joining LoadGen's thread, freeing the run.
//
// Completions are plain synchronous calls from JS into LoadGen (completion.cc); they only
// report their counts here.
#ifndef LOADGEN_NODE_TEST_RUN_H_
#define LOADGEN_NODE_TEST_RUN_H_

#include <atomic>
#include <cstddef>

#include "drain.h"
#include "hand_off.h"
#include "js_delivery.h"
#include "loadgen_side.h"
#include "napi_setup.h"
#include "qsl_handshake.h"
#include "start_config.h"
#include "teardown.h"

namespace loadgen_node {

struct AddonEnv;

class TestRun {
 public:
  /// Exports: startTest(config), abortTest(reason, waitForLoadgen?), settleQslRequest(seq).
  static void Init(Napi::Env env, Napi::Object exports);

  // ---- JS thread, from completion.cc ----
  /// Counts samples JS completed (statistics, and the signal LoadGen's thread polls for).
  void CountCompletedByJs(size_t count) {
    hand_off_.samples_completed_by_js.fetch_add(count, std::memory_order_release);
  }
  void CountLateCompletions(size_t count) { drain_.CountLateCompletions(count); }

  // ---- The parts, for the wake-up callback and Teardown ----
  AddonEnv& owner() { return owner_; }
  const StartConfig& config() const { return config_; }
  const HandOff& hand_off() const { return hand_off_; }
  Drain& drain() { return drain_; }
  LoadgenSide& loadgen() { return loadgen_; }
  JsDelivery& delivery() { return delivery_; }
  Teardown& teardown() { return teardown_; }

 private:
  TestRun(Napi::Env env, AddonEnv& owner, StartConfig config);

  static Napi::Value Start(const Napi::CallbackInfo& info);
  static Napi::Value Abort(const Napi::CallbackInfo& info);
  static Napi::Value SettleQslRequest(const Napi::CallbackInfo& info);

  // In construction order: each part refers only to parts declared before it. Parts written by
  // different threads start on cache lines of their own (docs/design.md §3.3): LoadGen's thread
  // reads loadgen_ on every issue while the JS thread writes delivery_ on every delivery.
  AddonEnv& owner_;
  const StartConfig config_;
  HandOff hand_off_;
  alignas(64) QslHandshake qsl_;
  alignas(64) Drain drain_;
  alignas(64) LoadgenSide loadgen_;
  alignas(64) JsDelivery delivery_;
  alignas(64) Teardown teardown_;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_TEST_RUN_H_
