// loom-bench case of the RMSNorm prologue (RMSNorm -> linear, a Llama layer's QKV and gate/up):
// the wgmma GEMM with loom::RmsNormPrologue vs the mma.sync loom::gemm with the same prologue
// (what sm_90a emitted before) vs an RMSNorm kernel + cuBLAS (+ silu_mul), in interleaved rounds.
#include "test/gpu/Kernels/MemoryBound/MemoryBoundKernels.h"
#include "test/gpu/Kernels/Sm90/Sm90Epilogues.h"
#include "tools/loom-bench/BenchCase.h"
#include "tools/loom-bench/LinearBenchSupport.h"
#include "tools/loom-bench/Sm90BenchKernel.h"

#include <algorithm>
#include <cctype>

namespace loom::bench {
namespace {

using testing::Sm90EpilogueSpec;
using testing::Sm90GemmTile;

constexpr int kRounds = 7;

/// Y[M, N] = epilogue(rmsnorm(X) W^T) with W [G*N, K]; the mma.sync tiles to try for it.
struct PrologueProblem {
  const Sm90EpilogueSpec *spec;
  int m, n, k;
  const char *what;
  std::vector<testing::GemmTile> mmaSyncTiles;
};

const PrologueProblem kProblems[] = {
    {&testing::kSm90EpiRmsNorm, 1024, 3072, 2048, "1B QKV prefill (1k tokens)",
     {{128, 128, 32, 2, 2, 4}, {128, 128, 32, 2, 4, 4}, {128, 256, 32, 2, 4, 3}}},
    {&testing::kSm90EpiRmsNormGatedSilu, 1024, 8192, 2048, "1B gate/up prefill (1k tokens)",
     {{128, 128, 32, 2, 4, 4}, {128, 64, 32, 2, 2, 4}}},
};

/// One timed way of computing the problem: a label and a launch.
struct Way {
  std::string label;
  std::function<Status(int)> run;
};

Status runProblem(BenchSession &session, const PrologueProblem &p) {
  const Sm90EpilogueSpec &spec = *p.spec;
  const Sm90GemmTile &tile = testing::kSm90GemmTiles[0];
  const int g = spec.weightsPerOutput();
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer x, session.randomBuffer(size_t(p.m) * p.k, ElementType::kBf16, 31));
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer w,
                        session.randomBuffer(size_t(g) * p.n * p.k, ElementType::kBf16, 32, 0.05f));
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer gain, session.randomBuffer(p.k, ElementType::kBf16, 33));
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer y, session.allocate(size_t(p.m) * p.n * 2));
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer normed, session.allocate(size_t(p.m) * p.k * 2));
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer h, session.allocate(size_t(p.m) * g * p.n * 2));

  // The wgmma GEMM with the prologue, and without it (what the prologue adds).
  Sm90EpilogueSpec plainSpec = spec;
  plainSpec.rmsNorm = false;
  plainSpec.name = spec.gated ? "gated_store" : "store";
  std::vector<Sm90BenchKernel> sm90Kernels;
  const Sm90EpilogueSpec *sm90Specs[] = {&spec, &plainSpec};
  for (const Sm90EpilogueSpec *s : sm90Specs) {
    LOOM_ASSIGN_OR_RETURN(Sm90BenchKernel kernel, Sm90BenchKernel::create(session, tile, *s, x.address(),
                                                                          w.address(), p.m, p.n, p.k));
    sm90Kernels.push_back(std::move(kernel));
  }
  std::vector<Way> ways;
  for (int i = 0; i < 2; ++i)
    ways.push_back({i == 0 ? "wgmma+prologue" : "wgmma, no prologue", [&, i](int) {
                      const Sm90BenchKernel &kernel = sm90Kernels[i];
                      return testing::launchSm90Epilogue(*kernel.loaded.kernel, tile, *sm90Specs[i],
                                                         kernel.operands, 0, 0, y.address(), p.m,
                                                         p.n, p.k, kernel.residentCtas,
                                                         session.stream().handle());
                    }});

  // The mma.sync loom::gemm with the same prologue and gating, over a few tiles.
  std::vector<LinearKernel> mmaSync;
  for (const testing::GemmTile &t : p.mmaSyncTiles) {
    testing::LinearKernelSpec linear;
    linear.name = fmt::format("bench_rmsnorm_gemm{}_{}", spec.gated ? "_gated" : "", gemmTileName(t));
    std::replace_if(linear.name.begin(), linear.name.end(), [](char c) { return !std::isalnum(c); }, '_');
    linear.gemmTile = t;
    linear.gated = spec.gated;
    linear.rmsNorm = true;
    LOOM_ASSIGN_OR_RETURN(LinearKernel kernel, LinearKernel::compile(session, linear));
    mmaSync.push_back(std::move(kernel));
  }
  const testing::LinearOperands linearOperands{x.address(), w.address(), 0, 0, y.address(),
                                               p.m, p.n, p.k, float(testing::kSm90RmsNormEps)};
  for (size_t i = 0; i < mmaSync.size(); ++i)
    ways.push_back({"mma.sync " + gemmTileName(p.mmaSyncTiles[i]),
                    [&, i](int) { return mmaSync[i].launch(session, linearOperands); }});

  // The unfused pipeline: RMSNorm kernel, cuBLAS GEMM, silu_mul when gated.
  Cublas *cublas = session.cublas();
  const testing::KernelSpec norm = testing::normKernel(
      {testing::NormKind::kRms, testing::DType::kBf16, testing::DType::kBf16, p.k},
      float(testing::kSm90RmsNormEps));
  LOOM_ASSIGN_OR_RETURN(BenchKernel normKernel, session.compile(norm.name, norm.wrapper));
  BenchKernel siluMul;
  if (cublas) {
    if (spec.gated) {
      LOOM_ASSIGN_OR_RETURN(siluMul, session.compile("silu_mul", testing::kSeparateEpilogueKernelsSource));
    }
    ways.push_back({"cuBLAS alone", [&](int) {
                      return cublas->linear(x.address(), w.address(), h.address(), p.m, g * p.n,
                                            p.k, ElementType::kBf16, ElementType::kBf16);
                    }});
    ways.push_back({"rms_norm + cuBLAS" + std::string(spec.gated ? " + silu_mul" : ""),
                    [&](int) -> Status {
                      rt::KernelArgs normArgs;
                      normArgs.add(x.address()).add(gain.address()).add(normed.address()).add(p.m);
                      LOOM_RETURN_IF_ERROR(session.launch(*normKernel.kernel, norm.launch(p.m), normArgs));
                      LOOM_RETURN_IF_ERROR(cublas->linear(normed.address(), w.address(),
                                                          spec.gated ? h.address() : y.address(),
                                                          p.m, g * p.n, p.k, ElementType::kBf16,
                                                          ElementType::kBf16));
                      if (!spec.gated)
                        return Status::ok();
                      rt::KernelArgs args;
                      args.add(h.address()).add(uint64_t(0)).add(uint64_t(0)).add(y.address())
                          .add(p.m).add(p.n);
                      return session.launch(*siluMul.kernel, testing::separateEpilogueLaunch(p.m, p.n), args);
                    }});
  }
  std::vector<std::function<Status(int)>> runs;
  for (const Way &way : ways)
    runs.push_back(way.run);
  LOOM_ASSIGN_OR_RETURN(auto times, session.interleavedMilliseconds(runs, kRounds));

  const double flops = 2.0 * p.m * double(g) * p.n * p.k;
  const double bytes = 2.0 * (double(p.m) * p.k + double(g) * p.n * p.k + double(p.m) * p.n);
  const int reference = cublas ? int(ways.size()) - 1 : -1; // the unfused pipeline
  for (size_t i = 0; i < ways.size(); ++i) {
    BenchResult result;
    result.family = "gemm";
    result.name = std::string("sm90-") + spec.name;
    result.shape = fmt::format("M={} N={}{} K={}", p.m, p.n, spec.gated ? "x2" : "", p.k);
    result.milliseconds = median(times[i]);
    result.flops = flops;
    result.bytes = bytes;
    std::string note = fmt::format("{}: {}", p.what, ways[i].label);
    if (reference >= 0) {
      result.baseline = ways[reference].label;
      result.baselineMilliseconds = median(times[reference]);
      note += fmt::format("; per-round speedup over it {}",
                          perRoundSpeedup(times[reference], times[i]));
    }
    result.note = std::move(note);
    session.report(std::move(result));
  }
  return Status::ok();
}

Status runRmsNormPrologue(BenchSession &session) {
  if (session.arch() != rt::GpuArch::kSm90a)
    return Status(StatusCode::kUnavailable, "the wgmma GEMM needs an sm_90a device (H100/H200)");
  for (const PrologueProblem &problem : kProblems)
    LOOM_RETURN_IF_ERROR(runProblem(session, problem));
  return Status::ok();
}

const BenchCase kSm90RmsNormCases[] = {
    {"gemm", "sm90-rmsnorm",
     "RMSNorm-prologue GEMM at the 1B prefill shapes: wgmma vs mma.sync vs rms_norm + cuBLAS",
     runRmsNormPrologue},
};
LOOM_BENCH_CASES(kSm90RmsNormCases);

} // namespace
} // namespace loom::bench
