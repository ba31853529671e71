// GPU test helper: gtest assertions that a kernel's output (device bytes) matches the CPU
// reference executor's tensor within a relative-L2 tolerance of its storage type.
#pragma once

#include "frontend/Reference/StorageBytes.h"
#include "frontend/Reference/TensorCompare.h"

#include <gtest/gtest.h>

#include <span>

namespace loom::ref::testing {

/// Success when `actual` and `expected` have one shape, no non-finite mismatches, and a relative
/// L2 error within `relativeTolerance(expected.type(), ulps)`; the failure message names the
/// worst element. Use: `EXPECT_TRUE(closeToReference(gpuOut, refOut));`
inline ::testing::AssertionResult closeToReference(const HostTensor &actual,
                                                   const HostTensor &expected, double ulps = 4.0) {
  TensorDifference difference = compareTensors(actual, expected);
  double tolerance = relativeTolerance(expected.type(), ulps);
  if (difference.comparable && difference.nonFinite == 0 && difference.relativeL2 <= tolerance)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << difference.describe(actual, expected)
                                       << " (tolerance rel L2 " << tolerance << ")";
}

/// The same for a device buffer copied back to the host: `bytes` hold `expected`'s shape in
/// its storage type.
inline ::testing::AssertionResult deviceBytesCloseToReference(std::span<const std::byte> bytes,
                                                              const HostTensor &expected,
                                                              double ulps = 4.0) {
  auto actual = fromStorageBytes(expected.type(), expected.shape(), bytes);
  if (!actual.isOk())
    return ::testing::AssertionFailure() << actual.status().toString();
  return closeToReference(*actual, expected, ulps);
}

} // namespace loom::ref::testing
