// How a run ends and what frees it (docs/design.md §10).
//
// Three ways out, each on the JS thread:
//  - LoadGen's StartTest returns: its last wake-up finds the mailbox finished, and Finish()
//    joins LoadGen's thread, unregisters the cleanup hook and settles the promise.
//  - The environment goes away (a worker terminated, the main thread's environment torn down):
//    OnEnvCleanup() drains the run and joins LoadGen's thread; the promise is never settled.
//  - process.exit() on the main thread runs no environment cleanup hooks, so lib/loadgen's exit
//    listener calls abortTest(reason, true): the run drains and OnProcessExit() joins LoadGen's
//    thread before C++ static destructors (LoadGen's logger among them) run.
// In every case the channel's finalizer, OnChannelClosed(), runs last and frees the run.
#ifndef LOADGEN_NODE_TEARDOWN_H_
#define LOADGEN_NODE_TEARDOWN_H_

#include "napi_setup.h"

namespace loadgen_node {

class TestRun;

class Teardown {
 public:
  Teardown(Napi::Env env, TestRun& run) : run_(run), deferred_(Napi::Promise::Deferred::New(env)) {}

  /// LoadGen keeps process-wide singletons (logger, issue controller), so one test at a time per
  /// process, whichever environment (main thread or worker) starts it. ClaimProcess() is false if
  /// a test is running; the claim is released when the run ends or the environment goes away.
  static bool ClaimProcess();
  static void ReleaseProcess();

  /// Registers OnEnvCleanup. Call it after the channel exists: cleanup hooks run in reverse
  /// order of registration, so this one runs before the channel's own.
  void RegisterEnvCleanup(Napi::Env env);
  Napi::Promise promise() const { return deferred_.Promise(); }
  /// Whether the promise was resolved or rejected. Wake-ups can outnumber deliveries (a delivery
  /// may take samples queued after a wake-up), so calls may still arrive after that.
  bool settled() const { return settled_; }

  /// LoadGen's StartTest has returned and everything it sent was delivered.
  void Finish(Napi::Env env);
  /// abortTest(reason, true) from lib/loadgen's process exit listener, after the drain began.
  void OnProcessExit();
  static void OnEnvCleanup(void* arg);
  /// The channel's finalizer: every call on it has been delivered (or dropped at teardown).
  static void OnChannelClosed(Napi::Env env, void* unused, TestRun* run);

 private:
  void Settle(Napi::Env env);

  TestRun& run_;
  Napi::Promise::Deferred deferred_;
  bool settled_ = false;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_TEARDOWN_H_
