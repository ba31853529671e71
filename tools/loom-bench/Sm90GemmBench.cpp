// loom-bench cases of the Hopper GEMM (loom/gemm_sm90.cuh, wgmma + TMA): bf16 4096^3 and 8192^3
// over the tile table against cuBLAS, and the merged gate/up SiLU projection of a Llama MLP.
#include "test/gpu/Kernels/Sm90/Sm90Gemm.h"
#include "tools/loom-bench/BenchCase.h"
#include "tools/loom-bench/BenchSession.h"

namespace loom::bench {
namespace {

using testing::kSm90GemmTiles;
using testing::Sm90GemmEpilogue;
using testing::Sm90GemmTile;

/// Random X [M,K], W [G*N,K] and an output Y [M,G*N] (large enough for the cuBLAS baseline).
struct Sm90Buffers {
  rt::DeviceBuffer x, w, y;
  static StatusOr<Sm90Buffers> create(BenchSession &session, int m, int n, int k, int weights) {
    Sm90Buffers buffers;
    LOOM_ASSIGN_OR_RETURN(buffers.x, session.randomBuffer(size_t(m) * k, ElementType::kBf16, 11));
    LOOM_ASSIGN_OR_RETURN(buffers.w,
                          session.randomBuffer(size_t(weights) * n * k, ElementType::kBf16, 12));
    LOOM_ASSIGN_OR_RETURN(buffers.y, session.allocate(size_t(m) * weights * n * 2));
    return buffers;
  }
};

/// cuBLAS computing the same products (the [M, G*N] GEMM, without the epilogue); 0 without it.
StatusOr<double> timeCublas(BenchSession &session, const Sm90Buffers &buffers, int m, int n,
                            int k, int weights) {
  Cublas *cublas = session.cublas();
  if (!cublas)
    return 0.0;
  return session.medianMilliseconds([&](int) {
    return cublas->linear(buffers.x.address(), buffers.w.address(), buffers.y.address(), m,
                          weights * n, k, ElementType::kBf16, ElementType::kBf16);
  });
}

/// Times `tile` with `epilogue` on Y[M,N] = epilogue(X W^T) and reports it against cuBLAS timed
/// just before it (so clock drift over the case hits both alike).
Status measureTile(BenchSession &session, const Sm90Buffers &buffers, const Sm90GemmTile &tile,
                   const Sm90GemmEpilogue &epilogue, int m, int n, int k,
                   const std::string &caseName) {
  const std::string name = testing::sm90GemmKernelName(tile, epilogue);
  LOOM_ASSIGN_OR_RETURN(BenchKernel kernel,
                        session.compile(name, testing::sm90GemmSource(tile, epilogue)));
  LOOM_ASSIGN_OR_RETURN(testing::Sm90GemmOperands operands,
                        testing::encodeSm90GemmOperands(session.context().api(), tile, epilogue,
                                                        buffers.x.address(), buffers.w.address(),
                                                        m, n, k));
  LOOM_ASSIGN_OR_RETURN(int residentCtas, testing::sm90GemmResidentCtas(*kernel.kernel, tile));
  const int weights = epilogue.weightsPerOutput;
  LOOM_ASSIGN_OR_RETURN(double cublasMs, timeCublas(session, buffers, m, n, k, weights));
  LOOM_ASSIGN_OR_RETURN(double ms, session.medianMilliseconds([&](int) {
    return testing::launchSm90Gemm(*kernel.kernel, tile, epilogue, operands, 0,
                                   buffers.y.address(), m, n, k, residentCtas,
                                   session.stream().handle());
  }));
  BenchResult result;
  result.family = "gemm";
  result.name = caseName;
  result.shape = fmt::format("M={} N={}{} K={} {}x{} s{} g{} c{}{}", m, n,
                             weights == 2 ? "x2" : "", k, tile.blockM, tile.blockN, tile.stages,
                             tile.groupM, tile.cluster, tile.stagedStores ? "" : " pairs");
  result.milliseconds = ms;
  result.flops = 2.0 * m * double(weights) * n * k;
  result.bytes = 2.0 * (double(m) * k + double(weights) * n * k + double(m) * n);
  result.baseline = cublasMs > 0 ? "cuBLAS" : "";
  result.baselineMilliseconds = cublasMs;
  result.note = weights == 2 ? "fused silu(gate) * up; cuBLAS does the [M, 2N] GEMM only"
                             : tile.stagedStores ? "wgmma + TMA, staged 16-byte stores"
                                                 : "wgmma + TMA, 4-byte pair stores";
  session.report(std::move(result));
  return Status::ok();
}

Status runShape(BenchSession &session, const std::string &caseName, int m, int n, int k,
                const Sm90GemmEpilogue &epilogue, bool everyTile) {
  if (session.arch() != rt::GpuArch::kSm90a)
    return Status(StatusCode::kUnavailable, "the wgmma GEMM needs an sm_90a device (H100/H200)");
  LOOM_ASSIGN_OR_RETURN(Sm90Buffers buffers,
                        Sm90Buffers::create(session, m, n, k, epilogue.weightsPerOutput));
  for (const Sm90GemmTile &tile : kSm90GemmTiles) {
    LOOM_RETURN_IF_ERROR(measureTile(session, buffers, tile, epilogue, m, n, k, caseName));
    if (!everyTile)
      break;
  }
  return Status::ok();
}

Status runSquare4096(BenchSession &session) {
  return runShape(session, "sm90-4096", 4096, 4096, 4096, testing::kSm90Store, true);
}
Status runSquare8192(BenchSession &session) {
  return runShape(session, "sm90-8192", 8192, 8192, 8192, testing::kSm90Store, true);
}
/// Llama-3-8B MLP gate/up at 4096 tokens: W = [gate; up] of 2 x 14336 rows, K = 4096.
Status runGatedSilu(BenchSession &session) {
  return runShape(session, "sm90-gate-up-silu", 4096, 14336, 4096, testing::kSm90GatedSilu,
                  false);
}

const BenchCase kSm90GemmCases[] = {
    {"gemm", "sm90-4096", "bf16 4096^3, wgmma + TMA tiles vs cuBLAS", runSquare4096},
    {"gemm", "sm90-8192", "bf16 8192^3, wgmma + TMA tiles vs cuBLAS", runSquare8192},
    {"gemm", "sm90-gate-up-silu",
     "merged gate/up projection with fused SiLU (M=4096 F=14336 K=4096) vs cuBLAS GEMM alone",
     runGatedSilu},
};
LOOM_BENCH_CASES(kSm90GemmCases);

} // namespace
} // namespace loom::bench
