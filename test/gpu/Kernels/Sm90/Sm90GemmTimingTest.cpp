// Times the Hopper GEMM's tiles against cuBLAS in the same process at 4096^3 and 8192^3 and prints
// a table (a measurement, not a pass/fail bound: it fails only on wrong results or errors).
// Rounds interleave cuBLAS and every tile so clock and temperature drift hit all alike; the
// ratio is the median over rounds of the per-round ratio. Kept beside the loom-bench case
// (tools/loom-bench/Sm90GemmBench.cpp) because it also checks every timed result.
#include "test/gpu/Kernels/Sm90/CublasBf16.h"
#include "test/gpu/Kernels/Sm90/GemmProblem.h"
#include "test/gpu/Kernels/Sm90/Sm90Gemm.h"

#include <functional>

namespace loom::testing {
namespace {

constexpr int kWarmups = 3, kRepeats = 10, kRounds = 5;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

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
    return median(times);
  }
};

/// One timed contender: cuBLAS (no tile) or a tile of the table.
struct Contender {
  std::string name;
  std::function<Status()> launch;
  std::vector<double> milliseconds; ///< one median per round
};

TEST_F(Sm90GemmTimingTest, TilesAgainstCublas) {
  if (arch_ != rt::GpuArch::kSm90a)
    GTEST_SKIP() << "the wgmma GEMM needs an sm_90a device (H100/H200)";
  StatusOr<CublasBf16 *> cublas = CublasBf16::instance();
  if (!cublas.isOk())
    GTEST_SKIP() << cublas.status().toString();
  std::vector<LoadedKernel> kernels;
  std::vector<int> residentCtas;
  for (const Sm90GemmTile &tile : kSm90GemmTiles) {
    StatusOr<LoadedKernel> loaded = compileAndLoad(sm90GemmKernelName(tile), sm90GemmSource(tile));
    ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
    StatusOr<int> resident = sm90GemmResidentCtas(*loaded->kernel, tile);
    ASSERT_TRUE(resident.isOk()) << resident.status().toString();
    residentCtas.push_back(*resident);
    kernels.push_back(std::move(loaded).value());
  }
  rt::CudaMemoryBackend backend(*context_);
  rt::DeviceAllocator allocator(backend);
  std::string table =
      fmt::format("{:<42} {:>8} {:>8} {:>9} {:>9} {:>9} {:>8}\n", "shape / kernel", "CTAs",
                  "ms", "TFLOP/s", "vs cuBLAS", "spread", "rel L2");
  for (int size : {4096, 8192}) {
    GemmProblem problem(size, size, size, 41 + size);
    ASSERT_TRUE(problem.upload(allocator, *stream_).isOk());
    std::vector<Contender> contenders;
    contenders.push_back({"cublasGemmEx", [&] {
                            return (*cublas)->gemm(problem.x(), problem.w(), problem.y(), size,
                                                   size, size, stream_->handle());
                          }});
    std::vector<Sm90GemmOperands> operands;
    for (const Sm90GemmTile &tile : kSm90GemmTiles) {
      StatusOr<Sm90GemmOperands> encoded = encodeSm90GemmOperands(
          context_->api(), tile, kSm90Store, problem.x(), problem.w(), size, size, size);
      ASSERT_TRUE(encoded.isOk()) << encoded.status().toString();
      operands.push_back(*encoded);
    }
    for (size_t t = 0; t < kernels.size(); ++t) {
      contenders.push_back({sm90GemmKernelName(kSm90GemmTiles[t]), [&, t] {
                              return launchSm90Gemm(*kernels[t].kernel, kSm90GemmTiles[t],
                                                    kSm90Store, operands[t], 0, problem.y(),
                                                    size, size, size, residentCtas[t],
                                                    stream_->handle());
                            }});
    }
    for (int round = 0; round < kRounds; ++round)
      for (Contender &contender : contenders) {
        StatusOr<double> ms = medianMilliseconds(contender.launch);
        ASSERT_TRUE(ms.isOk()) << contender.name << ": " << ms.status().toString();
        contender.milliseconds.push_back(*ms);
      }
    const double flops = 2.0 * size * size * double(size);
    for (size_t c = 0; c < contenders.size(); ++c) {
      // Check what this contender wrote (the last launch of its last round).
      ASSERT_TRUE(problem.poisonY(*stream_).isOk());
      ASSERT_TRUE(contenders[c].launch().isOk());
      StatusOr<GemmError> error = problem.check(*stream_, false);
      ASSERT_TRUE(error.isOk());
      EXPECT_EQ(error->unwritten + error->badElements, 0) << contenders[c].name;
      std::vector<double> ratios;
      for (int round = 0; round < kRounds; ++round)
        ratios.push_back(contenders[0].milliseconds[round] / contenders[c].milliseconds[round]);
      const auto [fastest, slowest] = std::minmax_element(contenders[c].milliseconds.begin(),
                                                          contenders[c].milliseconds.end());
      const double ms = median(contenders[c].milliseconds);
      table += fmt::format("{:<42} {:>8} {:>8.3f} {:>9.1f} {:>9.3f} {:>8.1f}% {:>8.1e}\n",
                           fmt::format("{}^3 {}", size, contenders[c].name),
                           c == 0 ? 0 : residentCtas[c - 1], ms, flops / ms / 1e9,
                           median(ratios), 100.0 * (*slowest / *fastest - 1), error->relativeL2);
    }
  }
  std::printf("%s", table.c_str());
  RecordProperty("table", table);
}

} // namespace
} // namespace loom::testing
