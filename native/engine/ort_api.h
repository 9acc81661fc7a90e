// The one place ONNX Runtime's C++ API is included. The addon never links libonnxruntime: the
// API table comes from the library ort_runtime.cc opens at run time, so static initialization
// of the C++ wrapper is turned off (every translation unit must agree on that).
#ifndef LOADGEN_NODE_ENGINE_ORT_API_H_
#define LOADGEN_NODE_ENGINE_ORT_API_H_

#define ORT_API_MANUAL_INIT
#include <onnxruntime_cxx_api.h>

#endif  // LOADGEN_NODE_ENGINE_ORT_API_H_
