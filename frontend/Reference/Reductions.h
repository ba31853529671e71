// Reference softmax and argmax over the last dimension.
#pragma once

#include "frontend/Reference/HostTensor.h"

namespace loom::ref {

/// exp(x - max) / Σ exp(x - max) along the last dimension, in double; result has x's type.
StatusOr<HostTensor> softmax(const HostTensor &input);

/// Index of the largest value of each row of the last dimension (the lowest index on ties;
/// NaN never wins) as i32, shape = input shape without its last dimension. Empty rows are an
/// error.
StatusOr<HostTensor> argmax(const HostTensor &input);

} // namespace loom::ref
