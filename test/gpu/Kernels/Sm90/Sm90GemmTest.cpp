// The Hopper GEMM (loom/gemm_sm90.cuh) against a CPU f64 reference on random bf16 inputs: ragged
// M, N and K, bias, merged gate/up (SiLU) weights, every tile of the table; skips without an
// sm_90a GPU.
#include "test/gpu/Kernels/Sm90/GemmProblem.h"
#include "test/gpu/Kernels/Sm90/Sm90Gemm.h"

namespace loom::testing {
namespace {

struct GemmShape {
  int M, N, K;
  const Sm90GemmEpilogue *epilogue = &kSm90Store;
};

std::string shapeName(const ::testing::TestParamInfo<GemmShape> &info) {
  return fmt::format("M{}_N{}_K{}_{}", info.param.M, info.param.N, info.param.K,
                     info.param.epilogue->name);
}

/// Skips unless the device runs sm_90a code; checks one tile on one shape.
class Sm90GemmFixture : public GpuTest {
protected:
  void SetUp() override {
    GpuTest::SetUp();
    if (IsSkipped() || HasFatalFailure())
      return;
    if (arch_ != rt::GpuArch::kSm90a)
      GTEST_SKIP() << "the wgmma GEMM needs an sm_90a device (H100/H200)";
  }

  /// Runs `tile` on `shape` with fresh random inputs and checks every written element; with
  /// `withoutStaging`, launches with the shared memory of a tile without staged stores (what
  /// the compiler's cost model allocates), which the kernel must notice and store in pairs.
  void expectMatchesReference(const Sm90GemmTile &tile, const GemmShape &shape, uint32_t seed,
                              bool withoutStaging = false) {
    const Sm90GemmEpilogue &epilogue = *shape.epilogue;
    StatusOr<LoadedKernel> loaded =
        compileAndLoad(sm90GemmKernelName(tile, epilogue), sm90GemmSource(tile, epilogue));
    ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
    rt::CudaMemoryBackend backend(*context_);
    rt::DeviceAllocator allocator(backend);
    GemmProblem problem(shape.M, shape.N, shape.K, seed, epilogue.weightsPerOutput);
    ASSERT_TRUE(problem.upload(allocator, *stream_).isOk());
    StatusOr<Sm90GemmOperands> operands = encodeSm90GemmOperands(
        context_->api(), tile, epilogue, problem.x(), problem.w(), shape.M, shape.N, shape.K);
    ASSERT_TRUE(operands.isOk()) << operands.status().toString();
    StatusOr<int> residentCtas = sm90GemmResidentCtas(*loaded->kernel, tile);
    ASSERT_TRUE(residentCtas.isOk()) << residentCtas.status().toString();
    rt::LaunchConfig config =
        sm90GemmLaunchConfig(tile, epilogue, shape.M, shape.N, *residentCtas);
    if (withoutStaging)
      config.dynamicSharedBytes = sm90GemmSharedBytesWithoutStaging(tile);
    Status launched = launchSm90Gemm(*loaded->kernel, config, *operands, problem.bias(),
                                     problem.y(), shape.M, shape.N, shape.K, stream_->handle());
    ASSERT_TRUE(launched.isOk()) << launched.toString();
    StatusOr<GemmError> error = problem.check(*stream_, epilogue.bias);
    ASSERT_TRUE(error.isOk()) << error.status().toString();
    EXPECT_EQ(error->unwritten, 0);
    EXPECT_EQ(error->guardOverwritten, 0);
    EXPECT_EQ(error->badElements, 0) << error->firstBad;
    // bf16 output rounding alone gives ~1e-3; a wrong fragment or stage gives O(1).
    EXPECT_LT(error->relativeL2, 4e-3);
  }
};

class Sm90GemmShapeTest : public Sm90GemmFixture,
                          public ::testing::WithParamInterface<GemmShape> {};

TEST_P(Sm90GemmShapeTest, MatchesReference) {
  expectMatchesReference(kSm90GemmTiles[0], GetParam(), 17);
}

INSTANTIATE_TEST_SUITE_P(Shapes, Sm90GemmShapeTest,
                         ::testing::Values(GemmShape{1, 256, 64},
                                           GemmShape{7, 1000, 72},
                                           GemmShape{64, 512, 1000, &kSm90Bias},
                                           GemmShape{129, 776, 4096},
                                           GemmShape{200, 520, 8, &kSm90Bias},
                                           GemmShape{4095, 4096, 4096},
                                           GemmShape{4096, 4096, 4096, &kSm90Bias},
                                           GemmShape{8192, 8192, 8192},
                                           GemmShape{1, 1000, 512, &kSm90GatedSilu},
                                           GemmShape{300, 1384, 1000, &kSm90GatedSilu},
                                           GemmShape{4096, 8192, 2048, &kSm90GatedSilu}),
                         shapeName);

TEST_F(Sm90GemmFixture, StagedTileWithoutStagingMemoryStoresInPairs) {
  ASSERT_TRUE(kSm90GemmTiles[0].stagedStores);
  expectMatchesReference(kSm90GemmTiles[0], GemmShape{1000, 1048, 1000, &kSm90Bias}, 31,
                         /*withoutStaging=*/true);
}

class Sm90GemmTileTest
    : public Sm90GemmFixture,
      public ::testing::WithParamInterface<std::tuple<Sm90GemmTile, GemmShape>> {};

TEST_P(Sm90GemmTileTest, MatchesReference) {
  expectMatchesReference(std::get<0>(GetParam()), std::get<1>(GetParam()), 29);
}

// M = 100: one tile row, so a cluster's second CTA lies wholly past M; M = 1000: ragged last row.
INSTANTIATE_TEST_SUITE_P(
    Tiles, Sm90GemmTileTest,
    ::testing::Combine(::testing::ValuesIn(kSm90GemmTiles),
                       ::testing::Values(GemmShape{100, 776, 136},
                                         GemmShape{1000, 1048, 1000, &kSm90Bias},
                                         GemmShape{300, 1384, 1000, &kSm90GatedSilu})),
    [](const ::testing::TestParamInfo<std::tuple<Sm90GemmTile, GemmShape>> &info) {
      const GemmShape &shape = std::get<1>(info.param);
      return fmt::format("{}_M{}_N{}_K{}", sm90GemmKernelName(std::get<0>(info.param), *shape.epilogue),
                         shape.M, shape.N, shape.K);
    });

} // namespace
} // namespace loom::testing
