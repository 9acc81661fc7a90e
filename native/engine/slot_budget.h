// How many KV slots fit: the free memory of the device after the model is loaded, less a reserve
// for what a run allocates besides the cache (logits, activations, kernel workspace), divided by
// what one slot costs.
#ifndef LOADGEN_NODE_ENGINE_SLOT_BUDGET_H_
#define LOADGEN_NODE_ENGINE_SLOT_BUDGET_H_

#include <cstddef>

#include "session_settings.h"

namespace loadgen_node {

struct SlotBudgetInput {
  Device device = Device::kCpu;
  int requested_slots = 0;
  int max_length = 0;
  int vocab_size = 0;
  int attention_heads = 0;  // 0 when unknown
  size_t logits_element_bytes = 0;
  size_t bytes_per_slot = 0;
  size_t free_bytes = 0;  // already capped by the caller's limit, if any
};

struct SlotBudget {
  size_t reserve_bytes = 0;
  int fit = 0;    // slots the free memory holds after the reserve
  int slots = 0;  // min(requested, fit)
};

SlotBudget ComputeSlotBudget(const SlotBudgetInput& input);

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_SLOT_BUDGET_H_
