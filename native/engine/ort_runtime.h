// ONNX Runtime, opened at run time from the libonnxruntime.so.1 that onnxruntime-node ships, so
// one runtime serves the whole process and the addon loads (for LoadGen) where there is none.
#ifndef LOADGEN_NODE_ENGINE_ORT_RUNTIME_H_
#define LOADGEN_NODE_ENGINE_ORT_RUNTIME_H_

#include <string>

namespace loadgen_node {

/// The C API version the engine is written against: the headers' (Debian's 1.27.1 package).
/// The C API is append-only, so a newer runtime (onnxruntime-node's 1.29.0) serves it too.
inline constexpr int kOrtApiVersion = 27;

struct OrtRuntime {
  std::string path;     // the library file opened
  std::string version;  // the runtime's own version string, e.g. "1.29.0"
};

/// Opens the library at `path` once per process and sets the C++ API's table; later calls
/// return the same runtime. Throws EngineError (ERR_BACKEND_UNAVAILABLE) when the file cannot
/// be opened, is not ONNX Runtime, is older than kOrtApiVersion, or when a different file was
/// opened before. Thread-safe.
const OrtRuntime& LoadOrtRuntime(const std::string& path);

/// The folder holding `file` (where ONNX Runtime also looks for its provider libraries).
std::string FolderOf(const std::string& file);

}  // namespace loadgen_node

#endif  // LOADGEN_NODE_ENGINE_ORT_RUNTIME_H_
