// Driver: the CUDA driver API, loaded from libcuda.so.1 with dlopen at run time (never linked),
// so every tool starts on a machine without a GPU and only executing kernels needs one.
#pragma once

#include "runtime/Support/Status.h"

#include <cuda.h>

#include <string>

namespace loom::rt {

/// Every driver entry point Loom calls, as X(name). cuda.h maps names such as `cuMemAlloc`
/// to their current ABI (`cuMemAlloc_v2`); the table and dlsym use the mapped names.
#define LOOM_CUDA_DRIVER_FUNCTIONS(X)                                          \
  X(cuGetErrorString)                                                          \
  X(cuGetErrorName)                                                            \
  X(cuInit)                                                                    \
  X(cuDriverGetVersion)                                                        \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDeviceTotalMem)                                                          \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuDevicePrimaryCtxRelease)                                                 \
  X(cuCtxSetCurrent)                                                           \
  X(cuCtxGetCurrent)                                                           \
  X(cuCtxSynchronize)                                                          \
  X(cuModuleLoadData)                                                          \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuModuleGetGlobal)                                                         \
  X(cuFuncGetAttribute)                                                        \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernelEx)                                                          \
  X(cuTensorMapEncodeTiled)                                                    \
  X(cuOccupancyMaxActiveBlocksPerMultiprocessor)                               \
  X(cuOccupancyMaxActiveClusters)                                              \
  X(cuMemGetInfo)                                                              \
  X(cuMemAlloc)                                                                \
  X(cuMemFree)                                                                 \
  X(cuMemHostAlloc)                                                            \
  X(cuMemFreeHost)                                                             \
  X(cuMemcpyHtoD)                                                              \
  X(cuMemcpyDtoH)                                                              \
  X(cuMemcpyDtoD)                                                              \
  X(cuMemcpyHtoDAsync)                                                         \
  X(cuMemcpyDtoHAsync)                                                         \
  X(cuMemcpyDtoDAsync)                                                         \
  X(cuMemsetD8Async)                                                           \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy)                                                           \
  X(cuStreamSynchronize)                                                       \
  X(cuStreamWaitEvent)                                                         \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventRecord)                                                             \
  X(cuEventSynchronize)                                                        \
  X(cuEventElapsedTime)                                                        \
  X(cuStreamBeginCapture)                                                      \
  X(cuStreamEndCapture)                                                        \
  X(cuGraphGetNodes)                                                           \
  X(cuGraphNodeGetType)                                                        \
  X(cuGraphKernelNodeGetParams)                                                \
  X(cuGraphInstantiate)                                                        \
  X(cuGraphLaunch)                                                             \
  X(cuGraphExecUpdate)                                                         \
  X(cuGraphExecKernelNodeSetParams)                                            \
  X(cuGraphExecDestroy)                                                        \
  X(cuGraphDestroy)

/// Function pointers to the loaded driver. Call as `api.cuMemAlloc(&ptr, bytes)`.
struct DriverApi {
#define LOOM_DRIVER_MEMBER(name) decltype(&::name) name = nullptr;
  LOOM_CUDA_DRIVER_FUNCTIONS(LOOM_DRIVER_MEMBER)
#undef LOOM_DRIVER_MEMBER
  int driverVersion = 0; ///< e.g. 13000 for CUDA 13.0
};

/// Loads `library` (normally "libcuda.so.1"), resolves every entry point and calls cuInit(0).
/// kUnavailable "no CUDA driver found: <dlerror>" when the library cannot be opened, and
/// kUnavailable "CUDA driver ... is not usable: ..." when cuInit fails (e.g. no device).
/// The handle is kept open for the life of the process.
StatusOr<DriverApi> loadDriver(const std::string &library);

/// The process-wide driver, loaded from libcuda.so.1 on first use; the error is remembered.
StatusOr<const DriverApi *> driver();

} // namespace loom::rt
