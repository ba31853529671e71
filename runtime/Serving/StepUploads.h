// StepUploads: the forward step's integer inputs staged in pinned host memory and copied to the
// package's input buffers — by the decode CUDA graph itself or, for eager steps, on the stream.
#pragma once

#include "runtime/CUDA/CudaMemory.h"
#include "runtime/Engine/StepInputs.h"
#include "runtime/Package/PackageExecutor.h"
#include "runtime/Serving/LoadedKernel.h"

#include <array>
#include <optional>
#include <string>

namespace loom::rt {

/// How it works: one pinned buffer holds a region per input (docs/graph-ops.md), each sized for
/// the package's bounds. stage() writes a step's arrays into their regions; enqueue() issues
/// the copies from there. Copies from pinned memory are truly asynchronous and may be captured
/// into a CUDA graph, so a decode graph replays its bucket's copies from the same regions: the
/// host writes the next step's inputs, then launches the graph. With a compiler, one gather
/// kernel (a CTA per input) reads the regions straight from pinned memory — unified addressing
/// gives it the same address on the device — instead of seven copies, each of which costs the
/// GPU ~2.5 us. The caller stages a step only after the previous one has finished reading (the
/// runner synchronizes every step, a step that fails after queueing work included).
class StepUploads {
public:
  /// kInvalidArgument when the package lacks an i32 input of the forward step. `compiler`
  /// (optional): compile the gather kernel with it.
  static StatusOr<std::unique_ptr<StepUploads>> create(const Context &context,
                                                       PackageExecutor &executor,
                                                       KernelCompiler *compiler = nullptr);

  /// Writes `in`'s arrays into the regions; kInvalidArgument when an array's size is not its
  /// input's at `dims` or exceeds the package's bound.
  Status stage(const StepInputs &in, const DimValues &dims);
  /// Issues the copies of the staged arrays to the package's inputs on `stream` (the gather
  /// kernel, or a copy per input).
  Status enqueue(const Stream &stream) const;

  /// The forward step's inputs in the order of the regions.
  static constexpr size_t kNumInputs = 7;

private:
  struct Region {
    const TensorSpec *spec = nullptr;
    CUdeviceptr device = 0;
    size_t offset = 0, capacity = 0, staged = 0;
  };
  StepUploads(PinnedHostBuffer staging, std::array<Region, kNumInputs> regions)
      : staging_(std::move(staging)), regions_(regions) {}
  Status gather(const Stream &stream) const;

  PinnedHostBuffer staging_;
  std::array<Region, kNumInputs> regions_;
  std::optional<LoadedKernel> gather_;
};

/// The gather kernel's name and source.
inline constexpr const char *kGatherKernelName = "loom_gather_step_inputs";
std::string gatherKernelSource();

} // namespace loom::rt
