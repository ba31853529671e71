// Random tensors for verification: inputs and weights, seeded, never zero, ids in range.
#pragma once

#include "frontend/Reference/HostTensor.h"

#include <cstdint>
#include <optional>

namespace loom::verify {

/// A float tensor of `type` and `shape` with values uniform in ±`range`, rounded to `type`; a
/// value that rounds to zero is drawn again, so no element is zero.
ref::HostTensor randomFloatTensor(ref::ElementType type, const ref::Shape &shape, double range,
                                  uint64_t seed);

/// An index tensor of `type` and `shape` with values uniform in [0, bound).
ref::HostTensor randomIndexTensor(ref::ElementType type, const ref::Shape &shape, int64_t bound,
                                  uint64_t seed);

/// The range of a random weight: 1/sqrt(fan-in) (the last extent) for a matrix, so a linear
/// keeps its input's magnitude; 1 for a vector (gains, biases).
double weightRange(const ref::Shape &shape);

/// A per-tensor seed from a run seed and a tensor name, so that adding a tensor leaves the
/// others' values unchanged.
uint64_t tensorSeed(uint64_t seed, std::string_view name);

} // namespace loom::verify
