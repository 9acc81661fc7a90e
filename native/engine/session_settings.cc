#include "session_settings.h"

#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

namespace loadgen_node {

namespace {

// The provider's files, next to libonnxruntime.so.1; the shared one is the bridge the CUDA
// provider is loaded through.
const char* const kProviderFiles[] = {"libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so"};

// Session log severity: fatal only. Warnings (nodes placed on the CPU) are expected, and a failed
// run's error comes back to the engine as a status, which it reports with its own context.
constexpr int kLogSeverityFatal = 4;

}  // namespace

bool IsProviderLoadFailure(const std::string& message) {
  static const std::regex pattern(
      "failed to load (shared )?library|cannot open shared "
      "object|providers_(cuda|shared)|libcu(dart|blas|dnn|rand|fft)|"
      "CUDA driver version|no CUDA-capable device",
      std::regex::icase);
  return std::regex_search(message, pattern);
}

namespace {

std::vector<std::string> MissingProviderFiles(const SessionSettings& settings) {
  std::vector<std::string> missing;
  for (const char* file : kProviderFiles) {
    if (access((settings.runtime_folder + "/" + file).c_str(), R_OK) != 0) missing.push_back(file);
  }
  return missing;
}

}  // namespace

void CheckProviderFiles(const SessionSettings& settings) {
  if (settings.device == Device::kCuda && !MissingProviderFiles(settings).empty()) {
    throw ProviderUnavailable(settings, "the provider libraries are not installed");
  }
}

EngineError ProviderUnavailable(const SessionSettings& settings, const std::string& detail) {
  const std::vector<std::string> missing = MissingProviderFiles(settings);
  std::string what;
  if (!missing.empty()) {
    what = missing[0] + (missing.size() > 1 ? " and " + missing[1] + " are" : std::string(" is")) + " missing from " +
           settings.runtime_folder;
  } else {
    what = "libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so are in " + settings.runtime_folder +
           ", so a library they need is probably missing or of the wrong CUDA major version";
  }
  return EngineError(
      kErrUnavailable,
      "the CUDA execution provider of ONNX Runtime failed to load (" + detail + "): " + what +
          ". The provider files must be those of exactly the runtime's version (onnxruntime-node 1.29.0), next to "
          "its libonnxruntime.so.1, and the CUDA libraries they link — cudart, cuBLAS and cuBLASLt, cuRAND, cuFFT "
          "and cuDNN 9 of the provider's CUDA major — must be on LD_LIBRARY_PATH. `mlperf-llm setup-cuda` installs "
          "the provider files and checks those libraries. Or use device 'cpu'.");
}

Ort::SessionOptions MakeSessionOptions(const SessionSettings& settings) {
  Ort::SessionOptions options;
  options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
  options.SetLogSeverityLevel(kLogSeverityFatal);
  if (settings.intra_op_threads > 0) options.SetIntraOpNumThreads(settings.intra_op_threads);
  if (settings.device == Device::kCuda) {
    try {
      Ort::CUDAProviderOptions cuda;
      cuda.Update({
          {"device_id", std::to_string(settings.device_id)},
          // Grow the arena by what is asked, not to the next power of two: the KV cache takes
          // most of the device, and a doubling arena would overshoot the memory it was sized by.
          {"arena_extend_strategy", "kSameAsRequested"},
          {"enable_cuda_graph", settings.cuda_graph ? "1" : "0"},
          // Float32 means float32: TF32 GEMMs (the provider's default) keep 10 mantissa bits,
          // which flips the near-tie arg-maxes a float32 export is run to reproduce. Half and
          // bfloat16 GEMMs are not affected.
          {"use_tf32", "0"},
      });
      options.AppendExecutionProvider_CUDA_V2(*cuda);
    } catch (const Ort::Exception& error) {
      throw ProviderUnavailable(settings, error.what());
    }
  }
  return options;
}
}  // namespace loadgen_node
