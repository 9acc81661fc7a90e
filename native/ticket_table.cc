#include "ticket_table.h"

#include <cmath>

namespace loadgen_node {

namespace {
constexpr double kSlotSpan = 4294967296.0;     // 2^32
constexpr uint32_t kGenerationLimit = 1u << 21;  // keeps gen * 2^32 + slot below 2^53
}  // namespace

double TicketTable::Issue(mlperf::ResponseId response_id) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.front();
    free_.pop_front();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& entry = slots_[slot];
  entry.generation = entry.generation + 1 < kGenerationLimit ? entry.generation + 1 : 1;
  entry.response_id = response_id;
  entry.state = State::kOutstanding;
  ++outstanding_;
  return static_cast<double>(entry.generation) * kSlotSpan + slot;
}

TicketTable::Lookup TicketTable::Find(double ticket, uint32_t* slot) const {
  if (!(ticket >= kSlotSpan) || ticket >= 9007199254740992.0 || std::floor(ticket) != ticket) {
    return Lookup::kMalformed;
  }
  uint64_t bits = static_cast<uint64_t>(ticket);
  uint32_t index = static_cast<uint32_t>(bits & 0xffffffffu);
  uint32_t generation = static_cast<uint32_t>(bits >> 32);
  if (index >= slots_.size() || slots_[index].generation != generation) return Lookup::kUnknown;
  *slot = index;
  switch (slots_[index].state) {
    case State::kFree:
    case State::kClaimed:
      return Lookup::kAlreadyCompleted;
    case State::kDrained:
      return Lookup::kDrained;
    default:
      return Lookup::kOk;
  }
}

void TicketTable::Release(uint32_t slot) {
  slots_[slot].state = State::kFree;
  slots_[slot].response_id = 0;
  free_.push_back(slot);
  --outstanding_;
}

void TicketTable::Drain(uint32_t slot) {
  Release(slot);
  slots_[slot].state = State::kDrained;
}

}  // namespace loadgen_node
