// Tensor comparison for kernel-versus-reference checks.
#include "frontend/Reference/TensorCompare.h"

#include <fmt/format.h>

#include <cmath>

namespace loom::ref {

TensorDifference compareTensors(const HostTensor &actual, const HostTensor &expected) {
  TensorDifference difference;
  if (actual.shape() != expected.shape() || !actual.isFloat() || !expected.isFloat())
    return difference;
  difference.comparable = true;
  double errorSquares = 0.0, expectedSquares = 0.0;
  for (size_t i = 0; i < expected.floats().size(); ++i) {
    double a = actual.floats()[i], e = expected.floats()[i];
    if (!std::isfinite(a) || !std::isfinite(e)) {
      bool same = (std::isnan(a) && std::isnan(e)) || a == e;
      difference.nonFinite += same ? 0 : 1;
      continue;
    }
    double error = std::fabs(a - e);
    if (difference.worstIndex < 0 || error > difference.maxAbsError) {
      difference.maxAbsError = error;
      difference.worstIndex = static_cast<int64_t>(i);
    }
    errorSquares += error * error;
    expectedSquares += e * e;
  }
  difference.relativeL2 = expectedSquares > 0.0 ? std::sqrt(errorSquares / expectedSquares)
                                                : std::sqrt(errorSquares);
  return difference;
}

std::string TensorDifference::describe(const HostTensor &actual,
                                       const HostTensor &expected) const {
  if (!comparable)
    return fmt::format("not comparable: {} vs {}", actual.typeString(), expected.typeString());
  std::string worst;
  if (worstIndex >= 0)
    worst = fmt::format(" at {} (actual {}, expected {})", worstIndex, actual.floats()[worstIndex],
                        expected.floats()[worstIndex]);
  return fmt::format("max |Δ| {:g}{}, rel L2 {:g}, {} non-finite mismatches", maxAbsError, worst,
                     relativeL2, nonFinite);
}

double relativeTolerance(ElementType type, double ulps) {
  switch (type) {
  case ElementType::kBF16:
    return ulps * 0x1p-8;
  case ElementType::kF16:
    return ulps * 0x1p-11;
  default:
    return ulps * 0x1p-24;
  }
}

} // namespace loom::ref
