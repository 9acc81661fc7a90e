#include "cuda_driver.h"

#include <dlfcn.h>

#include <cstdint>
#include <mutex>
#include <string>

#include "engine_error.h"

namespace loadgen_node {

namespace {

// The driver API's types, as cuda.h declares them (the addon is built without CUDA's headers).
using CUresult = int;
using CUdevice = int;
using CUcontext = void*;
using CUdeviceptr = uintptr_t;
constexpr CUresult kCudaSuccess = 0;

struct Driver {
  CUresult (*cuInit)(unsigned int) = nullptr;
  CUresult (*cuDeviceGetCount)(int*) = nullptr;
  CUresult (*cuDeviceGet)(CUdevice*, int) = nullptr;
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext*, CUdevice) = nullptr;
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice) = nullptr;
  CUresult (*cuCtxPushCurrent)(CUcontext) = nullptr;
  CUresult (*cuCtxPopCurrent)(CUcontext*) = nullptr;
  CUresult (*cuCtxSynchronize)() = nullptr;
  CUresult (*cuMemGetInfo)(size_t*, size_t*) = nullptr;
  CUresult (*cuMemsetD8)(CUdeviceptr, unsigned char, size_t) = nullptr;
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void*, size_t) = nullptr;
  CUresult (*cuGetErrorString)(CUresult, const char**) = nullptr;
  std::string error;  // why the driver is unusable, empty when it loaded
};

template <typename F>
bool Bind(void* library, const char* name, F* slot) {
  *slot = reinterpret_cast<F>(dlsym(library, name));
  return *slot != nullptr;
}

const Driver& LoadDriver() {
  static std::once_flag once;
  static Driver driver;
  std::call_once(once, [] {
    void* library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      const char* why = dlerror();
      driver.error = std::string("the NVIDIA driver library libcuda.so.1 cannot be loaded (") +
                     (why != nullptr ? why : "unknown") +
                     "); this machine has no NVIDIA driver, or it is not on the loader path";
      return;
    }
    // cuda.h maps these names to their _v2 entry points; the unsuffixed ones are the old ABI.
    bool ok = Bind(library, "cuInit", &driver.cuInit) && Bind(library, "cuDeviceGetCount", &driver.cuDeviceGetCount) &&
              Bind(library, "cuDeviceGet", &driver.cuDeviceGet) &&
              Bind(library, "cuDevicePrimaryCtxRetain", &driver.cuDevicePrimaryCtxRetain) &&
              Bind(library, "cuDevicePrimaryCtxRelease_v2", &driver.cuDevicePrimaryCtxRelease) &&
              Bind(library, "cuCtxPushCurrent_v2", &driver.cuCtxPushCurrent) &&
              Bind(library, "cuCtxPopCurrent_v2", &driver.cuCtxPopCurrent) &&
              Bind(library, "cuCtxSynchronize", &driver.cuCtxSynchronize) &&
              Bind(library, "cuMemGetInfo_v2", &driver.cuMemGetInfo) &&
              Bind(library, "cuMemsetD8_v2", &driver.cuMemsetD8) &&
              Bind(library, "cuMemcpyHtoD_v2", &driver.cuMemcpyHtoD) &&
              Bind(library, "cuGetErrorString", &driver.cuGetErrorString);
    if (!ok) {
      driver.error = "libcuda.so.1 lacks a driver API function the engine needs; update the NVIDIA driver";
      return;
    }
    CUresult status = driver.cuInit(0);
    if (status != kCudaSuccess) {
      const char* text = nullptr;
      driver.cuGetErrorString(status, &text);
      driver.error = "the NVIDIA driver failed to initialize (cuInit: " +
                     std::string(text != nullptr ? text : std::to_string(status)) + ")";
    }
  });
  return driver;
}

void Check(const Driver& driver, CUresult status, const char* call) {
  if (status == kCudaSuccess) return;
  const char* text = nullptr;
  driver.cuGetErrorString(status, &text);
  throw EngineError(kErrUnavailable, std::string("CUDA driver call ") + call +
                                         " failed: " + (text != nullptr ? text : std::to_string(status)));
}

// Makes device `ordinal`'s primary context current on this thread for its lifetime.
class PrimaryContext {
 public:
  explicit PrimaryContext(int ordinal) : driver_(LoadDriver()) {
    if (!driver_.error.empty()) throw EngineError(kErrUnavailable, driver_.error + "; use device 'cpu'");
    int count = 0;
    Check(driver_, driver_.cuDeviceGetCount(&count), "cuDeviceGetCount");
    if (ordinal < 0 || ordinal >= count) {
      throw EngineError(kErrUnavailable, "CUDA device " + std::to_string(ordinal) +
                                             " does not exist (this machine has " + std::to_string(count) +
                                             "); pass a deviceId below " + std::to_string(count));
    }
    Check(driver_, driver_.cuDeviceGet(&device_, ordinal), "cuDeviceGet");
    Check(driver_, driver_.cuDevicePrimaryCtxRetain(&context_, device_), "cuDevicePrimaryCtxRetain");
    CUresult pushed = driver_.cuCtxPushCurrent(context_);
    if (pushed != kCudaSuccess) {
      driver_.cuDevicePrimaryCtxRelease(device_);
      Check(driver_, pushed, "cuCtxPushCurrent");
    }
  }
  ~PrimaryContext() {
    CUcontext popped = nullptr;
    driver_.cuCtxPopCurrent(&popped);
    driver_.cuDevicePrimaryCtxRelease(device_);
  }
  PrimaryContext(const PrimaryContext&) = delete;
  PrimaryContext& operator=(const PrimaryContext&) = delete;
  const Driver& driver() const { return driver_; }

 private:
  const Driver& driver_;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
};

}  // namespace

CudaMemoryInfo CudaMemory(int ordinal) {
  PrimaryContext context(ordinal);
  CudaMemoryInfo info;
  Check(context.driver(), context.driver().cuMemGetInfo(&info.free_bytes, &info.total_bytes), "cuMemGetInfo");
  return info;
}

void CudaZero(int ordinal, void* pointer, size_t bytes) {
  PrimaryContext context(ordinal);
  Check(context.driver(), context.driver().cuMemsetD8(reinterpret_cast<CUdeviceptr>(pointer), 0, bytes), "cuMemsetD8");
  // The provider's own stream does not wait for the legacy stream the memset ran on.
  Check(context.driver(), context.driver().cuCtxSynchronize(), "cuCtxSynchronize");
}

void CudaCopyToDevice(int ordinal, void* device, const void* host, size_t bytes) {
  PrimaryContext context(ordinal);
  // From pageable host memory the copy is synchronous: the data is on the device on return.
  Check(context.driver(), context.driver().cuMemcpyHtoD(reinterpret_cast<CUdeviceptr>(device), host, bytes),
        "cuMemcpyHtoD");
}

}  // namespace loadgen_node
