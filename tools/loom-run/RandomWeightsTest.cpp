// Random weights: the same values for any thread count, in range, and different per name.
#include "tools/loom-run/RandomWeights.h"

#include "runtime/Support/Hash.h"

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

// SHA-256 of the f32 bytes as randomWeightValues made them at dd92420 (before the fill could
// write into an uninitialized buffer): the values of --random-weights must not change.
TEST(RandomWeightsTest, SameBytesAsBeforeForFixedNames) {
  struct Golden {
    const char *name;
    std::vector<int64_t> shape;
    const char *sha256;
  };
  const Golden goldens[] = {
      {"model.embed_tokens.weight", {512, 4096},
       "448fa31c0b55bbced38171034736b6a4af4289d7c702c578d93d2e65061088a1"},
      {"model.norm.weight", {2048},
       "087260e5969e167f44f9e82f25c6f35374a8548f3cf13de2db9c727092b3965c"},
      {"model.layers.3.mlp.down_proj.weight", {2, (1 << 20) + 5},
       "6c055e299e38e0c20b66f29fd8073023275b240ca379b88f5f3f9effadd5ee9e"}};
  auto digest = [](std::span<const float> values) {
    return sha256Hex(std::string_view(reinterpret_cast<const char *>(values.data()),
                                      values.size_bytes()));
  };
  ThreadPool pool(4);
  for (const Golden &golden : goldens) {
    EXPECT_EQ(digest(randomWeightValues(golden.name, golden.shape)), golden.sha256) << golden.name;
    // Into a buffer holding other values: every value is written.
    std::vector<float> out(randomWeightCount(golden.shape), std::nanf(""));
    fillRandomWeightValues(golden.name, golden.shape, out, &pool);
    EXPECT_EQ(digest(out), golden.sha256) << golden.name << " (filled on 4 threads)";
  }
}

TEST(RandomWeightsTest, EmptyShapesGiveNoValues) {
  EXPECT_TRUE(randomWeightValues("empty", {0, 16}).empty());
}

} // namespace
} // namespace loom::tools
