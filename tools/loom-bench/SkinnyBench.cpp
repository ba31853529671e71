// loom-bench cases of the skinny linear (17..128 rows: loom/gemm_sm90_skinny.cuh on wgmma, what
// tile-tiling emits on sm_90a, and loom/gemm_skinny.cuh on mma.sync): the Llama-3.2-1B
// decode linears at M in {24, 64, 128} with the model's fused prologue/gating/epilogue, against
// the copy roofline and cuBLAS (plain linear, same M/N/K) in the same run; W rotated among copies
// so that timings measure HBM rather than L2; plain and programmatic-dependent launches.
#include "tools/loom-bench/BenchCase.h"
#include "tools/loom-bench/LinearBenchSupport.h"

#include <algorithm>
#include <limits>

namespace loom::bench {
namespace {

using testing::LinearKernelSpec;
using testing::LinearOperands;
using testing::SkinnyTile;

/// One decode linear of the model: W is [gating * n, k].
struct ModelLinear {
  const char *name;
  int n, k;
  bool rmsNorm, gated, residual;
};
const ModelLinear kModelLinears[] = {{"qkv", 3072, 2048, true, false, false},
                                     {"o_proj", 2048, 2048, false, false, true},
                                     {"gate_up", 8192, 2048, true, true, false},
                                     {"down", 2048, 8192, false, false, true}};

/// The compiler's split rule (compiler/Transforms/Tile/SkinnyVariants.cpp): as many K ranges
/// per column block as fill the SMs once, at most 8 (a portable cluster), shrunk to the ranges
/// of whole `chunk`-column pieces (128 for mma.sync, 64 for wgmma) that get any.
int ruleSplit(int columnBlocks, int multiprocessors, int k, int chunk) {
  int split = std::clamp(multiprocessors / std::max(columnBlocks, 1), 1, 8);
  int perRank = (k + split * chunk - 1) / (split * chunk) * chunk;
  return (k + perRank - 1) / perRank;
}

std::string skinnyTileName(const SkinnyTile &t) {
  return fmt::format("{}m{} split{} s{}", t.wgmma ? "wgmma " : "", t.maxM, t.split, t.stages);
}

Status runModelLinears(BenchSession &session) {
  const int kMultiprocessors = 132; // the H100 of docs/perf-gemm.md; the rule's input
  for (const ModelLinear &linear : kModelLinears)
    for (int m : {24, 64, 128}) {
      const int g = linear.gated ? 2 : 1, wRows = g * linear.n;
      LOOM_ASSIGN_OR_RETURN(DecodeBuffers buffers,
                            DecodeBuffers::create(session, m, wRows, linear.k, linear.n));
      LinearKernelSpec spec;
      spec.name = fmt::format("bench_skinny_{}", linear.name);
      spec.skinny = true;
      spec.rmsNorm = linear.rmsNorm;
      spec.gated = linear.gated;
      if (linear.residual)
        spec.parts = {testing::EpiloguePart::kResidual};
      const int columnBlocks = (linear.n + 128 / g - 1) / (128 / g);
      const int rule = ruleSplit(columnBlocks, kMultiprocessors, linear.k, 128);
      int wgmmaRule = ruleSplit(columnBlocks, kMultiprocessors, linear.k, 64);
      for (int balanced = wgmmaRule; 2 * balanced >= wgmmaRule && balanced > 1; --balanced)
        if ((linear.k + 63) / 64 % balanced == 0) { // the compiler's balancedSplit
          wgmmaRule = balanced;
          break;
        }
      // The rule's tile first (what tile-tiling emits on sm_90a: wgmma, MAX_M 128, 3 stages with
      // clusters, 4 without), then its neighbours and the mma.sync tiles.
      std::vector<SkinnyTile> tiles = {{128, wgmmaRule, wgmmaRule > 1 ? 3 : 4, true},
                                       {128, rule, 3}, {128, rule, 2}};
      if (m <= 64)
        tiles.push_back({64, wgmmaRule, 4, true});
      for (int split : {4, 8})
        if (split != wgmmaRule)
          tiles.push_back({128, split, 3, true});
      LinearOperands operands{buffers.x.address(), 0, 0, buffers.cublasY.address(),
                              buffers.y.address(), m, linear.n, linear.k};
      double cublasMs = 0;
      if (Cublas *cublas = session.cublas()) {
        LOOM_ASSIGN_OR_RETURN(cublasMs, session.medianMilliseconds([&](int iteration) {
          return cublas->linear(buffers.x.address(), buffers.weight(iteration),
                                buffers.cublasY.address(), m, wRows, linear.k, ElementType::kBf16,
                                ElementType::kBf16);
        }));
      }
      const std::string shape = fmt::format("{} M={} N={} K={}", linear.name, m, wRows, linear.k);
      const double flops = 2.0 * m * wRows * linear.k;
      const double bytes = 2.0 * (double(wRows) * linear.k + double(m) * linear.k +
                                  double(m) * linear.n * (linear.residual ? 2 : 1));
      for (bool overlap : {false, true}) {
        double bestMs = std::numeric_limits<double>::infinity(), ruleMs = 0;
        std::string best;
        for (const SkinnyTile &tile : tiles) {
          spec.skinnyTile = tile;
          spec.name = fmt::format("bench_skinny_{}{}_m{}_s{}_st{}", tile.wgmma ? "wg_" : "", linear.name,
                                  tile.maxM, tile.split, tile.stages);
          LOOM_ASSIGN_OR_RETURN(LinearKernel kernel, LinearKernel::compile(session, spec));
          std::vector<LinearOperands> rotations; // one per W copy (the wgmma wrapper's tensor maps)
          for (size_t copy = 0; copy < buffers.weights.size(); ++copy) {
            LinearOperands rotated = operands;
            rotated.w = buffers.weights[copy].address();
            LOOM_RETURN_IF_ERROR(testing::encodeSkinnyOperands(session.context().api(), spec, rotated));
            rotations.push_back(rotated);
          }
          LOOM_ASSIGN_OR_RETURN(double ms, session.medianMilliseconds([&](int iteration) {
            rt::KernelArgs args;
            testing::addLinearArgs(kernel.spec, rotations[size_t(iteration) % rotations.size()], args);
            rt::LaunchConfig launch = testing::linearLaunch(kernel.spec, m, linear.n);
            launch.overlapPrevious = overlap;
            return session.launch(*kernel.loaded.kernel, launch, args);
          }));
          if (&tile == &tiles.front())
            ruleMs = ms;
          if (ms < bestMs) {
            bestMs = ms;
            best = skinnyTileName(tile);
          }
        }
        session.report({"skinny", overlap ? "model-overlap" : "model", shape, ruleMs, flops, bytes,
                        session.cublas() ? "cuBLAS" : "", cublasMs,
                        fmt::format("rule {}; best {} {:.4f} ms{}", skinnyTileName(tiles.front()),
                                    best, bestMs,
                                    overlap ? "; programmatic dependent launch" : "")});
      }
    }
  return Status::ok();
}

const BenchCase kSkinnyCases[] = {
    {"skinny", "model",
     "Llama-3.2-1B decode linears (fused prologue/gating/epilogue) at M in {24,64,128} vs copy "
     "roofline and cuBLAS",
     runModelLinears},
};
LOOM_BENCH_CASES(kSkinnyCases);

} // namespace
} // namespace loom::bench
