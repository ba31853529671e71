// Launch checks and cuLaunchKernelEx.
#include "runtime/CUDA/Launch.h"

#include "runtime/CUDA/CuCheck.h"

#include <fmt/format.h>

namespace loom::rt {
namespace {

constexpr unsigned kDefaultSharedBytes = 48 * 1024;
constexpr unsigned kMaxGridX = 0x7fffffffu, kMaxGridYZ = 65535;
constexpr unsigned kMaxBlockXY = 1024, kMaxBlockZ = 64;

} // namespace

Status checkLaunch(std::string_view kernelName, const LaunchConfig &config,
                   const LaunchLimits &limits) {
  const Dim3 &grid = config.grid, &block = config.block;
  if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.x > kMaxGridX ||
      grid.y > kMaxGridYZ || grid.z > kMaxGridYZ)
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("kernel '{}': grid ({}, {}, {}) is empty or too large", kernelName,
                              grid.x, grid.y, grid.z));
  if (block.x == 0 || block.y == 0 || block.z == 0 || block.x > kMaxBlockXY ||
      block.y > kMaxBlockXY || block.z > kMaxBlockZ)
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("kernel '{}': block ({}, {}, {}) is empty or too large",
                              kernelName, block.x, block.y, block.z));
  uint64_t threads = uint64_t(block.x) * block.y * block.z;
  if (threads > uint64_t(limits.maxThreadsPerBlock))
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("kernel '{}': block of {} threads exceeds its limit of {} "
                              "threads per block",
                              kernelName, threads, limits.maxThreadsPerBlock));
  uint64_t shared = uint64_t(config.dynamicSharedBytes) + uint64_t(limits.staticSharedBytes);
  if (shared > uint64_t(limits.maxSharedBytesOptin))
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("kernel '{}' requests {} bytes of dynamic shared memory (+{} "
                              "static) but the device allows at most {} bytes per block",
                              kernelName, config.dynamicSharedBytes, limits.staticSharedBytes,
                              limits.maxSharedBytesOptin));
  return Status::ok();
}

Status launchKernel(Kernel &kernel, const LaunchConfig &config, KernelArgs &args,
                    CUstream stream) {
  const DeviceInfo &device = kernel.context().info();
  LaunchLimits limits{kernel.maxThreadsPerBlock(), kernel.staticSharedBytes(),
                      device.maxSharedBytesPerBlockOptin};
  LOOM_RETURN_IF_ERROR(checkLaunch(kernel.name(), config, limits));
  if (config.dynamicSharedBytes + unsigned(kernel.staticSharedBytes()) > kDefaultSharedBytes)
    LOOM_RETURN_IF_ERROR(kernel.reserveDynamicShared(config.dynamicSharedBytes));
  const DriverApi &cu = kernel.context().api();
  const Dim3 &grid = config.grid, &block = config.block;
  // One path for both kinds of launch: programmatic dependent launch is one attribute.
  CUlaunchAttribute overlap{};
  overlap.id = CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
  overlap.value.programmaticStreamSerializationAllowed = 1;
  CUlaunchConfig launch{};
  launch.gridDimX = grid.x, launch.gridDimY = grid.y, launch.gridDimZ = grid.z;
  launch.blockDimX = block.x, launch.blockDimY = block.y, launch.blockDimZ = block.z;
  launch.sharedMemBytes = config.dynamicSharedBytes;
  launch.hStream = stream;
  launch.attrs = &overlap;
  launch.numAttrs = config.overlapPrevious && device.major >= 9 ? 1 : 0;
  CUresult result = cu.cuLaunchKernelEx(&launch, kernel.function(), args.data(), nullptr);
  if (result != CUDA_SUCCESS)
    return cuResultStatus(cu, result, "cuLaunchKernelEx", __func__, __FILE__, __LINE__)
        .withContext(fmt::format("launching kernel '{}'", kernel.name()));
  return Status::ok();
}

} // namespace loom::rt
