// Response ids as JS sees them.
//
// LoadGen's ResponseId is the address of an internal struct: handing a wrong one back would make
// LoadGen dereference garbage. JS therefore never sees it. Each delivered batch of samples gets a
// contiguous range of tickets (integers, exact in a double, never reused in a process), and the
// table maps a ticket back to LoadGen's id and the sample's state. An unknown, already completed
// or repeated id is detected before anything reaches LoadGen.
//
// Batches rather than single samples, because Offline delivers a million samples at once: issuing
// and completing must cost a few nanoseconds per sample. Only the JS thread touches the table.
// Why doubles, and why never reused: docs/design.md §6.
#ifndef LOADGEN_NODE_TICKET_TABLE_H_
#define LOADGEN_NODE_TICKET_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "query_sample.h"

namespace loadgen_node {

class TicketTable {
 public:
  enum class State : uint8_t {
    kOutstanding,             // issued to JS, not completed
    kFirstToken,              // issued, first token reported
    kClaimed,                 // being completed by the call in progress (detects repeats within one call)
    kClaimedAfterFirstToken,  // the same, first token reported earlier
    kCompleted,               // completed
  };

  // kRepeated: the sample is already being completed by the call in progress.
  enum class Lookup { kOk, kMalformed, kUnknown, kAlreadyCompleted, kRepeated, kDrained };

  class Batch;
  /// A sample of a live batch.
  struct Slot {
    Batch* batch;
    uint32_t index;
  };

  TicketTable();
  ~TicketTable();

  using SampleVector = std::vector<mlperf::QuerySample>;

  /// Hands out tickets for samples LoadGen just issued; writes sample i's ticket to tickets[i].
  /// Takes the samples' storage (swapping in an empty vector that may have spare capacity).
  void Issue(SampleVector& samples, double* tickets);

  /// Finds the sample a ticket names. `slot` is set when the result is kOk.
  Lookup Find(double ticket, Slot* slot);

  State StateOf(Slot slot) const;
  mlperf::ResponseId ResponseIdOf(Slot slot) const;

  /// Claims an outstanding sample for the completion call in progress.
  void Claim(Slot slot);
  /// Returns a claimed sample to the state it had before Claim().
  void Unclaim(Slot slot);
  /// Marks a claimed sample's first token reported.
  void FirstTokenReported(Slot slot);
  /// Marks a claimed sample completed. Batches with nothing left are retired by Sweep().
  void Complete(Slot slot);
  /// Retires the batches whose last samples Complete()/CompleteRun() just completed.
  void Sweep();

  /// A run of consecutive tickets within one batch, claimed together (see ClaimRun).
  struct Run {
    Batch* batch = nullptr;
    uint32_t start = 0;
    uint32_t count = 0;
  };
  /// Which samples a claim takes: for first tokens, those without one yet; for completions, any
  /// outstanding one, or (token-latency runs) only those whose first token was reported.
  enum class Claimable { kWithoutFirstToken, kAny, kWithFirstToken };
  /// Fast path for a call that completes consecutive tickets [first, first + count) of one live
  /// batch, all claimable: claims them all and returns true. Returns false, changing nothing,
  /// when that is not the case.
  bool ClaimRun(double first, size_t count, Claimable claimable, Run* run);
  /// The samples of a claimed run, in order (their ids are LoadGen's).
  const mlperf::QuerySample* RunSamples(const Run& run) const;
  void CompleteRun(const Run& run);
  void FirstTokensReportedRun(const Run& run);

  /// Completes every outstanding sample on the binding's behalf (after an abort): calls
  /// fn(response_id, first_token_reported) for each, then retires their batches. Later
  /// completions of their tickets are recognised and quietly ignored.
  template <typename Fn>
  void DrainAll(Fn&& fn);

  size_t outstanding() const { return outstanding_; }

 private:
  Batch* NewBatch(SampleVector& samples);
  void ForEachOutstandingInternal(void (*visit)(void*, mlperf::ResponseId, bool), void* context);

  std::vector<std::unique_ptr<Batch>> live_;            // ordered by first ticket
  std::vector<std::unique_ptr<Batch>> spare_;           // retired batches kept for reuse
  std::vector<Batch*> finished_;                        // live batches with nothing left, until Sweep()
  std::vector<std::pair<uint64_t, uint64_t>> drained_;  // [first, end) ticket ranges
  // Tickets carry their table's number above kCounterBits, so a ticket from another thread's
  // table (a worker's, the main thread's) is never mistaken for one of this table's own, e.g. one
  // its aborted run drained.
  uint64_t base_;
  uint64_t next_ticket_;
  size_t last_hit_ = 0;
  size_t outstanding_ = 0;
};

template <typename Fn>
void TicketTable::DrainAll(Fn&& fn) {
  ForEachOutstandingInternal(
      [](void* context, mlperf::ResponseId id, bool first_token) { (*static_cast<Fn*>(context))(id, first_token); },
      &fn);
}

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_TICKET_TABLE_H_
