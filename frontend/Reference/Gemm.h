// Reference linear (x·Wᵀ + b) and batched matmul; dot products in double, one rounding.
#pragma once

#include "frontend/Reference/HostTensor.h"
#include "runtime/Support/ThreadPool.h"

namespace loom::ref {

/// y[..., n] = Σ_k x[..., k] · weight[n, k] (+ bias[n]); x is [..., K], weight [N, K], bias [N]
/// or null; all of one float type, y of that type. Rows run in parallel on `pool` when given.
StatusOr<HostTensor> linear(const HostTensor &input, const HostTensor &weight,
                            const HostTensor *bias, ThreadPool *pool = nullptr);

/// c[..., m, n] = Σ_k a[..., m, k] · b[..., k, n]; same rank >= 2, equal batch dimensions, one
/// float type. Rows (batch × m) run in parallel on `pool` when given.
StatusOr<HostTensor> matmul(const HostTensor &lhs, const HostTensor &rhs,
                            ThreadPool *pool = nullptr);

} // namespace loom::ref
