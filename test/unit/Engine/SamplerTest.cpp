// Host sampler math on hand-computed logits, seeding, and parameter validation.
#include "runtime/Engine/HostSampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace loom::rt {
namespace {

SamplingParams withTemperature(float temperature) {
  SamplingParams params;
  params.temperature = temperature;
  return params;
}

/// Logits whose softmax is exactly {0.5, 0.3, 0.15, 0.05}.
std::vector<float> quarterLogits() {
  return {std::log(0.5f), std::log(0.3f), std::log(0.15f), std::log(0.05f)};
}

void expectProbs(const std::vector<double> &actual, const std::vector<double> &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-6) << "token " << i;
}

TEST(HostSamplerTest, GreedyIsArgmaxWithLowestIndexOnTies) {
  SamplingParams params = withTemperature(0.0f);
  params.topK = 1; // ignored by greedy
  SamplerRng rng(1);
  std::vector<float> logits = {1.0f, 5.0f, 5.0f, 2.0f};
  EXPECT_EQ(sampleOnHost(logits, params, {}, rng), 1);
  std::vector<float> other = {-3.0f, -1.0f, -2.0f};
  EXPECT_EQ(sampleOnHost(other, params, {}, rng), 1);
}

TEST(HostSamplerTest, RepetitionPenaltyDividesPositiveAndMultipliesNegative) {
  std::vector<float> logits = {2.0f, -1.0f, 1.5f};
  std::vector<TokenId> history = {0, 1, 0};
  applyRepetitionPenalty(logits, history, 2.0f);
  EXPECT_FLOAT_EQ(logits[0], 1.0f);
  EXPECT_FLOAT_EQ(logits[1], -2.0f);
  EXPECT_FLOAT_EQ(logits[2], 1.5f);

  SamplingParams params = withTemperature(0.0f);
  SamplerRng rng(1);
  std::vector<float> raw = {2.0f, -1.0f, 1.5f};
  EXPECT_EQ(sampleOnHost(raw, params, history, rng), 0);
  params.repetitionPenalty = 2.0f;
  EXPECT_EQ(sampleOnHost(raw, params, history, rng), 2);
}

TEST(HostSamplerTest, TemperatureScalesLogits) {
  std::vector<float> logits = {0.0f, std::log(2.0f)};
  expectProbs(samplingProbabilities(logits, withTemperature(0.5f), {}), {0.2, 0.8});
  expectProbs(samplingProbabilities(logits, withTemperature(1.0f), {}), {1.0 / 3, 2.0 / 3});
}

TEST(HostSamplerTest, TopKKeepsTheKLargestAndTheirTies) {
  SamplingParams params = withTemperature(1.0f);
  params.topK = 2;
  double high = 1.0 / (1.0 + std::exp(-1.0));
  expectProbs(samplingProbabilities(std::vector<float>{1, 3, 2, 0}, params, {}),
              {0.0, high, 1.0 - high, 0.0});
  expectProbs(samplingProbabilities(std::vector<float>{2, 2, 2, 1}, params, {}),
              {1.0 / 3, 1.0 / 3, 1.0 / 3, 0.0});
}

TEST(HostSamplerTest, TopPKeepsTheSmallestSetReachingTheMass) {
  SamplingParams params = withTemperature(1.0f);
  params.topP = 0.7f;
  expectProbs(samplingProbabilities(quarterLogits(), params, {}), {0.625, 0.375, 0, 0});
  params.topP = 0.85f;
  expectProbs(samplingProbabilities(quarterLogits(), params, {}),
              {0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0});
  params.topP = 0.4f;
  expectProbs(samplingProbabilities(quarterLogits(), params, {}), {1, 0, 0, 0});
}

TEST(HostSamplerTest, MinPDropsTokensBelowAFractionOfTheMax) {
  SamplingParams params = withTemperature(1.0f);
  params.minP = 0.4f; // threshold 0.2
  expectProbs(samplingProbabilities(quarterLogits(), params, {}), {0.625, 0.375, 0, 0});
  params.minP = 0.25f; // threshold 0.125
  expectProbs(samplingProbabilities(quarterLogits(), params, {}),
              {0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0});
}

