// CPU test (no GPU): the Hopper GEMM with each fused epilogue (bias, activation, residual, gated
// SiLU, f32 output) and the RMSNorm prologue compiles with NVRTC for sm_90a without spills, and
// so do the separate elementwise kernels loom-bench runs after cuBLAS.
#include "test/gpu/Kernels/Sm90/Sm90Epilogues.h"
#include "runtime/CUDA/NvrtcCompiler.h"

#include <gtest/gtest.h>

namespace loom::testing {
namespace {

const Sm90EpilogueSpec *const kSpecs[] = {
    &kSm90EpiStore,     &kSm90EpiBias,          &kSm90EpiResidual,          &kSm90EpiBiasGeluResidual,
    &kSm90EpiBiasSilu,  &kSm90EpiGatedSilu,     &kSm90EpiGatedSiluResidual, &kSm90EpiCastF32,
    &kSm90EpiResidualCastF32, &kSm90EpiRmsNorm,       &kSm90EpiRmsNormGatedSilu,
    &kSm90EpiRmsNormBiasResidual};

/// Compiles one wrapper for sm_90a: wgmma code, no serialised wgmma, no spills.
void expectCompilesWithoutSpills(const Sm90GemmTile &tile, const Sm90EpilogueSpec &spec) {
  const std::string name = sm90EpilogueKernelName(tile, spec);
  SCOPED_TRACE(name);
  rt::CompileRequest request{name, sm90EpilogueSource(tile, spec), rt::GpuArch::kSm90a, {}};
  StatusOr<rt::CompiledKernel> compiled = rt::compileWithNvrtc(request);
  ASSERT_TRUE(compiled.isOk()) << compiled.status().toString();
  EXPECT_NE(compiled->ptx.find("wgmma.mma_async.sync.aligned"), std::string::npos);
  EXPECT_EQ(compiled->log.find("wgmma"), std::string::npos) << compiled->log;
  ASSERT_EQ(compiled->resources.size(), 1u) << compiled->log;
  EXPECT_EQ(compiled->resources[0].spillStoreBytes, 0) << compiled->log;
  EXPECT_EQ(compiled->resources[0].spillLoadBytes, 0) << compiled->log;
}

class Sm90EpilogueCompileTest : public ::testing::TestWithParam<const Sm90EpilogueSpec *> {};

// Every epilogue on the default (staged-store) tile.
TEST_P(Sm90EpilogueCompileTest, CompilesWithoutSpills) {
  expectCompilesWithoutSpills(kSm90GemmTiles[0], *GetParam());
}

INSTANTIATE_TEST_SUITE_P(Epilogues, Sm90EpilogueCompileTest, ::testing::ValuesIn(kSpecs),
                         [](const ::testing::TestParamInfo<const Sm90EpilogueSpec *> &info) {
                           return std::string(info.param->name);
                         });

// The pair-store and 2-CTA cluster tiles take other store and barrier paths: the heaviest
// epilogues on them.
TEST(Sm90EpilogueTileCompileTest, OtherTilesCompileWithoutSpills) {
  for (const Sm90GemmTile &tile : {kSm90GemmTiles[1], kSm90GemmTiles[2]})
    for (const Sm90EpilogueSpec *spec :
         {&kSm90EpiBiasGeluResidual, &kSm90EpiGatedSiluResidual, &kSm90EpiRmsNormGatedSilu})
      expectCompilesWithoutSpills(tile, *spec);
}

TEST(Sm90SeparateEpilogueCompileTest, EveryBaselineKernelCompiles) {
  for (const char *name : {"bias_add", "residual_add", "bias_gelu_residual", "bias_silu", "silu_mul",
                           "cast_f32"}) {
    SCOPED_TRACE(name);
    rt::CompileRequest request{name, kSeparateEpilogueKernelsSource, rt::GpuArch::kSm90a, {}};
    StatusOr<rt::CompiledKernel> compiled = rt::compileWithNvrtc(request);
    ASSERT_TRUE(compiled.isOk()) << compiled.status().toString();
    EXPECT_NE(compiled->ptx.find(std::string(".entry ") + name), std::string::npos);
  }
}

} // namespace
} // namespace loom::testing
