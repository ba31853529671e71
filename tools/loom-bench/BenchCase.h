// BenchCase: the registry of loom-bench cases; each kernel family adds a table in its own file.
//
// How to add cases (no other file changes; CMakeLists.txt globs every .cpp in this folder):
//   1. Create tools/loom-bench/<Family>Bench.cpp.
//   2. Write each case as `Status runMyCase(BenchSession &session)`: allocate and fill inputs with
//      session.allocate()/session.fillRandom(), compile with session.compile(), time with
//      session.medianMilliseconds(), and report with session.report(BenchResult{...}) — one
//      result per measured shape, with the useful flops and the fewest bytes, plus the baseline
//      (cuBLAS, a separate-kernels version, ...) timed in the same run when there is one.
//   3. List them in a table and register it once:
//        const BenchCase kNormCases[] = {
//            {"norm", "rmsnorm", "RMSNorm 16384x4096 bf16 vs two-pass", runRmsNorm},
//        };
//        LOOM_BENCH_CASES(kNormCases);
// `loom-bench --list` shows every case; `--filter norm` runs only the matching ones.
#pragma once

#include "runtime/Support/Status.h"

#include <span>
#include <string>
#include <vector>

namespace loom::bench {

class BenchSession;

/// One benchmark: a family ("gemm", "gemv", "norm", ...) and a name unique in it.
struct BenchCase {
  const char *family;
  const char *name;
  const char *description;
  Status (*run)(BenchSession &session);
};

/// Adds a table of cases to the registry; returns true so it can initialise a static.
bool registerBenchCases(std::span<const BenchCase> cases);

/// Every registered case, ordered by family then name (registration order across files is
/// unspecified, the listing is not).
std::vector<BenchCase> registeredBenchCases();

} // namespace loom::bench

#define LOOM_BENCH_CONCAT_INNER_(a, b) a##b
#define LOOM_BENCH_CONCAT_(a, b) LOOM_BENCH_CONCAT_INNER_(a, b)
/// Registers a `const BenchCase table[]` at program start: `LOOM_BENCH_CASES(kGemmCases);`
#define LOOM_BENCH_CASES(table)                                                \
  [[maybe_unused]] static const bool LOOM_BENCH_CONCAT_(loomBenchRegistered_, __LINE__) = \
      ::loom::bench::registerBenchCases(table)
