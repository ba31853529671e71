// The Hopper GEMM (loom/gemm_sm90.cuh) with every fused epilogue the emitter writes — bias,
// activations, residual add, merged gate/up SiLU, f32 output — and the RMSNorm prologue, against
// a CPU f64 reference on random bf16 inputs, ragged M (1, 7, 33, 1000, 4095) and N/K tails;
// skips without sm_90a.
#include "test/gpu/Kernels/Sm90/Sm90Epilogues.h"

#include "test/gpu/GpuTestSupport.h"

#include <set>

namespace loom::testing {
namespace {

struct EpilogueCase {
  const Sm90EpilogueSpec *spec;
  int M, N, K;
  int tile = 0; ///< index into kSm90GemmTiles
};

std::string caseName(const ::testing::TestParamInfo<EpilogueCase> &info) {
  const EpilogueCase &c = info.param;
  return fmt::format("{}_M{}_N{}_K{}_tile{}", c.spec->name, c.M, c.N, c.K, c.tile);
}

std::vector<uint16_t> randomBf16(size_t count, uint32_t seed) {
  std::vector<float> values = randomFloats(count, seed);
  std::vector<uint16_t> bits(count);
  for (size_t i = 0; i < count; ++i)
    bits[i] = bf16Bits(values[i]);
  return bits;
}

/// Rows compared with the reference: all up to 64, else tile edges, the tail and random rows.
std::vector<int> checkedRows(int M) {
  std::set<int> rows;
  if (M <= 64) {
    for (int row = 0; row < M; ++row)
      rows.insert(row);
  } else {
    rows = {0, 1, 63, 64, 127, 128, M / 2, M - 2, M - 1};
    std::mt19937 generator(M);
    while (rows.size() < 16)
      rows.insert(int(generator() % uint32_t(M)));
  }
  return {rows.begin(), rows.end()};
}

class Sm90EpilogueTest : public DeviceBufferTest,
                         public ::testing::WithParamInterface<EpilogueCase> {
protected:
  void SetUp() override {
    DeviceBufferTest::SetUp();
    if (IsSkipped() || HasFatalFailure())
      return;
    if (arch_ != rt::GpuArch::kSm90a)
      GTEST_SKIP() << "the wgmma GEMM needs an sm_90a device (H100/H200)";
  }
};

TEST_P(Sm90EpilogueTest, MatchesReference) {
  const EpilogueCase &c = GetParam();
  const Sm90EpilogueSpec &spec = *c.spec;
  const Sm90GemmTile &tile = kSm90GemmTiles[c.tile];
  const int G = spec.weightsPerOutput();
  const size_t outputs = size_t(c.M) * c.N, guard = 1024;
  const size_t outBytes = spec.floatOutput ? 4 : 2;

  std::vector<uint16_t> x = randomBf16(size_t(c.M) * c.K, 41), w = randomBf16(size_t(G) * c.N * c.K, 42),
                        bias = randomBf16(c.N, 43), residual = randomBf16(outputs, 44);
  const uint64_t xDevice = upload(x), wDevice = upload(w), biasDevice = upload(bias),
                 residualDevice = upload(residual);
  const uint64_t yDevice = poisoned((outputs + guard) * outBytes);

  StatusOr<LoadedKernel> loaded =
      compileAndLoad(sm90EpilogueKernelName(tile, spec), sm90EpilogueSource(tile, spec));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  StatusOr<Sm90GemmOperands> operands = encodeSm90GemmOperands(
      context_->api(), tile, spec.launchShape(), xDevice, wDevice, c.M, c.N, c.K);
  ASSERT_TRUE(operands.isOk()) << operands.status().toString();
  StatusOr<int> residentCtas = sm90GemmResidentCtas(*loaded->kernel, tile);
  ASSERT_TRUE(residentCtas.isOk()) << residentCtas.status().toString();
  Status launched = launchSm90Epilogue(*loaded->kernel, tile, spec, *operands, biasDevice,
                                       residualDevice, yDevice, c.M, c.N, c.K, *residentCtas,
                                       stream_->handle());
  ASSERT_TRUE(launched.isOk()) << launched.toString();

  // Y as floats (NaN where unwritten), and the guard past its end untouched.
  std::vector<float> y(outputs + guard);
  if (spec.floatOutput) {
    y = download<float>(yDevice, outputs + guard);
  } else {
    std::vector<uint16_t> bits = download<uint16_t>(yDevice, outputs + guard);
    for (size_t i = 0; i < bits.size(); ++i)
      y[i] = bf16ToFloat(bits[i]);
  }
  int unwritten = 0, guardOverwritten = 0;
  for (size_t i = 0; i < outputs; ++i)
    unwritten += std::isnan(y[i]);
  for (size_t i = outputs; i < y.size(); ++i)
    guardOverwritten += !std::isnan(y[i]);
  EXPECT_EQ(unwritten, 0);
  EXPECT_EQ(guardOverwritten, 0);

  // bf16 outputs: rounding of the result (and, unfused, of H) ~2^-8 relative; f32 outputs only
  // the f32 accumulation order.
  const double relative = spec.floatOutput ? 1e-4 : 1.0 / 128, absolute = spec.floatOutput ? 1e-3 : 1e-2;
  double errorSquares = 0, referenceSquares = 0;
  int bad = 0;
  std::string firstBad;
  for (int row : checkedRows(c.M)) {
    double squares = 0;
    for (int k = 0; k < c.K; ++k)
      squares += double(bf16ToFloat(x[size_t(row) * c.K + k])) * bf16ToFloat(x[size_t(row) * c.K + k]);
    const double rowScale = spec.rmsNorm ? 1.0 / std::sqrt(squares / c.K + kSm90RmsNormEps) : 1.0;
    for (int col = 0; col < c.N; ++col) {
      double dots[2] = {0, 0};
      for (int g = 0; g < G; ++g)
        for (int k = 0; k < c.K; ++k)
          dots[g] += double(bf16ToFloat(x[size_t(row) * c.K + k])) *
                     bf16ToFloat(w[(size_t(g) * c.N + col) * c.K + k]);
      const double expected = sm90EpilogueReference(
          spec, dots[0], dots[1], bf16ToFloat(bias[col]),
          bf16ToFloat(residual[size_t(row) * c.N + col]), rowScale);
      const double actual = y[size_t(row) * c.N + col];
      errorSquares += (actual - expected) * (actual - expected);
      referenceSquares += expected * expected;
      if (!(std::fabs(actual - expected) <= relative * std::fabs(expected) + absolute) && bad++ == 0)
        firstBad = fmt::format("Y[{}][{}] = {} expected {}", row, col, actual, expected);
    }
  }
  EXPECT_EQ(bad, 0) << firstBad;
  EXPECT_LT(std::sqrt(errorSquares / std::max(referenceSquares, 1e-30)),
            spec.floatOutput ? 1e-5 : 4e-3);
}

// Tile 0 is the staged default; tile 1 stores pairs, tile 2 is the 2-CTA cluster.
INSTANTIATE_TEST_SUITE_P(
    Epilogues, Sm90EpilogueTest,
    ::testing::Values(EpilogueCase{&kSm90EpiResidual, 1, 256, 64},
                      EpilogueCase{&kSm90EpiResidual, 7, 1000, 72},
                      EpilogueCase{&kSm90EpiResidual, 33, 520, 1000},
                      EpilogueCase{&kSm90EpiResidual, 4095, 1048, 1000},
                      EpilogueCase{&kSm90EpiResidual, 1000, 1048, 1000, 1},
                      EpilogueCase{&kSm90EpiResidual, 1000, 1048, 1000, 2},
                      EpilogueCase{&kSm90EpiBias, 33, 776, 136},
                      EpilogueCase{&kSm90EpiBiasSilu, 7, 520, 1000},
                      EpilogueCase{&kSm90EpiBiasSilu, 1000, 1048, 264},
                      EpilogueCase{&kSm90EpiBiasGeluResidual, 1, 1000, 512},
                      EpilogueCase{&kSm90EpiBiasGeluResidual, 4095, 1048, 1000},
                      EpilogueCase{&kSm90EpiBiasGeluResidual, 1000, 1048, 1000, 1},
                      EpilogueCase{&kSm90EpiGatedSilu, 33, 1384, 1000},
                      EpilogueCase{&kSm90EpiGatedSiluResidual, 7, 1384, 1000},
                      EpilogueCase{&kSm90EpiGatedSiluResidual, 1000, 1384, 520},
                      EpilogueCase{&kSm90EpiCastF32, 1, 256, 64},
                      EpilogueCase{&kSm90EpiCastF32, 33, 1000, 1000},
                      EpilogueCase{&kSm90EpiCastF32, 4095, 1048, 520},
                      EpilogueCase{&kSm90EpiResidualCastF32, 1000, 1048, 1000},
                      EpilogueCase{&kSm90EpiRmsNorm, 1, 256, 64},
                      EpilogueCase{&kSm90EpiRmsNorm, 33, 520, 1000},
                      EpilogueCase{&kSm90EpiRmsNorm, 4095, 1048, 2048},
                      EpilogueCase{&kSm90EpiRmsNorm, 1000, 1048, 1000, 1},
                      EpilogueCase{&kSm90EpiRmsNorm, 1000, 1048, 1000, 2},
                      // The tiles the cost model gives the 1B model's QKV (128x128) and gives
                      // it without the guarded-rows score (192x128), at its N and K.
                      EpilogueCase{&kSm90EpiRmsNorm, 1000, 3072, 2048, 5},
                      EpilogueCase{&kSm90EpiRmsNorm, 1000, 3072, 2048, 4},
                      EpilogueCase{&kSm90EpiRmsNormGatedSilu, 7, 1384, 1000},
                      EpilogueCase{&kSm90EpiRmsNormGatedSilu, 1000, 1384, 520},
                      EpilogueCase{&kSm90EpiRmsNormBiasResidual, 300, 776, 4096}),
    caseName);

} // namespace
} // namespace loom::testing
