// loom/gemm_simt.cuh on the GPU vs a float64 CPU reference: f32 / bf16 / f16, ragged M (1, 7,
// 33), K = 172 and N = 172 (stories260k's FFN), odd N and K, both tiles, the plain GEMM, the RMSNorm
// prologue with a gated silu, and bias + residual epilogues.
#include "SimtKernels.h"

#include <cmath>

namespace loom::testing {
namespace {

struct GemmProblem {
  Element element;
  int tile;
  GemmVariant variant;
  int m, n, k;
};

class SimtGemmGpuTest : public SimtGpuTest, public ::testing::WithParamInterface<GemmProblem> {};

/// The float64 result of the problem from the rounded inputs, before output rounding.
std::vector<double> reference(const GemmProblem &p, const std::vector<float> &x, const std::vector<float> &w,
                              const std::vector<float> &bias, const std::vector<float> &residual) {
  std::vector<double> y(size_t(p.m) * p.n);
  for (int r = 0; r < p.m; ++r) {
    double scale = 1.0;
    if (p.variant == GemmVariant::kRmsGatedSilu) {
      double squares = 0;
      for (int c = 0; c < p.k; ++c)
        squares += double(x[size_t(r) * p.k + c]) * x[size_t(r) * p.k + c];
      scale = 1.0 / std::sqrt(squares / p.k + 1e-5);
    }
    auto dot = [&](int row) {
      double sum = 0;
      for (int c = 0; c < p.k; ++c)
        sum += double(x[size_t(r) * p.k + c]) * w[size_t(row) * p.k + c];
      return sum * scale;
    };
    for (int n = 0; n < p.n; ++n) {
      double value = dot(n);
      if (p.variant == GemmVariant::kRmsGatedSilu)
        value = value / (1.0 + std::exp(-value)) * dot(p.n + n);
      if (p.variant == GemmVariant::kBiasResidual)
        value += double(bias[n]) + residual[size_t(r) * p.n + n];
      y[size_t(r) * p.n + n] = value;
    }
  }
  return y;
}

TEST_P(SimtGemmGpuTest, MatchesFloat64Reference) {
  const GemmProblem p = GetParam();
  const std::string name = gemmKernelName(p.element, p.tile, p.variant);
  rt::Kernel *function = kernel(name, gemmKernelSource(p.element, p.tile, p.variant));
  ASSERT_NE(function, nullptr);
  const int weightRows = p.variant == GemmVariant::kRmsGatedSilu ? 2 * p.n : p.n;
  const uint32_t seed = uint32_t(p.m * 7919 + p.n * 31 + p.k + int(p.variant) * 100003);
  const std::vector<float> x = randomValues(p.element, size_t(p.m) * p.k, seed, 2.0f);
  const std::vector<float> w = randomValues(p.element, size_t(weightRows) * p.k, seed + 1, 0.3f);
  const std::vector<float> bias = randomValues(p.element, size_t(p.n), seed + 2);
  const std::vector<float> residual = randomValues(p.element, size_t(p.m) * p.n, seed + 3);
  const size_t bytes = elementInfo(p.element).bytes, outputs = size_t(p.m) * p.n;
  const uint64_t y = poisoned(outputs * bytes);
  rt::KernelArgs args;
  args.add(uploadAs(p.element, x)).add(uploadAs(p.element, w)).add(uploadAs(p.element, bias));
  args.add(uploadAs(p.element, residual)).add(y).add(p.m).add(p.n).add(p.k);
  const GemmTile &tile = kGemmTiles[p.tile];
  rt::LaunchConfig config;
  config.grid.x = unsigned((p.m + tile.bm - 1) / tile.bm * ((p.n + tile.bn - 1) / tile.bn));
  config.block.x = unsigned(tile.threads());
  ASSERT_TRUE(rt::launchKernel(*function, config, args, stream_->handle()).isOk());
  const std::vector<float> got = downloadAs(p.element, y, outputs);
  const std::vector<double> want = reference(p, x, w, bias, residual);

  // f32: accumulation order only; 16-bit outputs: one rounding (2^-8 bf16, 2^-11 f16 relative).
  const double rtol = p.element == Element::kBf16 ? 1.0 / 256 : p.element == Element::kF16 ? 1.0 / 1024 : 1e-5;
  const double atol = p.element == Element::kF32 ? 1e-5 : 1e-3;
  double errorSquares = 0, referenceSquares = 0;
  for (size_t i = 0; i < outputs; ++i) {
    ASSERT_TRUE(std::isfinite(got[i])) << "element " << i << " not written";
    const double error = std::fabs(got[i] - want[i]);
    ASSERT_LE(error, atol + rtol * std::fabs(want[i])) << "row " << i / p.n << " col " << i % p.n << ": got "
                                                       << got[i] << ", want " << want[i];
    errorSquares += error * error, referenceSquares += want[i] * want[i];
  }
  EXPECT_LT(std::sqrt(errorSquares / referenceSquares), p.element == Element::kF32 ? 1e-6 : 4e-3);
}

std::vector<GemmProblem> problems() {
  std::vector<GemmProblem> all;
  const std::tuple<int, int> shapes[] = {{64, 172}, {172, 64}, {37, 53}};
  for (const ElementInfo &e : kElements)
    for (int tile = 0; tile < 2; ++tile)
      for (GemmVariant variant : {GemmVariant::kPlain, GemmVariant::kRmsGatedSilu, GemmVariant::kBiasResidual})
        for (int m : {1, 7, 33})
          for (auto [n, k] : shapes)
            all.push_back({e.element, tile, variant, m, n, k});
  return all;
}

INSTANTIATE_TEST_SUITE_P(Shapes, SimtGemmGpuTest, ::testing::ValuesIn(problems()), [](const auto &param) {
  const GemmProblem &p = param.param;
  return fmt::format("{}_tile{}_v{}_m{}_n{}_k{}", elementInfo(p.element).name, p.tile, int(p.variant), p.m, p.n, p.k);
});

} // namespace
} // namespace loom::testing
