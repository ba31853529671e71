// Helpers for reference-op tests: tensors from literals, seeded random tensors, comparisons.
#pragma once

#include "frontend/Reference/HostTensor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace loom::ref::testing {

/// A float tensor from literal values (the test fails if they do not fit the shape).
inline HostTensor floats(Shape shape, std::vector<float> values,
                         ElementType type = ElementType::kF32) {
  auto tensor = HostTensor::fromFloats(type, std::move(shape), std::move(values));
  EXPECT_TRUE(tensor.isOk()) << tensor.status().toString();
  return tensor.isOk() ? std::move(tensor).value() : HostTensor();
}

/// An index tensor from literal values.
inline HostTensor ints(Shape shape, std::vector<int64_t> values,
                       ElementType type = ElementType::kI32) {
  auto tensor = HostTensor::fromInts(type, std::move(shape), std::move(values));
  EXPECT_TRUE(tensor.isOk()) << tensor.status().toString();
  return tensor.isOk() ? std::move(tensor).value() : HostTensor();
}

/// Uniform values in [-1, 1) from a seeded generator, rounded to `type`.
inline HostTensor randomFloats(Shape shape, uint32_t seed, ElementType type = ElementType::kF32) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(static_cast<size_t>(elementCount(shape)));
  for (float &value : values)
    value = uniform(generator);
  return floats(std::move(shape), std::move(values), type);
}

/// Largest |a - b| over all elements; infinity when the shapes differ.
inline double maxAbsDiff(const HostTensor &a, const HostTensor &b) {
  if (a.shape() != b.shape())
    return INFINITY;
  double worst = 0.0;
  for (size_t i = 0; i < a.floats().size(); ++i)
    worst = std::max(worst, std::fabs(static_cast<double>(a.floats()[i]) - b.floats()[i]));
  return worst;
}

/// Unwraps a StatusOr in a test, failing with its message.
template <typename T> T valueOf(StatusOr<T> result) {
  EXPECT_TRUE(result.isOk()) << result.status().toString();
  if (!result.isOk())
    throw std::runtime_error(result.status().toString());
  return std::move(result).value();
}

} // namespace loom::ref::testing
