// loom-bench cases of the Hopper GEMM's fused epilogues (loom/gemm_sm90.cuh): each epilogue the
// emitter writes, on Llama prefill shapes, against cuBLAS's bf16 GEMM plus the separate
// elementwise kernel an unfused pipeline runs; timed in interleaved rounds with Loom's plain GEMM
// and cuBLAS alone, so the ratio is not clock drift under the power cap.
#include "test/gpu/Kernels/Sm90/Sm90Epilogues.h"
#include "tools/loom-bench/BenchCase.h"
#include "tools/loom-bench/BenchSession.h"
#include "tools/loom-bench/Sm90BenchKernel.h"

#include <algorithm>

namespace loom::bench {
namespace {

using testing::Sm90EpilogueSpec;
using testing::Sm90GemmTile;

constexpr int kRounds = 5;

/// One measured problem: Y[M, N] = epilogue(X[M, K] W^T) with W [G*N, K].
struct EpilogueProblem {
  const Sm90EpilogueSpec *spec;
  int m, n, k;
  const char *what; ///< the layer it stands for
};

const EpilogueProblem kProblems[] = {
    {&testing::kSm90EpiBias, 4096, 4096, 4096, "QKV with bias (Qwen2)"},
    {&testing::kSm90EpiResidual, 4096, 4096, 4096, "8B o_proj + residual"},
    {&testing::kSm90EpiResidual, 4096, 2048, 2048, "1B o_proj + residual"},
    {&testing::kSm90EpiResidual, 4096, 2048, 8192, "1B down + residual"},
    {&testing::kSm90EpiBiasGeluResidual, 4096, 4096, 4096, "GPT-style MLP out"},
    {&testing::kSm90EpiBiasSilu, 4096, 4096, 4096, "linear + bias + SiLU"},
    {&testing::kSm90EpiGatedSilu, 4096, 14336, 4096, "8B gate/up, SiLU*mul"},
    {&testing::kSm90EpiGatedSilu, 4096, 8192, 2048, "1B gate/up, SiLU*mul"},
    {&testing::kSm90EpiCastF32, 4096, 4096, 4096, "f32 output (cast)"},
};

/// Inputs, Loom's output, and cuBLAS's intermediate H [M, G*N].
struct EpilogueBuffers {
  rt::DeviceBuffer x, w, bias, residual, y, h;
  static StatusOr<EpilogueBuffers> create(BenchSession &session, const EpilogueProblem &p) {
    const int g = p.spec->weightsPerOutput();
    EpilogueBuffers b;
    LOOM_ASSIGN_OR_RETURN(b.x, session.randomBuffer(size_t(p.m) * p.k, ElementType::kBf16, 21));
    LOOM_ASSIGN_OR_RETURN(b.w, session.randomBuffer(size_t(g) * p.n * p.k, ElementType::kBf16, 22,
                                                    0.05f));
    LOOM_ASSIGN_OR_RETURN(b.bias, session.randomBuffer(p.n, ElementType::kBf16, 23));
    LOOM_ASSIGN_OR_RETURN(b.residual,
                          session.randomBuffer(size_t(p.m) * p.n, ElementType::kBf16, 24));
    LOOM_ASSIGN_OR_RETURN(b.y, session.allocate(size_t(p.m) * p.n * (p.spec->floatOutput ? 4 : 2)));
    LOOM_ASSIGN_OR_RETURN(b.h, session.allocate(size_t(p.m) * g * p.n * 2));
    return b;
  }
};

Status runProblem(BenchSession &session, const EpilogueProblem &p) {
  const Sm90EpilogueSpec &spec = *p.spec;
  const Sm90GemmTile &tile = testing::kSm90GemmTiles[0];
  const int g = spec.weightsPerOutput();
  LOOM_ASSIGN_OR_RETURN(EpilogueBuffers b, EpilogueBuffers::create(session, p));
  LOOM_ASSIGN_OR_RETURN(Sm90BenchKernel fused, Sm90BenchKernel::create(session, tile, spec, b.x.address(),
                                                                     b.w.address(), p.m, p.n, p.k));
  // Loom's GEMM of the same products with a plain store: what the epilogue adds to it.
  Sm90EpilogueSpec plainSpec = testing::kSm90EpiStore;
  plainSpec.gated = spec.gated;
  plainSpec.name = spec.gated ? "gated_store" : "store";
  LOOM_ASSIGN_OR_RETURN(Sm90BenchKernel plain,
                        Sm90BenchKernel::create(session, tile, plainSpec, b.x.address(), b.w.address(),
                                                p.m, p.n, p.k));
  auto launch = [&](Sm90BenchKernel &kernel, const Sm90EpilogueSpec &s, uint64_t y) {
    return testing::launchSm90Epilogue(*kernel.loaded.kernel, tile, s, kernel.operands,
                                       b.bias.address(), b.residual.address(), y, p.m, p.n, p.k,
                                       kernel.residentCtas, session.stream().handle());
  };
  std::vector<std::function<Status(int)>> runs = {
      [&](int) { return launch(fused, spec, b.y.address()); },
      [&](int) { return launch(plain, plainSpec, b.h.address()); }};

  const char *separateName = testing::separateEpilogueKernel(spec);
  BenchKernel separate;
  Cublas *cublas = session.cublas();
  auto cublasGemm = [&]() {
    return cublas->linear(b.x.address(), b.w.address(), b.h.address(), p.m, g * p.n, p.k,
                          ElementType::kBf16, ElementType::kBf16);
  };
  if (cublas) {
    LOOM_ASSIGN_OR_RETURN(separate,
                          session.compile(separateName, testing::kSeparateEpilogueKernelsSource));
    runs.push_back([&](int) { return cublasGemm(); });
    runs.push_back([&](int) -> Status {
      LOOM_RETURN_IF_ERROR(cublasGemm());
      rt::KernelArgs args;
      args.add(b.h.address()).add(b.bias.address()).add(b.residual.address())
          .add(b.y.address()).add(p.m).add(p.n);
      return session.launch(*separate.kernel, testing::separateEpilogueLaunch(p.m, p.n), args);
    });
  }
  LOOM_ASSIGN_OR_RETURN(auto times, session.interleavedMilliseconds(runs, kRounds));

  BenchResult result;
  result.family = "gemm";
  result.name = std::string("sm90-epilogue-") + spec.name;
  result.shape = fmt::format("M={} N={}{} K={}", p.m, p.n, spec.gated ? "x2" : "", p.k);
  result.milliseconds = median(times[0]);
  result.flops = 2.0 * p.m * double(g) * p.n * p.k;
  result.bytes = 2.0 * (double(p.m) * p.k + double(g) * p.n * p.k) +
                 double(p.m) * p.n * (spec.floatOutput ? 4 : 2) +
                 (spec.residual ? 2.0 * p.m * p.n : 0) + (spec.bias ? 2.0 * p.n : 0);
  const double plainMs = median(times[1]);
  std::string note = fmt::format("{}; Loom plain GEMM {:.4f} ms (epilogue +{:.1f}%)", p.what,
                                 plainMs, 100.0 * (result.milliseconds / plainMs - 1));
  if (cublas) {
    result.baseline = std::string("cuBLAS+") + separateName;
    result.baselineMilliseconds = median(times[3]);
    note += fmt::format("; cuBLAS GEMM alone {:.4f} ms; per-round speedup {}", median(times[2]),
                        perRoundSpeedup(times[3], times[0]));
  }
  result.note = std::move(note);
  session.report(std::move(result));
  return Status::ok();
}

Status runEpilogues(BenchSession &session) {
  if (session.arch() != rt::GpuArch::kSm90a)
    return Status(StatusCode::kUnavailable, "the wgmma GEMM needs an sm_90a device (H100/H200)");
  for (const EpilogueProblem &problem : kProblems)
    LOOM_RETURN_IF_ERROR(runProblem(session, problem));
  return Status::ok();
}

const BenchCase kSm90EpilogueCases[] = {
    {"gemm", "sm90-epilogues",
     "wgmma GEMM with each fused epilogue vs cuBLAS GEMM + a separate kernel (interleaved rounds)",
     runEpilogues},
};
LOOM_BENCH_CASES(kSm90EpilogueCases);

} // namespace
} // namespace loom::bench
