// loom-bench cases of the decode linear (loom/gemv.cuh): M in {1, 4, 16} rows against the copy
// roofline and cuBLAS, W rotated among copies so that timings measure HBM rather than L2, each
// also with programmatic dependent launch (decode-overlap: the next launch streams W while the
// last drains), and the fused gate/up + SiLU·mul decode projection against cuBLAS + a separate
// kernel.
#include "tools/loom-bench/BenchCase.h"
#include "tools/loom-bench/LinearBenchSupport.h"

#include <limits>
#include <string_view>

namespace loom::bench {
namespace {

using testing::GemvTile;
using testing::LinearKernelSpec;
using testing::LinearOperands;

/// A GEMV tile and its load-ring depth (GemvConfig's STAGES: batches per warp in registers).
struct DecodeTile {
  GemvTile tile;
  int stages = 2;
};

// Few warps per CTA let many CTAs stay resident, so one wave streams W without bubbles; more
// warps give each CTA deeper K splits; a deeper ring keeps more bytes in flight per warp at the
// cost of registers (fewer resident CTAs). The fastest per shape is reported.
const DecodeTile kSmallBatchTiles[] = {
    {{16, 8, 1, 2}}, {{8, 8, 1, 2}},     {{4, 8, 1, 2}},     {{4, 8, 1, 4}},    {{2, 8, 1, 4}},
    {{16, 8, 1, 4}}, {{8, 8, 1, 4}},     {{16, 8, 2, 2}},    {{16, 8, 1, 2}, 3}, {{8, 8, 1, 4}, 3},
    {{4, 8, 1, 4}, 3}, {{16, 8, 1, 2}, 4}};
const DecodeTile kFullBatchTiles[] = {{{8, 16, 1, 2}},  {{4, 16, 1, 2}},    {{4, 16, 1, 4}},
                                      {{8, 16, 2, 2}},  {{16, 16, 1, 2}},   {{16, 16, 1, 2}, 3},
                                      {{8, 16, 1, 2}, 3}, {{4, 16, 1, 4}, 3}};

std::string decodeTileName(const DecodeTile &tile) {
  return gemvTileName(tile.tile) + (tile.stages == 2 ? "" : fmt::format(" s{}", tile.stages));
}

/// The wrapper of `spec` with `stages` as GemvConfig's fifth argument (the ring depth): every
/// GemvConfig's arguments become WARPS, MAX_M, ROW_TILES, UNROLL, STAGES, SPLIT of the spec's tile.
StatusOr<LinearKernel> compileDecode(BenchSession &session, LinearKernelSpec spec, int stages) {
  std::string source = testing::linearKernelSource(spec);
  // Always explicit: without a fifth argument loom::gemv picks its own depth (2 or 3).
  const GemvTile &t = spec.gemvTile;
  const std::string arguments =
      fmt::format("{}, {}, {}, {}, {}, {}", t.warps, t.maxM, t.rowTiles, t.unroll, stages, t.split);
  constexpr std::string_view kConfig = "loom::GemvConfig<";
  int replaced = 0;
  for (size_t at = source.find(kConfig); at != std::string::npos; at = source.find(kConfig, at + 1)) {
    size_t begin = at + kConfig.size(), end = source.find('>', begin);
    if (end == std::string::npos)
      return LOOM_ERROR(StatusCode::kInternal, fmt::format("{}: a GemvConfig without its '>'", spec.name));
    source.replace(begin, end - begin, arguments);
    ++replaced;
  }
  if (replaced == 0)
    return LOOM_ERROR(StatusCode::kInternal, fmt::format("{}: the wrapper names no loom::GemvConfig", spec.name));
  LinearKernel kernel{std::move(spec), {}};
  LOOM_ASSIGN_OR_RETURN(kernel.loaded, session.compile(kernel.spec.name, source));
  return kernel;
}

/// The fastest of `tiles` for one spec; `best` names it. With `overlap`, each launch is a
/// programmatic dependent launch: it starts its W stream while the launch before it drains
/// (loom/gemv.cuh), as the decode kernels of a step do.
StatusOr<double> fastestGemv(BenchSession &session, LinearKernelSpec spec,
                             std::span<const DecodeTile> tiles, const DecodeBuffers &buffers,
                             LinearOperands operands, std::string &best, bool overlap = false) {
  double bestMs = std::numeric_limits<double>::infinity();
  for (const DecodeTile &tile : tiles) {
    spec.gemvTile = tile.tile;
    LOOM_ASSIGN_OR_RETURN(LinearKernel kernel, compileDecode(session, spec, tile.stages));
    LOOM_ASSIGN_OR_RETURN(double ms, session.medianMilliseconds([&](int iteration) {
      LinearOperands rotated = operands;
      rotated.w = buffers.weight(iteration);
      rt::KernelArgs args;
      testing::addLinearArgs(kernel.spec, rotated, args);
      rt::LaunchConfig launch = testing::linearLaunch(kernel.spec, rotated.m, rotated.n);
      launch.overlapPrevious = overlap;
      return session.launch(*kernel.loaded.kernel, launch, args);
    }));
    if (ms < bestMs) {
      bestMs = ms;
      best = decodeTileName(tile);
    }
  }
  return bestMs;
}

Status runDecode(BenchSession &session) {
  const int batches[] = {1, 4, 16};
  // Issue 4's decode range: N 8192-14336, K 2048-4096 (32-117 MB of weights), each corner.
  const std::pair<int, int> shapes[] = {{8192, 2048}, {8192, 4096}, {14336, 2048}, {14336, 4096}};
  for (auto [n, k] : shapes)
    for (int m : batches) {
      LOOM_ASSIGN_OR_RETURN(DecodeBuffers buffers, DecodeBuffers::create(session, m, n, k, n));
      LinearKernelSpec spec;
      spec.name = "bench_gemv";
      spec.gemv = true;
      std::string best;
      LinearOperands operands{buffers.x.address(), 0, 0, 0, buffers.y.address(), m, n, k};
      std::span<const DecodeTile> tiles =
          m <= 8 ? std::span<const DecodeTile>(kSmallBatchTiles) : kFullBatchTiles;
      LOOM_ASSIGN_OR_RETURN(double ms, fastestGemv(session, spec, tiles, buffers, operands, best));
      std::string bestOverlapped;
      LOOM_ASSIGN_OR_RETURN(double overlappedMs, fastestGemv(session, spec, tiles, buffers, operands,
                                                             bestOverlapped, /*overlap=*/true));
      double cublasMs = 0;
      if (Cublas *cublas = session.cublas()) {
        LOOM_ASSIGN_OR_RETURN(cublasMs, session.medianMilliseconds([&](int iteration) {
          return cublas->linear(buffers.x.address(), buffers.weight(iteration),
                                buffers.cublasY.address(), m, n, k, ElementType::kBf16,
                                ElementType::kBf16);
        }));
      }
      session.report({"gemv", "decode", fmt::format("M={} N={} K={}", m, n, k), ms,
                      2.0 * m * n * k, 2.0 * (double(n) * k + double(m) * k + double(m) * n),
                      session.cublas() ? "cuBLAS" : "", cublasMs,
                      fmt::format("best {}; {} W copies", best, buffers.weights.size())});
      session.report({"gemv", "decode-overlap", fmt::format("M={} N={} K={}", m, n, k), overlappedMs,
                      2.0 * m * n * k, 2.0 * (double(n) * k + double(m) * k + double(m) * n),
                      session.cublas() ? "cuBLAS" : "", cublasMs,
                      fmt::format("programmatic dependent launch; best {}", bestOverlapped)});
    }
  return Status::ok();
}

/// Decode gate/up projection with SiLU·mul fused vs cuBLAS [1, 2F] + a silu_mul kernel.
Status runFusedGatedDecode(BenchSession &session) {
  const int m = 1, f = 14336, k = 4096;
  LOOM_ASSIGN_OR_RETURN(DecodeBuffers buffers,
                        DecodeBuffers::create(session, m, 2ll * f, k, f));
  LinearKernelSpec spec;
  spec.name = "bench_gemv_gated";
  spec.gemv = true;
  spec.gated = true;
  std::string best;
  LinearOperands operands{buffers.x.address(), 0, 0, 0, buffers.y.address(), m, f, k};
  LOOM_ASSIGN_OR_RETURN(double ms, fastestGemv(session, spec, kSmallBatchTiles, buffers,
                                               operands, best));
  double baselineMs = 0;
  if (Cublas *cublas = session.cublas()) {
    LOOM_ASSIGN_OR_RETURN(BenchKernel siluMul,
                          session.compile("baseline_silu_mul", kSeparateEpilogueSource));
    LOOM_ASSIGN_OR_RETURN(baselineMs, session.medianMilliseconds([&](int iteration) -> Status {
      LOOM_RETURN_IF_ERROR(cublas->linear(buffers.x.address(), buffers.weight(iteration),
                                          buffers.cublasY.address(), m, 2 * f, k,
                                          ElementType::kBf16, ElementType::kBf16));
      rt::KernelArgs args;
      args.add(buffers.cublasY.address()).add(buffers.y.address()).add(m).add(f);
      return session.launch(*siluMul.kernel, pairwiseLaunch(m, f), args);
    }));
  }
  session.report({"gemv", "fused-gated-silu", fmt::format("M={} F={} K={}", m, f, k), ms,
                  2.0 * m * 2 * f * k, 2.0 * (2.0 * f * k + double(m) * k + double(m) * f),
                  session.cublas() ? "cuBLAS+silu_mul" : "", baselineMs, "best " + best});
  return Status::ok();
}

const BenchCase kGemvCases[] = {
    {"gemv", "decode", "decode linear M in {1,4,16} x N in {8192,14336} x K in {2048,4096}, plain and PDL launches, vs copy and cuBLAS",
     runDecode},
    {"gemv", "fused-gated-silu", "decode gate/up + SiLU*mul fused vs cuBLAS + silu_mul",
     runFusedGatedDecode},
};
LOOM_BENCH_CASES(kGemvCases);

} // namespace
} // namespace loom::bench
