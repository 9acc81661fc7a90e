#include "delivery_arena.h"

#include <algorithm>

#include "prefault.h"

namespace loadgen_node {

namespace {
// One buffer serves 16,384 single-sample deliveries (8 bytes of ticket plus 4 of index, each
// rounded to 8), so SingleStream allocates an ArrayBuffer once per 16 k queries; and a buffer a
// forgotten view keeps alive costs only 256 KiB. Larger deliveries get a buffer of their own.
constexpr size_t kArenaBytes = 256 * 1024;
}  // namespace

size_t DeliveryArena::Reserve(Napi::Env env, size_t bytes) {
  bytes = (bytes + 7) & ~static_cast<size_t>(7);
  if (buffer_.IsEmpty() || cursor_ + bytes > capacity_) {
    capacity_ = std::max(kArenaBytes, bytes);
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, capacity_);
    PrefaultForWrite(buffer.Data(), capacity_);
    buffer_ = Napi::Persistent(buffer);
    cursor_ = 0;
  }
  size_t offset = cursor_;
  cursor_ += bytes;
  return offset;
}

Napi::Float64Array DeliveryArena::Float64(Napi::Env env, size_t count) {
  size_t offset = Reserve(env, count * sizeof(double));
  return Napi::Float64Array::New(env, count, buffer_.Value(), offset);
}

Napi::Uint32Array DeliveryArena::Uint32(Napi::Env env, size_t count) {
  size_t offset = Reserve(env, count * sizeof(uint32_t));
  return Napi::Uint32Array::New(env, count, buffer_.Value(), offset);
}

}  // namespace loadgen_node
