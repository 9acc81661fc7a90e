// Session options for the engine's device, and the error a CUDA provider that fails to load
// turns into.
#ifndef LOADGEN_NODE_ENGINE_SESSION_SETTINGS_H_
#define LOADGEN_NODE_ENGINE_SESSION_SETTINGS_H_

#include <string>

#include "engine_error.h"
#include "ort_api.h"

namespace loadgen_node {

enum class Device { kCpu, kCuda };

struct SessionSettings {
  Device device = Device::kCpu;
  int device_id = 0;
  /// Threads inside one operator on the CPU; 0 lets ONNX Runtime choose (physical cores).
  int intra_op_threads = 0;
  /// Where libonnxruntime.so.1 lives: ONNX Runtime loads its provider libraries from there.
  std::string runtime_folder;
  /// CUDA only: let ONNX Runtime capture decode steps as CUDA graphs and replay them (one launch
  /// per step instead of one per kernel). Runs choose per call whether to use a graph.
  bool cuda_graph = false;
};

/// Session options for `settings.device`. For CUDA this loads the provider; a provider that
/// cannot be loaded throws ProviderUnavailable.
Ort::SessionOptions MakeSessionOptions(const SessionSettings& settings);

/// For CUDA: throws ProviderUnavailable when the provider's files are not next to the runtime
/// (checked before ONNX Runtime tries, and logs, loading them).
void CheckProviderFiles(const SessionSettings& settings);

/// Whether an ONNX Runtime error message says a provider library could not be loaded.
bool IsProviderLoadFailure(const std::string& message);

/// ERR_BACKEND_UNAVAILABLE for a CUDA provider that failed to load, naming the files, the
/// folder and the libraries they need.
EngineError ProviderUnavailable(const SessionSettings& settings, const std::string& detail);

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_SESSION_SETTINGS_H_
