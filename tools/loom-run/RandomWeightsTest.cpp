// Random weights: the same values for any thread count, in range, and different per name.
#include "tools/loom-run/RandomWeights.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace loom::tools {
namespace {

// Three and a bit chunks of 2^20 values, so chunk boundaries and a short last chunk are covered.
const std::vector<int64_t> kMatrixShape = {3, (int64_t{1} << 20) + 7};

TEST(RandomWeightsTest, ValuesDoNotDependOnTheThreadCount) {
  std::vector<float> serial = randomWeightValues("model.layers.0.mlp.up_proj.weight", kMatrixShape);
  ASSERT_EQ(serial.size(), 3u * ((1u << 20) + 7));
  for (unsigned threads : {1u, 3u, 8u}) {
    ThreadPool pool(threads);
    std::vector<float> parallel =
        randomWeightValues("model.layers.0.mlp.up_proj.weight", kMatrixShape, &pool);
    EXPECT_EQ(parallel, serial) << threads << " threads";
  }
}

TEST(RandomWeightsTest, MatricesAreUniformWithinOneOverSqrtFanIn) {
  ThreadPool pool(4);
  std::vector<float> values = randomWeightValues("w", kMatrixShape, &pool);
  float bound = 1.0f / std::sqrt(static_cast<float>(kMatrixShape.back()));
  auto [low, high] = std::minmax_element(values.begin(), values.end());
  EXPECT_GE(*low, -bound);
  EXPECT_LT(*high, bound);
  EXPECT_LT(*low, -0.99f * bound); // the whole range is used
  EXPECT_GT(*high, 0.99f * bound);
  double mean = std::accumulate(values.begin(), values.end(), 0.0) / values.size();
  double meanSquare = std::inner_product(values.begin(), values.end(), values.begin(), 0.0) /
                      values.size();
  EXPECT_NEAR(mean, 0.0, 0.01 * bound);
  EXPECT_NEAR(meanSquare, bound * bound / 3.0, 0.01 * bound * bound); // variance of U(-b, b)
}

TEST(RandomWeightsTest, VectorsAreOneGiveOrTakeATenth) {
  std::vector<float> gains = randomWeightValues("model.norm.weight", {2048});
  auto [low, high] = std::minmax_element(gains.begin(), gains.end());
  EXPECT_GE(*low, 0.9f);
  EXPECT_LT(*high, 1.1f);
  EXPECT_LT(*low, 0.91f);
  EXPECT_GT(*high, 1.09f);
}

TEST(RandomWeightsTest, NamesSeedDifferentTensors) {
  std::vector<float> a = randomWeightValues("model.layers.0.self_attn.q_proj.weight", {64, 64});
  std::vector<float> b = randomWeightValues("model.layers.1.self_attn.q_proj.weight", {64, 64});
  size_t equal = 0;
  for (size_t i = 0; i < a.size(); ++i)
    equal += a[i] == b[i];
  EXPECT_LT(equal, 4u);
  EXPECT_EQ(a, randomWeightValues("model.layers.0.self_attn.q_proj.weight", {64, 64}));
}

TEST(RandomWeightsTest, EmptyShapesGiveNoValues) {
  EXPECT_TRUE(randomWeightValues("empty", {0, 16}).empty());
}

} // namespace
} // namespace loom::tools
