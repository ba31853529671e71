// PackageExecutor: a package made runnable on one GPU — kernels compiled (cached) and loaded,
// weights uploaded, the activation arena, input buffers and the KV pool allocated — and its
// launch program run for a step's dims.
#pragma once

#include "runtime/CUDA/CudaMemory.h"
#include "runtime/CUDA/KernelCompiler.h"
#include "runtime/CUDA/Launch.h"
#include "runtime/CUDA/Stream.h"
#include "runtime/CUDA/TimelineBuffer.h"
#include "runtime/Package/LaunchTimer.h"
#include "runtime/Package/Package.h"
#include "runtime/Package/WeightProvider.h"

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace loom::rt {

/// What loading took, for progress output and the bench report.
struct LoadReport {
  double compileMilliseconds = 0;
  size_t kernelsCompiled = 0, kernelsFromCache = 0;
  uint64_t weightBytes = 0, arenaBytes = 0, kvBytes = 0, inputBytes = 0;
};

/// How create() loads a package.
struct ExecutorOptions {
  /// Compile every kernel instrumented for the GPU timeline and give it a TimelineBuffer
  /// (TimelineSource.h; loom-run bench --timeline, or LOOM_TIMELINE=1 in loom-run's
  /// environment: docs/profiling.md).
  bool instrumentTimeline = false;
};

class PackageExecutor {
public:
  /// Compiles every kernel for `context`'s device (through `compiler`'s cache), loads them and
  /// allocates and fills device memory. `context` must outlive the executor and be current.
  static StatusOr<std::unique_ptr<PackageExecutor>> create(const Context &context, Package package,
                                                           WeightProvider &weights,
                                                           KernelCompiler &compiler,
                                                           const ExecutorOptions &options = {});

  const Manifest &manifest() const { return package_.manifest; }
  /// Programmatic dependent launch for the launches from now on (sm_90 and up): each kernel may
  /// be scheduled while the one before it drains and waits for it at entry. Only where the
  /// package's kernels wait (Manifest::launchOverlap); the default comes from
  /// LOOM_LAUNCH_OVERLAP (PackageExecutor.cpp).
  /// A launch whose grid would crowd fewer multiprocessors under overlap runs without it
  /// (overlapKeepsPlacement, Launch.h) unless `everyLaunch` (LOOM_LAUNCH_OVERLAP=all).
  void setLaunchOverlap(bool on, bool everyLaunch = false) {
    overlapLaunches_ = on && package_.manifest.launchOverlap;
    overlapEveryLaunch_ = everyLaunch;
  }
  bool launchOverlap() const { return overlapLaunches_; }
  const LoadReport &report() const { return report_; }
  /// The buffer instrumented kernels write to, when loaded with ExecutorOptions::instrumentTimeline
  /// (else null).
  const TimelineBuffer *timeline() const { return timeline_.get(); }
  /// Per manifest kernel, the id its timeline records carry: the index of the first kernel
  /// that shares its loaded module.
  const std::vector<uint32_t> &timelineIds() const { return timelineIdOfKernel_; }

  /// Copies an input for a step with `dims` (its size is checked against its shape) on `stream`;
  /// `data` must stay valid until the stream reaches the copy.
  Status copyInput(const std::string &name, std::span<const std::byte> data, const DimValues &dims,
                   const Stream &stream);
  /// Launches the program for `dims` (each at most the package's bound) on `stream`: the
  /// entries whose launch guard holds for `dims` (decode-only steps launch the decode branch).
  /// With `timer`, every launch is bracketed by its events (LaunchTimer.h).
  Status run(const DimValues &dims, const Stream &stream, LaunchTimer *timer = nullptr);
  /// The step's error record (the package's "errors" buffer: out-of-range embedding ids) after
  /// `stream` has run: an InvalidArgument naming the first bad id, its row and the vocabulary,
  /// and the record is cleared; ok when the package has none or no id was bad. Synchronizes
  /// `stream`; readOutput checks it too.
  Status checkErrors(const Stream &stream);
  /// Copies output `name` for `dims` back to the host (synchronizes `stream`, then checks the
  /// step's error record).
  StatusOr<std::vector<std::byte>> readOutput(const std::string &name, const DimValues &dims,
                                              const Stream &stream);

  /// Device addresses, for callers that stage their own copies or capture graphs.
  StatusOr<CUdeviceptr> inputAddress(const std::string &name) const;
  StatusOr<CUdeviceptr> outputAddress(const std::string &name) const;
  CUdeviceptr kvKeyAddress() const { return kvKeys_.address(); }
  CUdeviceptr kvValueAddress() const { return kvValues_.address(); }
  /// Bytes of `tensor` for `dims`.
  static StatusOr<uint64_t> tensorBytes(const TensorSpec &tensor, const DimValues &dims);

private:
  PackageExecutor(const Context &context, Package package)
      : context_(context), package_(std::move(package)), backend_(context), allocator_(backend_) {}
  /// With `instrumentTimeline`, every kernel is compiled instrumented (instrumentForTimeline).
  Status compileAndLoad(KernelCompiler &compiler, bool instrumentTimeline);
  /// Instruments every request's source and creates timeline_.
  Status instrumentForTimeline(std::vector<CompileRequest> &requests);
  /// Whether kernel `index` launched as `config` overlaps its predecessor: always with
  /// `overlapEveryLaunch_`, else when Launch.h's overlapKeepsPlacement holds for it (the
  /// kernel's occupancy asked once). Only asked while overlapLaunches_ is on.
  StatusOr<bool> launchOverlapsPrevious(size_t index, const LaunchConfig &config);
  Status allocate(WeightProvider &weights);
  StatusOr<CUdeviceptr> bufferAddress(const std::string &name) const;
  Status checkDims(const DimValues &dims) const;
  Status launch(size_t kernelIndex, const DimValues &dims, const Stream &stream);
  /// The TMA descriptor a kTma parameter names, for this step's rows.
  StatusOr<CUtensorMap> tensorMap(const ParamSpec &param, const DimValues &dims) const;

  const Context &context_;
  Package package_;
  CudaMemoryBackend backend_;
  DeviceAllocator allocator_;
  /// One module and function per distinct compiled body (a model's layers share them).
  std::vector<std::unique_ptr<Module>> modules_;
  std::vector<std::unique_ptr<Kernel>> loadedKernels_;
  std::vector<Kernel *> kernels_; ///< parallel to manifest().kernels, into loadedKernels_
  DeviceBuffer arena_, kvKeys_, kvValues_;
  std::map<std::string, DeviceBuffer, std::less<>> weights_, inputs_;
  std::map<std::string, uint64_t, std::less<>> bufferOffsets_;
  std::optional<CUdeviceptr> errorRecord_; ///< the "errors" buffer, when the package has one
  LoadReport report_;
  std::unique_ptr<TimelineBuffer> timeline_;
  std::vector<uint32_t> timelineIdOfKernel_; ///< parallel to manifest().kernels
  bool overlapLaunches_ = false; ///< programmatic dependent launch (Manifest::launchOverlap)
  bool overlapEveryLaunch_ = false; ///< also launches that would crowd (LOOM_LAUNCH_OVERLAP=all)
  /// Per manifest kernel, CTAs resident per multiprocessor at its block size, once asked.
  std::vector<std::optional<int>> residentPerMultiprocessor_;
};

} // namespace loom::rt
