// Reference layout ops: reshape, transpose, concat, split (exact copies, no rounding).
#pragma once

#include "frontend/Reference/HostTensor.h"

#include <span>
#include <vector>

namespace loom::ref {

/// The same row-major values under `shape`; one extent may be -1 (inferred). The element
/// counts must agree.
StatusOr<HostTensor> reshape(const HostTensor &input, Shape shape);

/// result dimension i is input dimension permutation[i].
StatusOr<HostTensor> transpose(const HostTensor &input, std::span<const int64_t> permutation);

/// Joins `inputs` (same rank and type, equal extents except along `axis`) along `axis`.
StatusOr<HostTensor> concat(std::span<const HostTensor> inputs, int64_t axis);

/// Cuts `input` along `axis` into pieces of extents `sizes` (which must sum to that extent).
StatusOr<std::vector<HostTensor>> split(const HostTensor &input, int64_t axis,
                                        std::span<const int64_t> sizes);

} // namespace loom::ref
