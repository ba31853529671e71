// Launch: grid/block/shared memory chosen at run time, checked, then cuLaunchKernelEx.
#pragma once

#include "runtime/CUDA/Module.h"
#include "runtime/Support/Status.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <type_traits>
#include <vector>

namespace loom::rt {

struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

struct LaunchConfig {
  Dim3 grid;
  Dim3 block;
  unsigned dynamicSharedBytes = 0;
  /// Programmatic dependent launch (sm_90 and up; ignored below): the kernel may be scheduled
  /// while the previous kernel on the stream is still running, so its launch latency hides
  /// behind that kernel's tail. The kernel must call `loom::wait_for_previous_grids()`
  /// (loom/grid_dependency.cuh) before it touches memory that earlier kernels write; every
  /// emitted kernel does so first thing.
  bool overlapPrevious = false;
};

/// Whether a launch with `overlapPrevious` keeps the CTA placement of a plain launch. Under
/// overlap a grid is scheduled while its predecessor still holds most multiprocessors, and the
/// CTA scheduler fills the ones that free up first to capacity: a grid needing fewer CTAs per
/// multiprocessor than fit on one (512 CTAs at 6 per SM on 132 SMs) lands on fewer of them with
/// more CTAs each, and a memory-bound grid then ends on its most crowded multiprocessors
/// (docs/perf-baseline.md, "Session 8 — timeline": +49 us per batch-1 step from the gate/up GEMV).
/// A grid whose CTAs fill every resident slot of every multiprocessor cannot crowd.
constexpr bool overlapKeepsPlacement(int residentPerMultiprocessor, uint64_t ctas,
                                     int multiprocessors) {
  const uint64_t perMultiprocessor =
      multiprocessors > 0 ? (ctas + uint64_t(multiprocessors) - 1) / uint64_t(multiprocessors) : 0;
  return uint64_t(residentPerMultiprocessor) <= perMultiprocessor;
}

/// The limits a launch is checked against (from the Kernel and its device).
struct LaunchLimits {
  int maxThreadsPerBlock = 1024;   ///< of this kernel (registers, __launch_bounds__)
  int staticSharedBytes = 0;       ///< of this kernel
  int maxSharedBytesOptin = 49152; ///< of the device, static + dynamic
};

/// kInvalidArgument naming the kernel and the numbers when the launch cannot work: an empty or
/// oversized grid/block, too many threads, or more shared memory than the device allows.
Status checkLaunch(std::string_view kernelName, const LaunchConfig &config,
                   const LaunchLimits &limits);

/// Kernel parameters by value, in declaration order: `args.add(ptr).add(n)`.
class KernelArgs {
public:
  template <typename T> KernelArgs &add(const T &value) {
    static_assert(std::is_trivially_copyable_v<T>, "kernel arguments are copied bytewise");
    auto slot = std::make_unique<std::byte[]>(sizeof(T));
    std::memcpy(slot.get(), &value, sizeof(T));
    pointers_.push_back(slot.get());
    storage_.push_back(std::move(slot));
    return *this;
  }
  /// The array cuLaunchKernelEx's kernelParams expects.
  void **data() { return pointers_.data(); }
  size_t size() const { return pointers_.size(); }

private:
  std::vector<std::unique_ptr<std::byte[]>> storage_;
  std::vector<void *> pointers_;
};

/// Checks the launch, opts the kernel into > 48 KB dynamic shared memory when needed, launches
/// on `stream` (nullptr: the legacy default stream). Asynchronous, like cuLaunchKernelEx.
Status launchKernel(Kernel &kernel, const LaunchConfig &config, KernelArgs &args,
                    CUstream stream);

} // namespace loom::rt
