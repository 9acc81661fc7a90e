#include "slot_budget.h"

#include <algorithm>
#include <limits>

namespace loadgen_node {

namespace {

constexpr size_t kMiB = size_t{1} << 20;
// CUDA: activations of a full-length prefill (Llama-3.1-8B at 2540 tokens: about 75 MB for the
// widest MLP tensor, a few such at once), cuBLAS/cuDNN workspaces and the arena's rounding.
constexpr size_t kCudaWorkspaceBytes = 1024 * kMiB;
// CPU: activations and the thread pools' scratch; the attention scores are counted separately.
constexpr size_t kCpuWorkspaceBytes = 256 * kMiB;

}  // namespace

SlotBudget ComputeSlotBudget(const SlotBudgetInput& input) {
  SlotBudget budget;
  const size_t vocab = static_cast<size_t>(input.vocab_size);
  const size_t length = static_cast<size_t>(input.max_length);
  // A prefill returns logits for every prompt position ([1, length, vocab]); a decode step one
  // row per slot.
  budget.reserve_bytes = (length + static_cast<size_t>(input.requested_slots)) * vocab * input.logits_element_bytes;
  if (input.device == Device::kCuda) {
    budget.reserve_bytes += kCudaWorkspaceBytes;
  } else {
    // The CPU GroupQueryAttention kernel keeps float scores [heads, length, max_length].
    budget.reserve_bytes += kCpuWorkspaceBytes + static_cast<size_t>(input.attention_heads) * length * length * 4;
  }
  if (input.free_bytes > budget.reserve_bytes && input.bytes_per_slot > 0) {
    const size_t fit = (input.free_bytes - budget.reserve_bytes) / input.bytes_per_slot;
    budget.fit = static_cast<int>(std::min<size_t>(fit, std::numeric_limits<int>::max()));
  }
  budget.slots = std::min(input.requested_slots, budget.fit);
  return budget;
}

}  // namespace loadgen_node
