// loom-bench cases of the sm_80+ tensor-core GEMM (loom/gemm.cuh): bf16 4096^3 and 8192^3 over a
// few tile configurations against cuBLAS, and fused epilogues against cuBLAS + a separate kernel.
#include "tools/loom-bench/BenchCase.h"
#include "tools/loom-bench/LinearBenchSupport.h"

namespace loom::bench {
namespace {

using testing::EpiloguePart;
using testing::GemmTile;
using testing::LinearKernelSpec;
using testing::LinearOperands;

const GemmTile kTiles[] = {
    {128, 128, 32, 2, 2, 4}, {128, 128, 32, 2, 2, 5}, {128, 128, 64, 2, 2, 3},
    {128, 128, 32, 2, 4, 4}, {128, 256, 32, 2, 4, 3},
};

/// X, W (weightsPerOutput x N rows) and Y of one bf16 problem, filled with random values.
struct GemmBuffers {
  rt::DeviceBuffer x, w, y;
  static StatusOr<GemmBuffers> create(BenchSession &session, int m, int n, int k,
                                      int weightsPerOutput) {
    GemmBuffers buffers;
    LOOM_ASSIGN_OR_RETURN(buffers.x, session.randomBuffer(size_t(m) * k, ElementType::kBf16, 3));
    LOOM_ASSIGN_OR_RETURN(buffers.w, session.randomBuffer(size_t(weightsPerOutput) * n * k,
                                                          ElementType::kBf16, 4, 0.05f));
    LOOM_ASSIGN_OR_RETURN(buffers.y, session.allocate(size_t(m) * weightsPerOutput * n * 2));
    return buffers;
  }
};

StatusOr<double> timeCublas(BenchSession &session, const GemmBuffers &buffers, int m, int n,
                            int k) {
  Cublas *cublas = session.cublas();
  return session.medianMilliseconds([&](int) {
    return cublas->linear(buffers.x.address(), buffers.w.address(), buffers.y.address(), m, n, k,
                          ElementType::kBf16, ElementType::kBf16);
  });
}

Status runSquare(BenchSession &session, int size) {
  const int m = size, n = size, k = size;
  LOOM_ASSIGN_OR_RETURN(GemmBuffers buffers, GemmBuffers::create(session, m, n, k, 1));
  double cublasMs = 0;
  if (session.cublas()) {
    LOOM_ASSIGN_OR_RETURN(cublasMs, timeCublas(session, buffers, m, n, k));
  }
  const double flops = 2.0 * m * n * k, bytes = 2.0 * (double(m) * k + double(n) * k + double(m) * n);
  for (const GemmTile &tile : kTiles) {
    LinearKernelSpec spec;
    spec.name = "bench_gemm";
    spec.gemmTile = tile;
    LOOM_ASSIGN_OR_RETURN(LinearKernel kernel, LinearKernel::compile(session, spec));
    LinearOperands operands{buffers.x.address(), buffers.w.address(), 0, 0,
                            buffers.y.address(), m, n, k};
    LOOM_ASSIGN_OR_RETURN(double ms, session.medianMilliseconds(
                                         [&](int) { return kernel.launch(session, operands); }));
    session.report({"gemm", "bf16", fmt::format("{0}x{0}x{0} {1}", size, gemmTileName(tile)), ms,
                    flops, bytes, session.cublas() ? "cuBLAS" : "", cublasMs, "mma.sync"});
  }
  return Status::ok();
}

Status runSquare4096(BenchSession &session) { return runSquare(session, 4096); }
Status runSquare8192(BenchSession &session) { return runSquare(session, 8192); }

/// Fused gate/up + SiLU·mul (one GEMM over [2F, K]) vs cuBLAS [M, 2F] + a silu_mul kernel.
Status runFusedGatedMlp(BenchSession &session) {
  const int m = 4096, f = 8192, k = 4096;
  LOOM_ASSIGN_OR_RETURN(GemmBuffers buffers, GemmBuffers::create(session, m, f, k, 2));
  LinearKernelSpec spec;
  spec.name = "bench_gemm_gated";
  spec.gemmTile = {128, 128, 32, 2, 4, 4}; // 64x32 warp tiles: gate + up accumulators fit
  spec.gated = true;
  LOOM_ASSIGN_OR_RETURN(LinearKernel kernel, LinearKernel::compile(session, spec));
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer out, session.allocate(size_t(m) * f * 2));
  LinearOperands operands{buffers.x.address(), buffers.w.address(), 0, 0, out.address(), m, f, k};
  LOOM_ASSIGN_OR_RETURN(double ms, session.medianMilliseconds(
                                       [&](int) { return kernel.launch(session, operands); }));
  double baselineMs = 0;
  if (Cublas *cublas = session.cublas()) {
    LOOM_ASSIGN_OR_RETURN(BenchKernel siluMul,
                          session.compile("baseline_silu_mul", kSeparateEpilogueSource));
    LOOM_ASSIGN_OR_RETURN(baselineMs, session.medianMilliseconds([&](int) -> Status {
      LOOM_RETURN_IF_ERROR(cublas->linear(buffers.x.address(), buffers.w.address(),
                                          buffers.y.address(), m, 2 * f, k, ElementType::kBf16,
                                          ElementType::kBf16));
      rt::KernelArgs args;
      args.add(buffers.y.address()).add(out.address()).add(m).add(f);
      return session.launch(*siluMul.kernel, pairwiseLaunch(m, f), args);
    }));
  }
  session.report({"gemm", "fused-gated-silu", fmt::format("M={} F={} K={}", m, f, k), ms,
                  2.0 * m * 2 * f * k, 2.0 * (double(m) * k + 2.0 * f * k + double(m) * f),
                  session.cublas() ? "cuBLAS+silu_mul" : "", baselineMs,
                  gemmTileName(spec.gemmTile)});
  return Status::ok();
}

/// Bias + GELU(tanh) + residual fused into the GEMM vs cuBLAS + one elementwise kernel.
Status runFusedBiasGeluResidual(BenchSession &session) {
  const int m = 4096, n = 4096, k = 4096;
  LOOM_ASSIGN_OR_RETURN(GemmBuffers buffers, GemmBuffers::create(session, m, n, k, 1));
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer bias, session.randomBuffer(n, ElementType::kBf16, 5));
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer residual,
                        session.randomBuffer(size_t(m) * n, ElementType::kBf16, 6));
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer out, session.allocate(size_t(m) * n * 2));
  LinearKernelSpec spec;
  spec.name = "bench_gemm_bias_gelu_residual";
  spec.gemmTile = {128, 128, 32, 2, 2, 4};
  spec.parts = {EpiloguePart::kBias, EpiloguePart::kGeluTanh, EpiloguePart::kResidual};
  LOOM_ASSIGN_OR_RETURN(LinearKernel kernel, LinearKernel::compile(session, spec));
  LinearOperands operands{buffers.x.address(), buffers.w.address(), bias.address(),
                          residual.address(), out.address(), m, n, k};
  LOOM_ASSIGN_OR_RETURN(double ms, session.medianMilliseconds(
                                       [&](int) { return kernel.launch(session, operands); }));
  double baselineMs = 0;
  if (Cublas *cublas = session.cublas()) {
    LOOM_ASSIGN_OR_RETURN(BenchKernel epilogue, session.compile("baseline_bias_gelu_residual",
                                                                kSeparateEpilogueSource));
    LOOM_ASSIGN_OR_RETURN(baselineMs, session.medianMilliseconds([&](int) -> Status {
      LOOM_RETURN_IF_ERROR(cublas->linear(buffers.x.address(), buffers.w.address(),
                                          buffers.y.address(), m, n, k, ElementType::kBf16,
                                          ElementType::kBf16));
      rt::KernelArgs args;
      args.add(buffers.y.address()).add(bias.address()).add(residual.address())
          .add(out.address()).add(m).add(n);
      return session.launch(*epilogue.kernel, pairwiseLaunch(m, n), args);
    }));
  }
  session.report({"gemm", "fused-bias-gelu-residual", fmt::format("M={} N={} K={}", m, n, k), ms,
                  2.0 * m * n * k, 2.0 * (double(m) * k + double(n) * k + 2.0 * m * n),
                  session.cublas() ? "cuBLAS+epilogue" : "", baselineMs,
                  gemmTileName(spec.gemmTile)});
  return Status::ok();
}

const BenchCase kGemmCases[] = {
    {"gemm", "bf16-4096", "bf16 GEMM 4096^3, mma.sync tile sweep vs cuBLAS", runSquare4096},
    {"gemm", "bf16-8192", "bf16 GEMM 8192^3, mma.sync tile sweep vs cuBLAS", runSquare8192},
    {"gemm", "fused-gated-silu", "gate/up GEMM with SiLU*mul epilogue vs cuBLAS + silu_mul",
     runFusedGatedMlp},
    {"gemm", "fused-bias-gelu-residual",
     "GEMM with bias+GELU+residual epilogue vs cuBLAS + elementwise", runFusedBiasGeluResidual},
};
LOOM_BENCH_CASES(kGemmCases);

} // namespace
} // namespace loom::bench
