// Context: one GPU, its primary CUDA context and the device limits launches are checked against.
#pragma once

#include "runtime/CUDA/Driver.h"
#include "runtime/CUDA/GpuArch.h"

#include <memory>
#include <string>

namespace loom::rt {

/// Device properties read once when the context is created.
struct DeviceInfo {
  int ordinal = 0;
  std::string name;
  int major = 0, minor = 0;
  int multiprocessors = 0;
  int maxThreadsPerBlock = 0;
  int maxSharedBytesPerBlock = 0;      ///< without opt-in (48 KB)
  int maxSharedBytesPerBlockOptin = 0; ///< with CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
  int maxSharedBytesPerMultiprocessor = 0;
  int l2CacheBytes = 0;
  size_t totalMemoryBytes = 0;
};

/// Owns a retained primary context; all runtime objects made from it use it.
class Context {
public:
  /// Loads the driver if needed, retains device `ordinal`'s primary context and makes it current
  /// on the calling thread. kUnavailable without a driver or device.
  static StatusOr<std::unique_ptr<Context>> create(int ordinal = 0);
  ~Context();
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;

  /// Makes this context current on the calling thread (needed once per thread).
  Status makeCurrent() const;
  Status synchronize() const;

  const DriverApi &api() const { return *api_; }
  CUdevice device() const { return device_; }
  const DeviceInfo &info() const { return info_; }
  /// The compile target for this device (sm_90a on an H100).
  StatusOr<GpuArch> arch() const { return gpuArchForDevice(info_.major, info_.minor); }

private:
  Context(const DriverApi *api, CUdevice device, CUcontext context)
      : api_(api), device_(device), context_(context) {}
  Status readInfo(int ordinal);

  const DriverApi *api_;
  CUdevice device_;
  CUcontext context_;
  DeviceInfo info_;
};

/// Number of CUDA devices, or the error explaining why there are none usable.
StatusOr<int> deviceCount();

} // namespace loom::rt
