// Per-environment state of the addon (the main thread and each worker thread have their own).
#ifndef LOADGEN_NODE_ADDON_ENV_H_
#define LOADGEN_NODE_ADDON_ENV_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "delivery_arena.h"
#include "napi_setup.h"
#include "query_sample.h"
#include "ticket_table.h"

namespace loadgen_node {

class TestRun;

struct AddonEnv {
  TicketTable tickets;
  DeliveryArena arena;
  // Scratch space of the completion calls, kept to avoid allocating per call.
  std::vector<mlperf::QuerySampleResponse> responses;
  std::vector<TicketTable::Slot> claimed;
  /// The test this environment started and that has not finished yet, if any.
  TestRun* run = nullptr;
  /// The generation engine's JS class (engine/engine_binding.cc).
  Napi::FunctionReference engine_class;
};

inline AddonEnv& GetAddonEnv(Napi::Env env) { return *env.GetInstanceData<AddonEnv>(); }

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ADDON_ENV_H_
