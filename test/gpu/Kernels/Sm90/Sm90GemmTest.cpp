// The Hopper GEMM (loom/gemm_sm90.cuh) against a CPU f64 reference on random bf16 inputs: ragged
// M, N and K, bias, every tile of the table; skips without an sm_90a GPU.
#include "test/gpu/Kernels/Sm90/GemmProblem.h"
#include "test/gpu/Kernels/Sm90/Sm90Gemm.h"

namespace loom::testing {
namespace {

struct GemmShape {
  int M, N, K;
  bool bias;
};

std::string shapeName(const ::testing::TestParamInfo<GemmShape> &info) {
  return fmt::format("M{}_N{}_K{}{}", info.param.M, info.param.N, info.param.K,
                     info.param.bias ? "_bias" : "");
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

  /// Runs `tile` on `shape` with fresh random inputs and checks every written element.
  void expectMatchesReference(const Sm90GemmTile &tile, const GemmShape &shape, uint32_t seed) {
    StatusOr<LoadedKernel> loaded = compileAndLoad(sm90GemmKernelName(tile), sm90GemmSource(tile));
    ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
    rt::CudaMemoryBackend backend(*context_);
    rt::DeviceAllocator allocator(backend);
    GemmProblem problem(shape.M, shape.N, shape.K, seed);
    ASSERT_TRUE(problem.upload(allocator, *stream_).isOk());
    StatusOr<Sm90GemmOperands> operands = encodeSm90GemmOperands(
        context_->api(), tile, problem.x(), problem.w(), shape.M, shape.N, shape.K);
    ASSERT_TRUE(operands.isOk()) << operands.status().toString();
    Status launched = launchSm90Gemm(*loaded->kernel, tile, *operands, problem.y(),
                                     shape.bias ? problem.bias() : 0, shape.M, shape.N, shape.K,
                                     stream_->handle());
    ASSERT_TRUE(launched.isOk()) << launched.toString();
    StatusOr<GemmError> error = problem.check(*stream_, shape.bias);
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
                         ::testing::Values(GemmShape{1, 256, 64, false},
                                           GemmShape{7, 1000, 72, false},
                                           GemmShape{64, 512, 1000, true},
                                           GemmShape{129, 776, 4096, false},
                                           GemmShape{200, 520, 8, true},
                                           GemmShape{4095, 4096, 4096, false},
                                           GemmShape{4096, 4096, 4096, true},
                                           GemmShape{8192, 8192, 8192, false}),
                         shapeName);

class Sm90GemmTileTest : public Sm90GemmFixture,
                         public ::testing::WithParamInterface<Sm90GemmTile> {};

TEST_P(Sm90GemmTileTest, RaggedShapeMatchesReference) {
  expectMatchesReference(GetParam(), GemmShape{1000, 1048, 1000, true}, 29);
}

INSTANTIATE_TEST_SUITE_P(Tiles, Sm90GemmTileTest, ::testing::ValuesIn(kSm90GemmTiles),
                         [](const ::testing::TestParamInfo<Sm90GemmTile> &info) {
                           return sm90GemmKernelName(info.param);
                         });

} // namespace
} // namespace loom::testing
