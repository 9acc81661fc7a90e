#include "js_delivery.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "addon_env.h"
#include "drain.h"
#include "hand_off.h"
#include "qsl_handshake.h"
#include "spin_wait.h"
#include "start_config.h"

namespace loadgen_node {

namespace {

// How long one delivery may keep the JS thread while it polls for further queries, before it
// returns to the event loop so timers and I/O run.
constexpr auto kPollSlice = std::chrono::milliseconds(1);

}  // namespace

bool JsDelivery::DeliverMailbox(Napi::Env env) {
  const auto slice_end = std::chrono::steady_clock::now() + kPollSlice;
  std::unique_lock<std::mutex> lock(hand_off_.mutex);
  for (;;) {
    // HandOff::mutex is held here.
    size_t flushes = 0;
    QslHandshake::Request* request = nullptr;
    hand_off_.wake_pending = false;
    const bool finished = hand_off_.finished;
    if (!hand_off_.draining) {
      in_delivery_.swap(hand_off_.pending);
      in_delivery_sizes_.swap(hand_off_.pending_query_sizes);
      flushes = hand_off_.pending_flushes;
      hand_off_.pending_flushes = 0;
      request = qsl_.TakeUndeliveredLocked();
    }
    lock.unlock();
    try {
      // The lane before the mailbox's events: they were posted after it.
      const mlperf::QuerySample* lane_samples = nullptr;
      size_t lane_count = 0;
      if (config_.loadgen_awaits_each_query && !hand_off_.draining && hand_off_.lane.Take(&lane_samples, &lane_count)) {
        lane_delivery_.assign(lane_samples, lane_samples + lane_count);
        DeliverSamples(env, lane_delivery_, nullptr);
      }
      if (!in_delivery_.empty()) DeliverSamples(env, in_delivery_, &in_delivery_sizes_);
      in_delivery_.clear();
      in_delivery_sizes_.clear();
      for (size_t i = 0; i < flushes && !hand_off_.draining; ++i) config_.on_flush.Call({});
      // Only this thread starts a drain, and until then LoadGen's thread is waiting on the request.
      if (request != nullptr && !hand_off_.draining) qsl_.Deliver(env, *request, config_.on_qsl_request);
    } catch (const Napi::Error& error) {
      Fail(error);
      // Samples taken from the mailbox or the lane but not handed out yet: nobody else knows
      // of them, so complete them here (ticketed ones were drained by Fail).
      for (SampleVector* taken : {&lane_delivery_, &in_delivery_}) {
        drain_.CompleteOnJsThread(taken->data(), taken->size());
        taken->clear();
      }
      in_delivery_sizes_.clear();
    }
    if (finished) return true;
    if (hand_off_.draining || std::chrono::steady_clock::now() >= slice_end || !PollForMore(lock)) return false;
  }
}

bool JsDelivery::HasWorkLocked() const {
  return !hand_off_.pending.empty() || hand_off_.pending_flushes != 0 || qsl_.HasUndeliveredLocked() ||
         hand_off_.finished || hand_off_.lane.HasQuery();
}

bool JsDelivery::PollForMore(std::unique_lock<std::mutex>& lock) {
  // Only when the SUT answered everything synchronously: the JS thread is idle anyway, and the
  // next query is due within microseconds in SingleStream (or soon, at high Server rates).
  if (config_.poll_window_ns == 0 || owner_.tickets.outstanding() != 0) return false;
  lock.lock();
  if (HasWorkLocked()) return true;
  hand_off_.js_polling = true;
  const uint64_t seen = hand_off_.mailbox_seq.load(std::memory_order_relaxed);
  lock.unlock();
  SpinUntil([&] { return hand_off_.mailbox_seq.load(std::memory_order_acquire) != seen || hand_off_.lane.HasQuery(); },
            config_.poll_window_ns);
  lock.lock();
  hand_off_.js_polling = false;
  if (HasWorkLocked()) return true;
  lock.unlock();
  return false;
}

void JsDelivery::DeliverSamples(Napi::Env env, SampleVector& samples, const std::vector<uint32_t>* query_sizes) {
  const size_t count = samples.size();
  Napi::Float64Array ids = owner_.arena.Float64(env, count);
  Napi::Uint32Array indices = owner_.arena.Uint32(env, count);
  uint32_t* index_data = indices.Data();
  for (size_t i = 0; i < count; ++i) index_data[i] = static_cast<uint32_t>(samples[i].index);
  owner_.tickets.Issue(samples, ids.Data());
  samples_delivered_ += count;
  ++batches_delivered_;
  if (query_sizes == nullptr || query_sizes->size() <= 1) {
    config_.on_issue.Call({ids, indices});
    return;
  }
  Napi::Uint32Array sizes = owner_.arena.Uint32(env, query_sizes->size());
  std::copy(query_sizes->begin(), query_sizes->end(), sizes.Data());
  config_.on_issue.Call({ids, indices, sizes});
}

void JsDelivery::Fail(const Napi::Error& error) {
  if (failure_.IsEmpty()) failure_ = Napi::Persistent(error.Value());
  drain_.Begin("a JavaScript callback threw: " + error.Message());
}

}  // namespace loadgen_node
