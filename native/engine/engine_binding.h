// The engine as JS sees it: createEngine(options, onEvents) resolves, once the model is loaded
// off the JS thread, with an object that submits, cancels and closes. Events reach onEvents in
// batches through one thread-safe function (see event_log.h for their layout).
#ifndef LOADGEN_NODE_ENGINE_ENGINE_BINDING_H_
#define LOADGEN_NODE_ENGINE_ENGINE_BINDING_H_

#include "../napi_setup.h"

namespace loadgen_node {

/// Exports createEngine(options, onEvents).
void InitEngine(Napi::Env env, Napi::Object exports);

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_ENGINE_BINDING_H_
