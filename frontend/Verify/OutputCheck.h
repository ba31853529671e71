// OutputCheck: one GPU output against the CPU reference under Loom's verification tolerance.
#pragma once

#include "frontend/Reference/HostTensor.h"

#include <string>

namespace loom::verify {

/// The unit roundoff of a storage type: half the distance from 1.0 to the next value
/// (bf16 2^-8, f16 2^-11, f32 2^-24; 0 for index types, which must match exactly).
double unitRoundoff(ref::ElementType type);

/// How one output compares. The tolerance rule (docs/verify-gpu.md):
///   |gpu_i − ref_i| ≤ ulps · u · (|ref_i| + rms(ref))
/// where u is the unit roundoff of the least precise float type the unfused graph stores
/// (every op of the reference rounds its result to that type; the fused kernels keep f32 between
/// fused ops and round once, so each rounding step the reference takes may differ by ~u of the
/// values it rounds), and rms(ref) covers elements whose value cancels to near zero while the
/// terms that made it did not (a GEMM output, a residual sum). Index outputs must be equal.
struct OutputCheck {
  std::string name;
  bool passed = false;
  std::string problem;      ///< why not comparable (shape, type), empty otherwise
  double maxAbsError = 0;   ///< max |gpu − ref|
  double maxRelError = 0;   ///< max |gpu − ref| / |ref| over elements with ref ≠ 0
  double relativeL2 = 0;    ///< ||gpu − ref||₂ / ||ref||₂
  double worstRatio = 0;    ///< max |gpu − ref| / bound: ≤ 1 passes
  int64_t worstIndex = -1;  ///< flat index of the element with the largest ratio
  double worstGpu = 0, worstRef = 0, worstBound = 0;
  int64_t failures = 0;     ///< elements over their bound (non-finite mismatches included)
  int64_t elements = 0;

  /// "y: 12 of 40960 elements over the bound; worst [3, 17] gpu 1.25 ref 1.2469 |Δ| 0.0031 =
  /// 1.48 of its bound 0.0021; max |Δ| 0.0031, max rel 0.004, rel L2 0.0012".
  std::string describe(const ref::Shape &shape) const;
};

/// Compares `gpu` with `reference` (same type and shape expected) under the rule above with
/// unit roundoff `roundoff` and `ulps` units of it.
OutputCheck checkOutput(std::string name, const ref::HostTensor &gpu,
                        const ref::HostTensor &reference, double roundoff, double ulps);

} // namespace loom::verify
