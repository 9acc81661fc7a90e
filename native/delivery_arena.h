// Typed arrays for issued samples, carved out of shared ArrayBuffers.
//
// Every delivery hands JS fresh Float64Array/Uint32Array views. Allocating an ArrayBuffer per
// delivery costs more than the rest of a SingleStream query, so views are cut from a larger
// buffer by bumping a cursor. A region is never handed out twice, so a view stays valid for as
// long as JS keeps it; an exhausted buffer is dropped and collected once its views are gone
// (docs/design.md §7).
#ifndef LOADGEN_NODE_DELIVERY_ARENA_H_
#define LOADGEN_NODE_DELIVERY_ARENA_H_

#include <cstddef>

#include "napi_setup.h"

namespace loadgen_node {

class DeliveryArena {
 public:
  Napi::Float64Array Float64(Napi::Env env, size_t count);
  Napi::Uint32Array Uint32(Napi::Env env, size_t count);

 private:
  /// Reserves `bytes` (8-byte aligned) and returns the offset into buffer_.
  size_t Reserve(Napi::Env env, size_t bytes);

  Napi::Reference<Napi::ArrayBuffer> buffer_;
  size_t capacity_ = 0;
  size_t cursor_ = 0;
};

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_DELIVERY_ARENA_H_
