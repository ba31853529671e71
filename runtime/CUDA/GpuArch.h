// GpuArch: the compile targets Loom supports (sm_80, sm_89, sm_90, sm_90a), as a table.
#pragma once

#include "runtime/Support/Status.h"

#include <span>
#include <string_view>

namespace loom::rt {

enum class GpuArch { kSm80, kSm89, kSm90, kSm90a };

/// One row of the target table.
struct GpuArchInfo {
  GpuArch arch;
  std::string_view name; ///< "sm_90a": also the NVRTC -arch value (gives a cubin)
  int major, minor;      ///< the compute capability the cubin is built for
  bool archSpecific;     ///< "a" targets (wgmma, setmaxnreg) run only on exactly this major.minor
};

std::span<const GpuArchInfo> gpuArchTable();
const GpuArchInfo &gpuArchInfo(GpuArch arch);
std::string_view gpuArchName(GpuArch arch);

/// "sm_90a" (or "90a", "sm90a") -> GpuArch; kInvalidArgument listing the supported names otherwise.
StatusOr<GpuArch> parseGpuArch(std::string_view text);

/// The best target for a device: 9.0 -> sm_90a, 8.9 -> sm_89, 8.x -> sm_80.
/// kInvalidArgument for devices older than 8.0 or of a newer major than Loom knows.
StatusOr<GpuArch> gpuArchForDevice(int major, int minor);

} // namespace loom::rt
