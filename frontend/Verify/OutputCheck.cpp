// The verification tolerance rule and the per-output comparison.
#include "frontend/Verify/OutputCheck.h"

#include <fmt/format.h>

#include <cmath>

namespace loom::verify {

double unitRoundoff(ref::ElementType type) {
  switch (type) {
  case ref::ElementType::kBF16:
    return 0x1p-8;
  case ref::ElementType::kF16:
    return 0x1p-11;
  case ref::ElementType::kF32:
    return 0x1p-24;
  default:
    return 0.0;
  }
}

namespace {

/// "[3, 17]": the coordinates of a flat row-major index.
std::string coordinates(const ref::Shape &shape, int64_t flat) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    int64_t extent = std::max<int64_t>(shape[d], 1);
    index[d] = flat % extent;
    flat /= extent;
  }
  return fmt::format("[{}]", fmt::join(index, ", "));
}

double rootMeanSquare(std::span<const float> values) {
  double squares = 0;
  size_t finite = 0;
  for (float value : values)
    if (std::isfinite(value)) {
      squares += double(value) * value;
      ++finite;
    }
  return finite ? std::sqrt(squares / double(finite)) : 0.0;
}

void checkIndices(OutputCheck &check, const ref::HostTensor &gpu, const ref::HostTensor &reference) {
  for (int64_t i = 0; i < check.elements; ++i) {
    int64_t got = gpu.ints()[i], want = reference.ints()[i];
    if (got == want)
      continue;
    double error = std::fabs(double(got - want));
    if (check.failures++ == 0) {
      check.worstIndex = i;
      check.worstGpu = double(got);
      check.worstRef = double(want);
    }
    check.maxAbsError = std::max(check.maxAbsError, error);
  }
  check.worstRatio = check.failures ? INFINITY : 0.0;
}

void checkFloats(OutputCheck &check, const ref::HostTensor &gpu, const ref::HostTensor &reference,
                 double roundoff, double ulps) {
  std::span<const float> got = gpu.floats(), want = reference.floats();
  double scale = rootMeanSquare(want);
  double errorSquares = 0, referenceSquares = 0;
  for (int64_t i = 0; i < check.elements; ++i) {
    double a = got[i], e = want[i];
    double bound = ulps * roundoff * (std::fabs(e) + scale);
    double error = std::fabs(a - e);
    bool finiteBoth = std::isfinite(a) && std::isfinite(e);
    bool sameNonFinite = !finiteBoth && ((std::isnan(a) && std::isnan(e)) || a == e);
    double ratio = finiteBoth ? (bound > 0 ? error / bound : (error > 0 ? INFINITY : 0.0))
                              : (sameNonFinite ? 0.0 : INFINITY);
    if (ratio > 1.0)
      ++check.failures;
    if (check.worstIndex < 0 || ratio > check.worstRatio) {
      check.worstRatio = ratio;
      check.worstIndex = i;
      check.worstGpu = a;
      check.worstRef = e;
      check.worstBound = bound;
    }
    if (!finiteBoth)
      continue;
    check.maxAbsError = std::max(check.maxAbsError, error);
    if (e != 0)
      check.maxRelError = std::max(check.maxRelError, error / std::fabs(e));
    errorSquares += error * error;
    referenceSquares += e * e;
  }
  check.relativeL2 = referenceSquares > 0 ? std::sqrt(errorSquares / referenceSquares)
                                          : std::sqrt(errorSquares);
}

} // namespace

OutputCheck checkOutput(std::string name, const ref::HostTensor &gpu,
                        const ref::HostTensor &reference, double roundoff, double ulps) {
  OutputCheck check;
  check.name = std::move(name);
  if (gpu.type() != reference.type() || gpu.shape() != reference.shape()) {
    check.problem = fmt::format("gpu {} vs reference {}", gpu.typeString(), reference.typeString());
    return check;
  }
  check.elements = reference.numElements();
  if (reference.isFloat())
    checkFloats(check, gpu, reference, roundoff, ulps);
  else
    checkIndices(check, gpu, reference);
  check.passed = check.failures == 0;
  return check;
}

std::string OutputCheck::describe(const ref::Shape &shape) const {
  if (!problem.empty())
    return fmt::format("{}: not comparable: {}", name, problem);
  std::string worst;
  if (worstIndex >= 0)
    worst = fmt::format("; worst {} gpu {:g} ref {:g} |Δ| {:g} = {:.3g} of its bound {:g}",
                        coordinates(shape, worstIndex), worstGpu, worstRef,
                        std::fabs(worstGpu - worstRef), worstRatio, worstBound);
  return fmt::format("{}: {} of {} elements over the bound{}; max |Δ| {:g}, max rel {:g}, "
                     "rel L2 {:g}",
                     name, failures, elements, worst, maxAbsError, maxRelError, relativeL2);
}

} // namespace loom::verify