TEST(HostSamplerTest, TopPAppliesAfterTopK) {
  SamplingParams params = withTemperature(1.0f);
  params.topK = 3;   // {0.5, 0.3, 0.15} renormalized: {0.526, 0.316, 0.158}
  params.topP = 0.8f; // 0.526 + 0.316 = 0.842 >= 0.8
  expectProbs(samplingProbabilities(quarterLogits(), params, {}), {0.625, 0.375, 0, 0});
}

TEST(HostSamplerTest, RngMatchesSplitMix64) {
  SamplerRng rng(0);
  EXPECT_EQ(rng.nextU64(), 0xe220a8397b1dcdafull);
  EXPECT_EQ(rng.nextU64(), 0x6e789e6aa1b965f4ull);
}

TEST(HostSamplerTest, SeededSamplingIsReproducible) {
  SamplingParams params = withTemperature(1.0f);
  std::vector<float> logits = {0.1f, 0.4f, 0.2f, 0.3f, 0.0f, 0.25f};
  auto draw = [&](uint64_t seed) {
    std::vector<TokenId> tokens;
    for (int i = 0; i < 200; ++i) {
      SamplerRng rng = SamplerRng::forToken(seed, i);
      tokens.push_back(sampleOnHost(logits, params, {}, rng));
    }
    return tokens;
  };
  EXPECT_EQ(draw(42), draw(42));
  EXPECT_NE(draw(42), draw(43));
}

TEST(HostSamplerTest, DrawFrequenciesFollowTheDistribution) {
  SamplingParams params = withTemperature(1.0f);
  params.topK = 3;
  std::vector<double> expected = samplingProbabilities(quarterLogits(), params, {});
  std::vector<int> counts(4, 0);
  SamplerRng rng(7);
  constexpr int kDraws = 40000;
  for (int i = 0; i < kDraws; ++i)
    ++counts[sampleOnHost(quarterLogits(), params, {}, rng)];
  EXPECT_EQ(counts[3], 0); // masked by top-k
  for (int t = 0; t < 3; ++t)
    EXPECT_NEAR(counts[t] / double(kDraws), expected[t], 0.01) << "token " << t;
}

TEST(SamplingParamsTest, AcceptsDefaultsAndEdges) {
  SamplingParams params;
  EXPECT_TRUE(params.validate().isOk());
  params.temperature = 0.0f;
  params.topP = 1.0f;
  params.minP = 1.0f;
  params.topK = 0;
  params.maxTokens = 1;
  EXPECT_TRUE(params.validate().isOk());
}

TEST(SamplingParamsTest, NamesTheInvalidParameter) {
  struct Case {
    void (*mutate)(SamplingParams &);
    const char *name;
  };
  const Case cases[] = {
      {[](SamplingParams &p) { p.temperature = -0.5f; }, "temperature"},
      {[](SamplingParams &p) { p.temperature = NAN; }, "temperature"},
      {[](SamplingParams &p) { p.topK = -1; }, "top_k"},
      {[](SamplingParams &p) { p.topP = 0.0f; }, "top_p"},
      {[](SamplingParams &p) { p.topP = 1.5f; }, "top_p"},
      {[](SamplingParams &p) { p.minP = -0.1f; }, "min_p"},
      {[](SamplingParams &p) { p.minP = 1.1f; }, "min_p"},
      {[](SamplingParams &p) { p.repetitionPenalty = 0.0f; }, "repetition_penalty"},
      {[](SamplingParams &p) { p.maxTokens = 0; }, "max_tokens"},
      {[](SamplingParams &p) { p.stopTokenIds = {-2}; }, "stop_token_ids"},
      {[](SamplingParams &p) { p.stopStrings = {""}; }, "stop strings"},
  };
  for (const Case &c : cases) {
    SamplingParams params;
    c.mutate(params);
    Status status = params.validate();
    ASSERT_FALSE(status.isOk()) << c.name;
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(c.name), std::string::npos) << status.message();
  }
}

} // namespace
} // namespace loom::rt
