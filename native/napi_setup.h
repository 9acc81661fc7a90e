// The one place napi.h is included, so every translation unit sees the same configuration.
#ifndef LOADGEN_NODE_NAPI_SETUP_H_
#define LOADGEN_NODE_NAPI_SETUP_H_

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#ifndef NAPI_CPP_EXCEPTIONS
#define NAPI_CPP_EXCEPTIONS
#endif
#define NODE_ADDON_API_DISABLE_DEPRECATED
// Electron's memory cage refuses external buffers; we never need them.
#define NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED
// Throwing while a worker's environment is being torn down must not abort the process.
#define NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS

#include <napi.h>

#endif  // LOADGEN_NODE_NAPI_SETUP_H_
