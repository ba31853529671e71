// LinearBenchSupport: compiles and launches GEMM / GEMV wrappers (the same ones the tests check,
// from test/gpu/Kernels/Gemm/LinearKernelSource.h) and the separate-kernel baselines.
#pragma once

#include "test/gpu/Kernels/Gemm/LinearKernelSource.h"
#include "tools/loom-bench/BenchSession.h"

#include <fmt/format.h>

namespace loom::bench {

/// A compiled wrapper with its spec.
struct LinearKernel {
  testing::LinearKernelSpec spec;
  BenchKernel loaded;

  static StatusOr<LinearKernel> compile(BenchSession &session, testing::LinearKernelSpec spec) {
    LinearKernel kernel{std::move(spec), {}};
    LOOM_ASSIGN_OR_RETURN(kernel.loaded,
                          session.compile(kernel.spec.name, testing::linearKernelSource(kernel.spec)));
    return kernel;
  }

  Status launch(BenchSession &session, const testing::LinearOperands &operands) {
    rt::KernelArgs args;
    testing::addLinearArgs(spec, operands, args);
    return session.launch(*loaded.kernel, testing::linearLaunch(spec, operands.m, operands.n),
                          args);
  }
};

/// X, Y and enough copies of W ([rows, K]) to exceed L2 several times over.
struct DecodeBuffers {
  rt::DeviceBuffer x, y, cublasY;
  std::vector<rt::DeviceBuffer> weights;
  static StatusOr<DecodeBuffers> create(BenchSession &session, int m, long long wRows, int k,
                                        int outCols) {
    DecodeBuffers buffers;
    LOOM_ASSIGN_OR_RETURN(buffers.x, session.randomBuffer(size_t(m) * k, ElementType::kBf16, 7));
    LOOM_ASSIGN_OR_RETURN(buffers.y, session.allocate(size_t(m) * outCols * 2));
    LOOM_ASSIGN_OR_RETURN(buffers.cublasY, session.allocate(size_t(m) * wRows * 2));
    int copies = session.rotationCopies(size_t(wRows) * k * 2);
    for (int i = 0; i < copies; ++i) {
      LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer w, session.randomBuffer(size_t(wRows) * k,
                                                                     ElementType::kBf16,
                                                                     100 + i, 0.05f));
      buffers.weights.push_back(std::move(w));
    }
    return buffers;
  }
  uint64_t weight(int iteration) const {
    return weights[size_t(iteration) % weights.size()].address();
  }
};

inline std::string gemmTileName(const testing::GemmTile &t) {
  return fmt::format("{}x{}x{} w{}x{} s{}", t.bm, t.bn, t.bk, t.warpsM, t.warpsN, t.stages);
}
inline std::string gemvTileName(const testing::GemvTile &t) {
  return fmt::format("w{} m{} r{} u{}{}", t.warps, t.maxM, t.rowTiles, t.unroll,
                     t.split > 1 ? fmt::format(" split{}", t.split) : "");
}

/// Elementwise epilogues run after cuBLAS in the unfused baselines, bf16 pairs per thread:
/// silu_mul: y[m, f] = silu(h[m, f]) * h[m, F + f] with h = [M, 2F];
/// bias_gelu_residual: y[m, n] = gelu_tanh(h[m, n] + bias[n]) + r[m, n].
constexpr const char *kSeparateEpilogueSource = R"(
#include "loom/elementwise.cuh"
extern "C" __global__ __launch_bounds__(256) void baseline_silu_mul(
    const loom::bf16x2 *h, loom::bf16x2 *y, int M, int F) {
  long long pair = blockIdx.x * 256ll + threadIdx.x, pairsPerRow = F / 2;
  if (pair >= M * pairsPerRow) return;
  long long m = pair / pairsPerRow, f = pair % pairsPerRow;
  loom::bf16x2 g = h[m * F + f], u = h[m * F + pairsPerRow + f];
  float lo = loom::Silu::apply(loom::toFloat(loom::low(g)), nullptr) * loom::toFloat(loom::low(u));
  float hi = loom::Silu::apply(loom::toFloat(loom::high(g)), nullptr) * loom::toFloat(loom::high(u));
  y[pair] = loom::toBf16x2(lo, hi);
}
extern "C" __global__ __launch_bounds__(256) void baseline_bias_gelu_residual(
    const loom::bf16x2 *h, const loom::bf16x2 *bias, const loom::bf16x2 *r, loom::bf16x2 *y,
    int M, int N) {
  long long pair = blockIdx.x * 256ll + threadIdx.x, pairsPerRow = N / 2;
  if (pair >= M * pairsPerRow) return;
  loom::bf16x2 v = h[pair], b = bias[pair % pairsPerRow], res = r[pair];
  float lo = loom::GeluTanh::apply(loom::toFloat(loom::low(v)) + loom::toFloat(loom::low(b)), nullptr);
  float hi = loom::GeluTanh::apply(loom::toFloat(loom::high(v)) + loom::toFloat(loom::high(b)), nullptr);
  y[pair] = loom::toBf16x2(lo + loom::toFloat(loom::low(res)), hi + loom::toFloat(loom::high(res)));
}
)";

/// One thread per output pair over [rows, cols].
inline rt::LaunchConfig pairwiseLaunch(long long rows, long long cols) {
  rt::LaunchConfig launch;
  launch.block.x = 256;
  launch.grid.x = unsigned((rows * cols / 2 + 255) / 256);
  return launch;
}

} // namespace loom::bench
