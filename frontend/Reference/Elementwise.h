// Reference elementwise ops: add, mul, silu, gelu, cast (f32 math, one rounding to storage).
#pragma once

#include "frontend/Reference/HostTensor.h"

namespace loom::ref {

/// How gelu is evaluated (graph.gelu `approximate`).
enum class GeluApproximation { kNone, kTanh };

/// lhs + rhs; both must have the same shape and float type.
StatusOr<HostTensor> add(const HostTensor &lhs, const HostTensor &rhs);
/// lhs · rhs; both must have the same shape and float type.
StatusOr<HostTensor> mul(const HostTensor &lhs, const HostTensor &rhs);
/// x · sigmoid(x).
StatusOr<HostTensor> silu(const HostTensor &input);
/// x/2 · (1 + erf(x/√2)), or x/2 · (1 + tanh(√(2/π)(x + 0.044715x³))) with kTanh.
StatusOr<HostTensor> gelu(const HostTensor &input, GeluApproximation approximation);
/// The values rounded to the float type `to` (round to nearest even).
StatusOr<HostTensor> cast(const HostTensor &input, ElementType to);

} // namespace loom::ref
