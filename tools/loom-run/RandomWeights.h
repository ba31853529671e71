// Random weights for benchmarks without a checkpoint: seeded by the tensor's name, scaled so
// activations stay in range (matrices ~ U(±1/sqrt(fan_in)), vectors ~ 1 ± 0.1).
#pragma once

#include "frontend/Builder/WeightSpec.h"
#include "runtime/Support/ThreadPool.h"

#include <span>
#include <string_view>
#include <vector>

namespace loom::tools {

/// The values of the tensor `name` of `shape`, the same on every call and for any `pool` size:
/// value i comes from a counter-based hash of (hash of the name, i), so chunks of the tensor
/// are generated independently, in parallel on `pool` when given.
std::vector<float> randomWeightValues(std::string_view name, const std::vector<int64_t> &shape,
                                      ThreadPool *pool = nullptr);

/// The number of values of a tensor of `shape` (negative extents count as 0).
size_t randomWeightCount(const std::vector<int64_t> &shape);

/// randomWeightValues written into `out` (randomWeightCount(shape) values), which need not be
/// initialized: every value is written, by the pool's threads when given — so a large tensor is
/// first touched in parallel instead of being zeroed on one thread.
void fillRandomWeightValues(std::string_view name, const std::vector<int64_t> &shape,
                            std::span<float> out, ThreadPool *pool = nullptr);

/// The shape of `name` in `weights`, or nullptr.
const WeightSpec *findWeight(const std::vector<WeightSpec> &weights, std::string_view name);

} // namespace loom::tools
