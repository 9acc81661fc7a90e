// Response ids as JS sees them.
//
// LoadGen's ResponseId is the address of an internal struct: handing a wrong one back would make
// LoadGen dereference garbage. JS therefore never sees it. Each issued sample gets a ticket
// instead: a slot in this table plus the slot's generation, packed into one integer that is exact
// in a double (gen * 2^32 + slot, gen < 2^21). Completing looks the ticket up, so an unknown,
// stale or already completed id is detected before anything reaches LoadGen.
//
// Only the JS thread touches the table: tickets are handed out when a batch is delivered to JS
// and returned when JS completes them.
#ifndef LOADGEN_NODE_TICKET_TABLE_H_
#define LOADGEN_NODE_TICKET_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "query_sample.h"

namespace loadgen_node {

class TicketTable {
 public:
  enum class State : uint8_t {
    kFree,           // completed (or never used); the generation still names the last holder
    kOutstanding,    // issued to JS, not completed
    kFirstToken,     // issued, first token reported
    kClaimed,        // being completed by the call in progress (detects duplicates in one batch)
    kDrained,        // completed by the binding after an abort; late completions are ignored
  };

  enum class Lookup { kOk, kMalformed, kUnknown, kAlreadyCompleted, kDrained };

  /// Hands out a ticket for a sample LoadGen just issued.
  double Issue(mlperf::ResponseId response_id);

  /// Finds the slot a ticket names; `slot` is set whenever the ticket names a live generation.
  Lookup Find(double ticket, uint32_t* slot) const;

  State StateOf(uint32_t slot) const { return slots_[slot].state; }
  void SetState(uint32_t slot, State state) { slots_[slot].state = state; }
  mlperf::ResponseId ResponseIdOf(uint32_t slot) const { return slots_[slot].response_id; }

  /// Returns a slot to the pool (after its sample was completed).
  void Release(uint32_t slot);

  /// Calls fn(slot) for every slot that is issued and not yet completed.
  template <typename Fn>
  void ForEachOutstanding(Fn&& fn) const {
    for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
      State state = slots_[slot].state;
      if (state == State::kOutstanding || state == State::kFirstToken) fn(slot);
    }
  }

  /// Marks a slot as completed by the binding itself (after an abort). The slot goes back to the
  /// pool, but until it is handed out again a late completion of its ticket is quietly ignored.
  void Drain(uint32_t slot);

  size_t outstanding() const { return outstanding_; }

 private:
  struct Slot {
    mlperf::ResponseId response_id = 0;
    uint32_t generation = 0;
    State state = State::kFree;
  };

  std::vector<Slot> slots_;
  // Oldest freed slot first, so a completed ticket stays recognisable as completed for as long
  // as possible before its slot is handed out again.
  std::deque<uint32_t> free_;
  size_t outstanding_ = 0;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_TICKET_TABLE_H_
