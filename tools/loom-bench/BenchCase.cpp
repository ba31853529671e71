// The case registry behind LOOM_BENCH_CASES.
#include "tools/loom-bench/BenchCase.h"

#include <algorithm>
#include <cstring>

namespace loom::bench {
namespace {

// A function-local static, so registration from other files' static initialisers is safe.
std::vector<BenchCase> &registry() {
  static std::vector<BenchCase> cases;
  return cases;
}

} // namespace

bool registerBenchCases(std::span<const BenchCase> cases) {
  registry().insert(registry().end(), cases.begin(), cases.end());
  return true;
}

std::vector<BenchCase> registeredBenchCases() {
  std::vector<BenchCase> cases = registry();
  std::stable_sort(cases.begin(), cases.end(), [](const BenchCase &a, const BenchCase &b) {
    int family = std::strcmp(a.family, b.family);
    return family != 0 ? family < 0 : std::strcmp(a.name, b.name) < 0;
  });
  return cases;
}

} // namespace loom::bench
