// Reference rms_norm and layer_norm over the last dimension (statistics in double, one rounding).
#pragma once

#include "frontend/Reference/HostTensor.h"

namespace loom::ref {

/// y = x / sqrt(mean(x², last dim) + eps) · weight; weight is [H] of any float type, y has x's type.
StatusOr<HostTensor> rmsNorm(const HostTensor &input, const HostTensor &weight, float eps);

/// y = (x - mean) / sqrt(var + eps) · weight (+ bias), var = mean((x - mean)²) (biased);
/// `bias` may be null.
StatusOr<HostTensor> layerNorm(const HostTensor &input, const HostTensor &weight,
                               const HostTensor *bias, float eps);

} // namespace loom::ref
