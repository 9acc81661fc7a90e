#include "ort_runtime.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>

#include <memory>
#include <mutex>

#include "engine_error.h"
#include "ort_api.h"

namespace loadgen_node {

namespace {

std::mutex g_mutex;
// Never closed: ONNX Runtime keeps threads and static state, and onnxruntime-node may use it too.
std::unique_ptr<OrtRuntime> g_runtime;

std::string RealPath(const std::string& path) {
  char resolved[PATH_MAX];
  return realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
}

std::string FixHint() {
  return "pass the libonnxruntime.so.1 of onnxruntime-node 1.29.0 (its bin/napi-v6/linux/x64 folder; the engine "
         "finds it when onnxruntime-node is installed next to this package: npm install onnxruntime-node@1.29.0)";
}

}  // namespace

std::string FolderOf(const std::string& file) {
  size_t slash = file.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : file.substr(0, slash);
}

const OrtRuntime& LoadOrtRuntime(const std::string& path) {
  std::lock_guard<std::mutex> lock(g_mutex);
  const std::string real = RealPath(path);
  if (g_runtime) {
    if (g_runtime->path != real) {
      throw EngineError(kErrUnavailable, "ONNX Runtime was already loaded from " + g_runtime->path +
                                             "; one process can use only one runtime, so the engine cannot also "
                                             "load " +
                                             path + ". Pass the same runtime path to every engine.");
    }
    return *g_runtime;
  }
  // RTLD_LOCAL: its symbols stay out of the global scope; onnxruntime-node's binding, which links
  // the same file by its SONAME, gets this very copy from the loader.
  void* handle = dlopen(real.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    throw EngineError(kErrUnavailable, "cannot load ONNX Runtime from " + path + " (" +
                                           (why != nullptr ? why : "unknown dlopen error") + "); " + FixHint());
  }
  using GetApiBase = const OrtApiBase* (*)();
  auto get_api_base = reinterpret_cast<GetApiBase>(dlsym(handle, "OrtGetApiBase"));
  if (get_api_base == nullptr) {
    dlclose(handle);
    throw EngineError(kErrUnavailable, path + " is not ONNX Runtime (it exports no OrtGetApiBase); " + FixHint());
  }
  const OrtApiBase* base = get_api_base();
  const char* version = base->GetVersionString();
  const OrtApi* api = base->GetApi(kOrtApiVersion);
  if (api == nullptr) {
    // Keep the handle: a runtime that was loaded cannot be unloaded safely in general.
    throw EngineError(kErrUnavailable, "ONNX Runtime " + std::string(version != nullptr ? version : "?") + " at " +
                                           path + " does not serve C API version " + std::to_string(kOrtApiVersion) +
                                           " (it is older than 1." + std::to_string(kOrtApiVersion) + "); " +
                                           FixHint());
  }
  Ort::InitApi(api);
  g_runtime.reset(new OrtRuntime{real, version != nullptr ? version : ""});
  return *g_runtime;
}

}  // namespace loadgen_node
