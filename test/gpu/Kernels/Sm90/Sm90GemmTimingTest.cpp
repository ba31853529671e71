// Times the Hopper GEMM's tiles against cuBLAS in the same process at 4096^3 and 8192^3 and prints
// a table (a measurement, not a pass/fail bound: it fails only on wrong results or errors).
// Stays until the loom-bench registry carries the same case (tools/loom-bench/Sm90GemmBench.cpp).
#include "test/gpu/Kernels/Sm90/CublasBf16.h"
#include "test/gpu/Kernels/Sm90/GemmProblem.h"
#include "test/gpu/Kernels/Sm90/Sm90Gemm.h"

#include <functional>

namespace loom::testing {
namespace {

constexpr int kWarmups = 5, kRepeats = 30;

class Sm90GemmTimingTest : public GpuTest {
protected:
  /// Median milliseconds of `launch` over kRepeats, timed with events after kWarmups.
  StatusOr<double> medianMilliseconds(const std::function<Status()> &launch) {
    LOOM_ASSIGN_OR_RETURN(std::unique_ptr<rt::Event> start, rt::Event::create(*context_));
    LOOM_ASSIGN_OR_RETURN(std::unique_ptr<rt::Event> end, rt::Event::create(*context_));
    for (int i = 0; i < kWarmups; ++i)
      LOOM_RETURN_IF_ERROR(launch());
    std::vector<double> times;
    for (int i = 0; i < kRepeats; ++i) {
      LOOM_RETURN_IF_ERROR(start->record(*stream_));
      LOOM_RETURN_IF_ERROR(launch());
      LOOM_RETURN_IF_ERROR(end->record(*stream_));
      LOOM_RETURN_IF_ERROR(end->synchronize());
      LOOM_ASSIGN_OR_RETURN(float milliseconds, end->millisecondsSince(*start));
      times.push_back(milliseconds);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
  }
};

TEST_F(Sm90GemmTimingTest, TilesAgainstCublas) {
  if (arch_ != rt::GpuArch::kSm90a)
    GTEST_SKIP() << "the wgmma GEMM needs an sm_90a device (H100/H200)";
  StatusOr<CublasBf16 *> cublas = CublasBf16::instance();
  if (!cublas.isOk())
    GTEST_SKIP() << cublas.status().toString();
  std::vector<LoadedKernel> kernels;
  for (const Sm90GemmTile &tile : kSm90GemmTiles) {
    StatusOr<LoadedKernel> loaded = compileAndLoad(sm90GemmKernelName(tile), sm90GemmSource(tile));
    ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
    kernels.push_back(std::move(loaded).value());
  }
  rt::CudaMemoryBackend backend(*context_);
  rt::DeviceAllocator allocator(backend);
  std::string table = fmt::format("{:<34} {:>9} {:>9} {:>8} {:>10}\n", "shape / kernel", "ms",
                                  "TFLOP/s", "vs cuBLAS", "rel L2");
  for (int size : {4096, 8192}) {
    GemmProblem problem(size, size, size, 41 + size);
    ASSERT_TRUE(problem.upload(allocator, *stream_).isOk());
    const double flops = 2.0 * size * size * double(size);
    StatusOr<double> cublasMs = medianMilliseconds(
        [&] { return (*cublas)->gemm(problem.x(), problem.w(), problem.y(), size, size, size,
                                     stream_->handle()); });
    ASSERT_TRUE(cublasMs.isOk()) << cublasMs.status().toString();
    StatusOr<GemmError> cublasError = problem.check(*stream_, false);
    ASSERT_TRUE(cublasError.isOk());
    const double cublasTflops = flops / *cublasMs / 1e9;
    table += fmt::format("{:<34} {:>9.3f} {:>9.1f} {:>8.3f} {:>10.2e}\n",
                         fmt::format("{}^3 cublasGemmEx", size), *cublasMs, cublasTflops, 1.0,
                         cublasError->relativeL2);
    for (size_t t = 0; t < kernels.size(); ++t) {
      const Sm90GemmTile &tile = kSm90GemmTiles[t];
      StatusOr<Sm90GemmOperands> operands = encodeSm90GemmOperands(
          context_->api(), tile, problem.x(), problem.w(), size, size, size);
      ASSERT_TRUE(operands.isOk()) << operands.status().toString();
      ASSERT_TRUE(problem.poisonY(*stream_).isOk());
      StatusOr<double> ms = medianMilliseconds([&] {
        return launchSm90Gemm(*kernels[t].kernel, tile, *operands, problem.y(), 0, size, size,
                              size, stream_->handle());
      });
      ASSERT_TRUE(ms.isOk()) << ms.status().toString();
      StatusOr<GemmError> error = problem.check(*stream_, false);
      ASSERT_TRUE(error.isOk());
      EXPECT_EQ(error->unwritten + error->badElements, 0) << sm90GemmKernelName(tile);
      const double tflops = flops / *ms / 1e9;
      table += fmt::format("{:<34} {:>9.3f} {:>9.1f} {:>8.3f} {:>10.2e}\n",
                           fmt::format("{}^3 {}", size, sm90GemmKernelName(tile)), *ms, tflops,
                           tflops / cublasTflops, error->relativeL2);
    }
  }
  std::printf("%s", table.c_str());
  RecordProperty("table", table);
}

} // namespace
} // namespace loom::testing
