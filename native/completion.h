// QuerySamplesComplete / FirstTokenComplete from JS: validated through the ticket table, then
// handed to LoadGen synchronously (LoadGen copies what it keeps during the call).
#ifndef LOADGEN_NODE_COMPLETION_H_
#define LOADGEN_NODE_COMPLETION_H_

#include "napi_setup.h"

namespace loadgen_node {

/// Exports: completeSamples(ids, data, offsets, nTokens), completeFirstTokens(ids, data, offsets).
void InitCompletion(Napi::Env env, Napi::Object exports);

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_COMPLETION_H_
