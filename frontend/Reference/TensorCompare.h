// How far a computed tensor (a GPU kernel's output) is from the reference's.
#pragma once

#include "frontend/Reference/HostTensor.h"

#include <string>

namespace loom::ref {

/// Differences between `actual` and `expected` over all elements.
struct TensorDifference {
  bool comparable = false;  ///< same shape and both float tensors
  double maxAbsError = 0.0; ///< largest |actual - expected|
  int64_t worstIndex = -1;  ///< flat index of that element
  double relativeL2 = 0.0;  ///< ||actual - expected||₂ / ||expected||₂ (the absolute norm if 0)
  int64_t nonFinite = 0;    ///< elements where exactly one side is NaN/inf or they differ in it

  /// "max |Δ| 0.0031 at 17 (actual 1.25, expected 1.2469), rel L2 0.0012" or why not comparable.
  std::string describe(const HostTensor &actual, const HostTensor &expected) const;
};

/// Compares two float tensors element by element (in double).
TensorDifference compareTensors(const HostTensor &actual, const HostTensor &expected);

/// The relative L2 error a GPU result stored in `type` should stay under against the reference:
/// a few units of the type's rounding (bf16 2^-8, f16 2^-11, f32 2^-24) times `ulps`.
double relativeTolerance(ElementType type, double ulps = 4.0);

} // namespace loom::ref
