// The verification tolerance rule: bounds at exact values, cancellation, non-finite values,
// index outputs and shape mismatches.
#include "frontend/Verify/OutputCheck.h"

#include <gtest/gtest.h>

#include <cmath>

namespace loom::verify {
namespace {

ref::HostTensor floats(ref::Shape shape, std::vector<float> values) {
  return *ref::HostTensor::fromFloats(ref::ElementType::kF32, std::move(shape), std::move(values));
}

TEST(OutputCheckTest, UnitRoundoffPerStorageType) {
  EXPECT_EQ(unitRoundoff(ref::ElementType::kBF16), std::ldexp(1.0, -8));
  EXPECT_EQ(unitRoundoff(ref::ElementType::kF16), std::ldexp(1.0, -11));
  EXPECT_EQ(unitRoundoff(ref::ElementType::kF32), std::ldexp(1.0, -24));
  EXPECT_EQ(unitRoundoff(ref::ElementType::kI32), 0.0);
}

TEST(OutputCheckTest, BoundIsUlpsTimesRoundoffTimesMagnitudePlusRms) {
  const std::vector<float> reference = {1.0f, -2.0f, 0.5f, 4.0f};
  const double rms = std::sqrt((1.0 + 4.0 + 0.25 + 16.0) / 4.0);
  const double roundoff = std::ldexp(1.0, -8), ulps = 2.0;
  auto bound = [&](size_t i) { return ulps * roundoff * (std::fabs(reference[i]) + rms); };

  std::vector<float> within = reference;
  within[2] += static_cast<float>(0.9 * bound(2));
  OutputCheck pass = checkOutput("y", floats({2, 2}, within), floats({2, 2}, reference), roundoff, ulps);
  EXPECT_TRUE(pass.passed) << pass.describe({2, 2});
  EXPECT_EQ(pass.worstIndex, 2);
  EXPECT_NEAR(pass.worstRatio, 0.9, 1e-5);
  EXPECT_NEAR(pass.worstBound, bound(2), 1e-9);

  std::vector<float> over = reference;
  over[3] -= static_cast<float>(1.1 * bound(3));
  OutputCheck fail = checkOutput("y", floats({2, 2}, over), floats({2, 2}, reference), roundoff, ulps);
  EXPECT_FALSE(fail.passed);
  EXPECT_EQ(fail.failures, 1);
  EXPECT_EQ(fail.worstIndex, 3);
  EXPECT_NEAR(fail.maxAbsError, 1.1 * bound(3), 1e-6);
  EXPECT_NE(fail.describe({2, 2}).find("1 of 4 elements over the bound; worst [1, 1]"),
            std::string::npos)
      << fail.describe({2, 2});
}

TEST(OutputCheckTest, CancelledElementsAreJudgedAgainstTheTensorsScale) {
  // A sum that cancels to (almost) zero keeps the absolute error of its terms.
  std::vector<float> reference = {3.0f, -3.0f, 1e-6f, 2.0f};
  std::vector<float> gpu = reference;
  gpu[2] = 0.004f; // |Δ| ≈ 0.004 < 8 · 2^-8 · rms ≈ 0.078, though 4000× the element
  OutputCheck check = checkOutput("y", floats({4}, gpu), floats({4}, reference), std::ldexp(1.0, -8), 8.0);
  EXPECT_TRUE(check.passed) << check.describe({4});
  EXPECT_GT(check.maxRelError, 1000.0);
}

TEST(OutputCheckTest, NonFiniteMismatchFailsAndMatchingNanPasses) {
  float nan = std::nanf("");
  OutputCheck mismatch = checkOutput("y", floats({2}, {nan, 1.0f}), floats({2}, {1.0f, 1.0f}),
                                     std::ldexp(1.0, -8), 8.0);
  EXPECT_FALSE(mismatch.passed);
  EXPECT_EQ(mismatch.worstIndex, 0);
  OutputCheck same = checkOutput("y", floats({2}, {nan, 1.0f}), floats({2}, {nan, 1.0f}),
                                 std::ldexp(1.0, -8), 8.0);
  EXPECT_TRUE(same.passed);
}

TEST(OutputCheckTest, IndexOutputsMustBeEqual) {
  auto ids = [](std::vector<int64_t> values) {
    ref::Shape shape{static_cast<int64_t>(values.size())};
    return *ref::HostTensor::fromInts(ref::ElementType::kI32, shape, std::move(values));
  };
  EXPECT_TRUE(checkOutput("ids", ids({4, 9, 1}), ids({4, 9, 1}), 0.0, 8.0).passed);
  OutputCheck off = checkOutput("ids", ids({4, 8, 1}), ids({4, 9, 1}), 0.0, 8.0);
  EXPECT_FALSE(off.passed);
  EXPECT_EQ(off.worstIndex, 1);
  EXPECT_EQ(off.worstGpu, 8.0);
  EXPECT_EQ(off.worstRef, 9.0);
}

TEST(OutputCheckTest, ShapeMismatchIsNotComparable) {
  OutputCheck check = checkOutput("y", floats({2, 2}, {1, 2, 3, 4}), floats({4}, {1, 2, 3, 4}),
                                  std::ldexp(1.0, -8), 8.0);
  EXPECT_FALSE(check.passed);
  EXPECT_NE(check.describe({4}).find("not comparable: gpu tensor<2x2xf32> vs reference tensor<4xf32>"),
            std::string::npos)
      << check.describe({4});
}

} // namespace
} // namespace loom::verify
