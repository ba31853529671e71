// BenchSession: what every loom-bench case uses — the GPU, NVRTC compiles, device buffers filled
// with random data, event timing (warm-up, median of repeats), the measured copy roofline,
// optional cuBLAS, and the results table.
#pragma once

#include "runtime/CUDA/CudaMemory.h"
#include "runtime/CUDA/DeviceAllocator.h"
#include "runtime/CUDA/KernelCompiler.h"
#include "runtime/CUDA/Launch.h"
#include "runtime/CUDA/Module.h"
#include "runtime/CUDA/Stream.h"
#include "tools/loom-bench/Cublas.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace loom::bench {

/// One measured row of the report. Rates are derived from `flops`/`bytes` and the times.
struct BenchResult {
  std::string family;
  std::string name;
  std::string shape;              ///< e.g. "M=1 N=8192 K=2048"
  double milliseconds = 0;        ///< median time of one run
  double flops = 0;               ///< useful floating-point operations of one run (0: none)
  double bytes = 0;               ///< fewest bytes one run must move through device memory
  std::string baseline;           ///< what it is compared with ("cuBLAS"); "" for nothing
  double baselineMilliseconds = 0; ///< median time of the baseline (0: not measured)
  std::string note;
};

/// Timing policy, from the command line.
struct BenchOptions {
  int warmup = 5;            ///< untimed runs before measuring
  int repeats = 25;          ///< timed samples; the median is reported
  double minSampleMs = 0.5;  ///< a sample repeats the run until it lasts about this long
};

/// A loaded kernel and the module that keeps it alive.
struct BenchKernel {
  std::unique_ptr<rt::Module> module;
  std::unique_ptr<rt::Kernel> kernel;
};

/// The median of `values` (0 for none).
double median(std::vector<double> values);

/// The per-round speedups reference[r] / candidate[r] of interleaved rounds, as
/// "median M (min A, max B)".
std::string perRoundSpeedup(const std::vector<double> &reference,
                            const std::vector<double> &candidate);

class BenchSession {
public:
  /// Opens device 0, measures the device-to-device copy bandwidth and tries to load cuBLAS.
  static StatusOr<std::unique_ptr<BenchSession>> create(const BenchOptions &options);

  rt::Context &context() { return *context_; }
  const rt::Context &context() const { return *context_; }
  rt::Stream &stream() { return *stream_; }
  rt::GpuArch arch() const { return arch_; }
  const BenchOptions &options() const { return options_; }

  /// NVRTC compile (memory-cached) for this device and load of `function`.
  StatusOr<BenchKernel> compile(const std::string &function, const std::string &source);
  /// Launches on the session's stream.
  Status launch(rt::Kernel &kernel, const rt::LaunchConfig &config, rt::KernelArgs &args);

  StatusOr<rt::DeviceBuffer> allocate(size_t bytes);
  /// Fills `count` elements at `address` with uniform values in [-scale, scale) (never zeros:
  /// zeros run faster than real data), generated on the device from `seed`.
  Status fillRandom(uint64_t address, size_t count, ElementType type, uint32_t seed,
                    float scale = 1.0f);
  /// Allocates and fills in one step.
  StatusOr<rt::DeviceBuffer> randomBuffer(size_t count, ElementType type, uint32_t seed,
                                          float scale = 1.0f);
  /// Copies of a `bytes` buffer to rotate among so that their sum is at least 4x the L2 size,
  /// and so timings measure device memory, not the cache.
  int rotationCopies(size_t bytes) const;

  /// Median milliseconds of `run(iteration)`, timed with CUDA events on the session's stream
  /// after warm-up; `iteration` counts up so a case can rotate its buffers.
  StatusOr<double> medianMilliseconds(const std::function<Status(int iteration)> &run);
  /// Times each of `runs` once per round (medianMilliseconds each), `rounds` rounds in turn, so
  /// that clock changes under the power cap reach all of them alike: result[run][round].
  StatusOr<std::vector<std::vector<double>>>
  interleavedMilliseconds(const std::vector<std::function<Status(int iteration)>> &runs,
                          int rounds);

  /// Device-to-device copy bandwidth measured at start (bytes read + written per second).
  double copyBytesPerSecond() const { return copyBytesPerSecond_; }
  /// cuBLAS, or nullptr when it could not be loaded (cublasStatus() says why).
  Cublas *cublas() { return cublas_.get(); }
  const std::string &cublasStatus() const { return cublasStatus_; }

  void report(BenchResult result);
  const std::vector<BenchResult> &results() const { return results_; }

  ~BenchSession();

private:
  BenchSession() = default;
  Status measureCopyBandwidth();

  BenchOptions options_;
  std::unique_ptr<rt::Context> context_;
  std::unique_ptr<rt::Stream> stream_;
  rt::GpuArch arch_ = rt::GpuArch::kSm90a;
  std::unique_ptr<rt::KernelCache> cache_;
  std::unique_ptr<rt::KernelCompiler> compiler_;
  std::unique_ptr<rt::CudaMemoryBackend> memory_;
  std::unique_ptr<rt::DeviceAllocator> allocator_;
  BenchKernel fillKernel_;
  double copyBytesPerSecond_ = 0;
  std::unique_ptr<Cublas> cublas_;
  std::string cublasStatus_;
  std::vector<BenchResult> results_;
};

} // namespace loom::bench
