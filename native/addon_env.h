// Per-environment state of the addon (the main thread and each worker thread have their own).
#ifndef LOADGEN_NODE_ADDON_ENV_H_
#define LOADGEN_NODE_ADDON_ENV_H_

#include "napi_setup.h"
#include "ticket_table.h"

namespace loadgen_node {

class TestRun;

struct AddonEnv {
  TicketTable tickets;
  /// The test this environment started and that has not finished yet, if any.
  TestRun* run = nullptr;
};

inline AddonEnv& GetAddonEnv(Napi::Env env) { return *env.GetInstanceData<AddonEnv>(); }

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ADDON_ENV_H_
