// The target table.
#include "runtime/CUDA/GpuArch.h"

#include <fmt/format.h>

#include <array>
#include <string>

namespace loom::rt {
namespace {

constexpr std::array<GpuArchInfo, 4> kArchs = {{
    {GpuArch::kSm80, "sm_80", 8, 0, false},
    {GpuArch::kSm89, "sm_89", 8, 9, false},
    {GpuArch::kSm90, "sm_90", 9, 0, false},
    {GpuArch::kSm90a, "sm_90a", 9, 0, true},
}};

std::string supportedNames() {
  std::string names;
  for (const GpuArchInfo &info : kArchs)
    names += (names.empty() ? "" : ", ") + std::string(info.name);
  return names;
}

} // namespace

std::span<const GpuArchInfo> gpuArchTable() { return kArchs; }

const GpuArchInfo &gpuArchInfo(GpuArch arch) {
  return kArchs[static_cast<size_t>(arch)];
}

std::string_view gpuArchName(GpuArch arch) { return gpuArchInfo(arch).name; }

StatusOr<GpuArch> parseGpuArch(std::string_view text) {
  std::string normalized(text);
  if (normalized.rfind("sm_", 0) == 0)
    normalized = normalized.substr(3);
  else if (normalized.rfind("sm", 0) == 0)
    normalized = normalized.substr(2);
  for (const GpuArchInfo &info : kArchs)
    if (info.name.substr(3) == normalized)
      return info.arch;
  return Status(StatusCode::kInvalidArgument,
                fmt::format("unknown GPU architecture '{}' (supported: {})", text,
                            supportedNames()));
}

StatusOr<GpuArch> gpuArchForDevice(int major, int minor) {
  // Prefer an exact arch-specific target, then an exact match, then the newest same-major
  // target not newer than the device (cubins run on later minors of the same major).
  const GpuArchInfo *best = nullptr;
  for (const GpuArchInfo &info : kArchs) {
    if (info.major != major || info.minor > minor)
      continue;
    if (info.archSpecific && info.minor != minor)
      continue;
    if (!best || info.minor > best->minor ||
        (info.minor == best->minor && info.archSpecific))
      best = &info;
  }
  if (!best)
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("no Loom target for compute capability {}.{} "
                              "(supported: {})", major, minor, supportedNames()));
  return best->arch;
}

} // namespace loom::rt
