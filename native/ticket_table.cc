#include "ticket_table.h"

#include <algorithm>
#include <atomic>
#include <cmath>

namespace loadgen_node {

class TicketTable::Batch {
 public:
  uint64_t first = 0;  // ticket of sample 0
  uint32_t count = 0;
  uint32_t remaining = 0;  // samples not completed yet
  SampleVector samples;    // as LoadGen issued them: its response id and the QSL index
  std::vector<State> states;

  bool Holds(uint64_t ticket) const { return ticket >= first && ticket - first < count; }
};

namespace {
constexpr double kTicketLimit = 9007199254740992.0;  // 2^53: tickets stay exact in a double
// Retired batches kept for reuse: SingleStream and Server make one small batch per delivery, and
// reusing one (its state vector, and the sample storage it swaps back) spares two allocations
// per query. The caps bound what is kept: 64 batches of at most 4096 samples (17 bytes each) is
// about 4.5 MB at worst, while an Offline-size batch is freed, not kept for a shape that comes
// once per run (docs/design.md §6).
constexpr size_t kSpareBatches = 64;
constexpr uint32_t kSpareBatchMaxSamples = 4096;
}  // namespace

namespace {
constexpr unsigned kCounterBits = 40;  // 1.1e12 tickets per table
// Table numbers 1 .. 8191: the largest ticket stays below 2^53, exact in a double. The 8192nd table
// made in a process reuses number 1.
constexpr uint64_t kTables = (uint64_t{1} << 13) - 1;
std::atomic<uint64_t> tables_made{0};
}  // namespace

TicketTable::TicketTable()
    : base_(((tables_made.fetch_add(1) % kTables) + 1) << kCounterBits), next_ticket_(base_ + 1) {}
TicketTable::~TicketTable() = default;

TicketTable::Batch* TicketTable::NewBatch(SampleVector& samples) {
  const size_t count = samples.size();
  std::unique_ptr<Batch> batch;
  if (!spare_.empty()) {
    batch = std::move(spare_.back());
    spare_.pop_back();
  } else {
    batch = std::make_unique<Batch>();
  }
  batch->samples.clear();
  batch->samples.swap(samples);
  batch->states.assign(count, State::kOutstanding);
  batch->count = static_cast<uint32_t>(count);
  batch->remaining = static_cast<uint32_t>(count);
  batch->first = next_ticket_;
  next_ticket_ += count;
  live_.push_back(std::move(batch));
  return live_.back().get();
}

void TicketTable::Issue(SampleVector& samples, double* tickets) {
  const size_t count = samples.size();
  if (count == 0) return;
  Batch* batch = NewBatch(samples);
  const double first = static_cast<double>(batch->first);
  for (size_t i = 0; i < count; ++i) tickets[i] = first + static_cast<double>(i);
  outstanding_ += count;
}

TicketTable::Lookup TicketTable::Find(double value, Slot* slot) {
  if (!(value >= 1 && value < kTicketLimit) || std::floor(value) != value) return Lookup::kMalformed;
  const uint64_t ticket = static_cast<uint64_t>(value);
  if (ticket <= base_ || ticket >= next_ticket_) return Lookup::kUnknown;
  size_t position = last_hit_;
  if (position >= live_.size() || !live_[position]->Holds(ticket)) {
    // Live batches are ordered by first ticket: find the last one starting at or before it.
    auto after = std::upper_bound(live_.begin(), live_.end(), ticket,
                                  [](uint64_t t, const std::unique_ptr<Batch>& b) { return t < b->first; });
    if (after == live_.begin() || !(*(after - 1))->Holds(ticket)) {
      auto drained = std::upper_bound(drained_.begin(), drained_.end(), std::make_pair(ticket, UINT64_MAX));
      if (drained != drained_.begin() && ticket < (drained - 1)->second) return Lookup::kDrained;
      return Lookup::kAlreadyCompleted;  // issued (tickets are never reused) and its batch is done
    }
    position = static_cast<size_t>(after - live_.begin()) - 1;
    last_hit_ = position;
  }
  Batch* batch = live_[position].get();
  const uint32_t index = static_cast<uint32_t>(ticket - batch->first);
  slot->batch = batch;
  slot->index = index;
  switch (batch->states[index]) {
    case State::kOutstanding:
    case State::kFirstToken:
      return Lookup::kOk;
    case State::kClaimed:
    case State::kClaimedAfterFirstToken:
      return Lookup::kRepeated;
    default:
      return Lookup::kAlreadyCompleted;
  }
}

TicketTable::State TicketTable::StateOf(Slot slot) const { return slot.batch->states[slot.index]; }

void TicketTable::Claim(Slot slot) {
  State& state = slot.batch->states[slot.index];
  state = state == State::kFirstToken ? State::kClaimedAfterFirstToken : State::kClaimed;
}

void TicketTable::Unclaim(Slot slot) {
  State& state = slot.batch->states[slot.index];
  state = state == State::kClaimedAfterFirstToken ? State::kFirstToken : State::kOutstanding;
}

void TicketTable::FirstTokenReported(Slot slot) { slot.batch->states[slot.index] = State::kFirstToken; }

mlperf::ResponseId TicketTable::ResponseIdOf(Slot slot) const { return slot.batch->samples[slot.index].id; }

void TicketTable::Complete(Slot slot) {
  slot.batch->states[slot.index] = State::kCompleted;
  if (--slot.batch->remaining == 0) finished_.push_back(slot.batch);
  --outstanding_;
}

bool TicketTable::ClaimRun(double first, size_t count, Claimable claimable, Run* run) {
  Slot slot{};
  if (count == 0 || Find(first, &slot) != Lookup::kOk) return false;
  Batch* batch = slot.batch;
  if (slot.index + count > batch->count) return false;
  State* states = batch->states.data() + slot.index;
  for (size_t i = 0; i < count; ++i) {
    const bool fits = states[i] == State::kOutstanding
                          ? claimable != Claimable::kWithFirstToken
                          : states[i] == State::kFirstToken && claimable != Claimable::kWithoutFirstToken;
    if (!fits) return false;
  }
  for (size_t i = 0; i < count; ++i)
    states[i] = states[i] == State::kFirstToken ? State::kClaimedAfterFirstToken : State::kClaimed;
  run->batch = batch;
  run->start = slot.index;
  run->count = static_cast<uint32_t>(count);
  return true;
}

const mlperf::QuerySample* TicketTable::RunSamples(const Run& run) const {
  return run.batch->samples.data() + run.start;
}

void TicketTable::CompleteRun(const Run& run) {
  std::fill_n(run.batch->states.begin() + run.start, run.count, State::kCompleted);
  run.batch->remaining -= run.count;
  if (run.batch->remaining == 0) finished_.push_back(run.batch);
  outstanding_ -= run.count;
}

void TicketTable::FirstTokensReportedRun(const Run& run) {
  std::fill_n(run.batch->states.begin() + run.start, run.count, State::kFirstToken);
}

void TicketTable::Sweep() {
  if (finished_.empty()) return;
  // Only the batches that just finished: a Server run keeps hundreds of queries in flight, and
  // scanning them all after every completion would make completing quadratic.
  for (Batch* batch : finished_) {
    auto position = std::lower_bound(live_.begin(), live_.end(), batch->first,
                                     [](const std::unique_ptr<Batch>& b, uint64_t first) { return b->first < first; });
    std::unique_ptr<Batch> retired = std::move(*position);
    live_.erase(position);
    if (spare_.size() < kSpareBatches && retired->count <= kSpareBatchMaxSamples) spare_.push_back(std::move(retired));
  }
  finished_.clear();
  last_hit_ = live_.empty() ? 0 : live_.size() - 1;
}

void TicketTable::ForEachOutstandingInternal(void (*visit)(void*, mlperf::ResponseId, bool), void* context) {
  for (const std::unique_ptr<Batch>& batch : live_) {
    for (uint32_t i = 0; i < batch->count; ++i) {
      State state = batch->states[i];
      if (state == State::kOutstanding || state == State::kFirstToken)
        visit(context, batch->samples[i].id, state == State::kFirstToken);
    }
    drained_.emplace_back(batch->first, batch->first + batch->count);
  }
  std::sort(drained_.begin(), drained_.end());
  live_.clear();
  finished_.clear();
  last_hit_ = 0;
  outstanding_ = 0;
}

}  // namespace loadgen_node
