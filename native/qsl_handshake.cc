#include "qsl_handshake.h"

#include <mutex>

namespace loadgen_node {

std::atomic<uint64_t> QslHandshake::next_seq_{0};

void QslHandshake::PostAndWait(Kind kind, const std::vector<mlperf::QuerySampleIndex>& indices) {
  std::unique_lock<std::mutex> lock(hand_off_.mutex);
  if (hand_off_.draining) return;
  Request request{kind, &indices, ++next_seq_};
  request_ = &request;
  hand_off_.WakeJsLocked();
  settled_.wait(lock, [&] { return request.done; });
  request_ = nullptr;
}

void QslHandshake::Deliver(Napi::Env env, const Request& request, const Napi::FunctionReference& on_qsl_request) const {
  const std::vector<mlperf::QuerySampleIndex>& source = *request.indices;
  Napi::Uint32Array indices = Napi::Uint32Array::New(env, source.size());
  uint32_t* data = indices.Data();
  for (size_t i = 0; i < source.size(); ++i) data[i] = static_cast<uint32_t>(source[i]);
  const char* kind = request.kind == Kind::kLoad ? "load" : "unload";
  on_qsl_request.Call(
      {Napi::String::New(env, kind), Napi::Number::New(env, static_cast<double>(request.seq)), indices});
}

void QslHandshake::Settle(uint64_t seq) {
  {
    std::lock_guard<std::mutex> lock(hand_off_.mutex);
    if (request_ != nullptr && request_->seq == seq) request_->done = true;
  }
  settled_.notify_all();
}

void QslHandshake::ReleaseWaiter() {
  {
    std::lock_guard<std::mutex> lock(hand_off_.mutex);
    if (request_ != nullptr) request_->done = true;
  }
  settled_.notify_all();
}

}  // namespace loadgen_node
