// CPU test (no GPU): every tile of the Hopper GEMM compiles with NVRTC for sm_90a into wgmma and
// TMA code without register spills, and sm_90 (no "a") rejects it.
#include "test/gpu/Kernels/Sm90/Sm90Gemm.h"
#include "runtime/CUDA/NvrtcCompiler.h"

#include <gtest/gtest.h>

namespace loom::testing {
namespace {

/// Compiles one wrapper for sm_90a and checks the code ptxas made of it.
void expectCompilesToWgmmaAndTma(const Sm90GemmTile &tile, const Sm90GemmEpilogue &epilogue) {
  const std::string name = sm90GemmKernelName(tile, epilogue);
  rt::CompileRequest request{name, sm90GemmSource(tile, epilogue), rt::GpuArch::kSm90a, {}};
  StatusOr<rt::CompiledKernel> compiled = rt::compileWithNvrtc(request);
  ASSERT_TRUE(compiled.isOk()) << compiled.status().toString();
  EXPECT_FALSE(compiled->cubin.empty());
  EXPECT_NE(compiled->ptx.find("wgmma.mma_async.sync.aligned.m64n" +
                               std::to_string(tile.blockN) + "k16.f32.bf16.bf16"),
            std::string::npos);
  EXPECT_NE(compiled->ptx.find("cp.async.bulk.tensor.2d"), std::string::npos);
  EXPECT_NE(compiled->ptx.find("setmaxnreg.inc.sync.aligned.u32"), std::string::npos);
  // ptxas warns when it must serialise wgmma (e.g. accumulators moved between MMAs).
  EXPECT_EQ(compiled->log.find("wgmma"), std::string::npos) << compiled->log;
  ASSERT_EQ(compiled->resources.size(), 1u) << compiled->log;
  const rt::KernelResources &resources = compiled->resources[0];
  EXPECT_EQ(resources.function, name);
  EXPECT_EQ(resources.spillStoreBytes, 0) << compiled->log;
  EXPECT_EQ(resources.spillLoadBytes, 0) << compiled->log;
  // __launch_bounds__(threads, 1): the whole register file split evenly at entry.
  EXPECT_LE(resources.registers, 65536 / (128 * (tile.blockM / 64 + 1))) << compiled->log;
  EXPECT_LE(sm90GemmSharedBytes(tile), 227u * 1024) << "more than an H100 block may have";
}

class Sm90CompileTileTest : public ::testing::TestWithParam<Sm90GemmTile> {};

TEST_P(Sm90CompileTileTest, CompilesToWgmmaAndTmaWithoutSpills) {
  expectCompilesToWgmmaAndTma(GetParam(), kSm90Store);
}

INSTANTIATE_TEST_SUITE_P(Tiles, Sm90CompileTileTest, ::testing::ValuesIn(kSm90GemmTiles),
                         [](const ::testing::TestParamInfo<Sm90GemmTile> &info) {
                           return sm90GemmKernelName(info.param);
                         });

TEST(Sm90CompileTest, EveryEpilogueCompilesWithoutSpills) {
  for (const Sm90GemmTile &tile : {kSm90GemmTiles[0], kSm90GemmTiles[1]})
    for (const Sm90GemmEpilogue *epilogue : {&kSm90Store, &kSm90Bias, &kSm90GatedSilu}) {
      SCOPED_TRACE(sm90GemmKernelName(tile, *epilogue));
      expectCompilesToWgmmaAndTma(tile, *epilogue);
    }
}

TEST(Sm90CompileTest, PlainSm90RejectsWgmma) {
  rt::CompileRequest request{"sm90_plain", sm90GemmSource(kSm90GemmTiles[0]), rt::GpuArch::kSm90,
                             {}};
  StatusOr<rt::CompiledKernel> compiled = rt::compileWithNvrtc(request);
  ASSERT_FALSE(compiled.isOk());
  EXPECT_EQ(compiled.status().code(), StatusCode::kCompileError);
  EXPECT_NE(compiled.status().message().find("sm_90"), std::string::npos)
      << compiled.status().message();
}

} // namespace
} // namespace loom::testing
