// BatchSampler: greedy rows per sampling entry, seeded draws reproducible, size mismatches rejected.
#include "runtime/Engine/BatchSampler.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

std::shared_ptr<Sequence> sequence(RequestId id, SamplingParams params) {
  return std::make_shared<Sequence>(id, std::vector<TokenId>{1, 2},
                                    std::make_shared<SamplingParams>(params), id);
}

TEST(BatchSamplerTest, SamplesOnlyEntriesThatProduceTokens) {
  ScheduledBatch batch;
  batch.blockSize = 16;
  SamplingParams greedy;
  greedy.temperature = 0.0f;
  batch.entries.push_back({sequence(1, greedy), 0, 2, true});
  batch.entries.push_back({sequence(2, greedy), 0, 1, false});
  batch.entries.push_back({sequence(3, greedy), 0, 2, true});
  std::vector<float> logits = {0.1f, 0.9f, 0.3f, /**/ 5.0f, 0.0f, 0.0f, /**/ 0.2f, 0.2f, 0.7f};
  auto tokens = sampleBatch(batch, logits, 3);
  ASSERT_TRUE(tokens.isOk()) << tokens.status().toString();
  EXPECT_EQ(*tokens, (std::vector<TokenId>{1, 2}));
}

TEST(BatchSamplerTest, SeededSamplingIsReproducible) {
  SamplingParams params;
  params.temperature = 1.0f;
  params.seed = 1234;
  std::vector<float> logits(64);
  for (size_t i = 0; i < logits.size(); ++i)
    logits[i] = static_cast<float>(i % 7) * 0.3f;
  std::vector<TokenId> first;
  for (int run = 0; run < 2; ++run) {
    ScheduledBatch batch;
    batch.blockSize = 16;
    batch.entries.push_back({sequence(1, params), 0, 2, true});
    auto tokens = sampleBatch(batch, logits, 64);
    ASSERT_TRUE(tokens.isOk());
    if (run == 0)
      first = *tokens;
    else
      EXPECT_EQ(*tokens, first);
  }
}

TEST(BatchSamplerTest, RejectsLogitsOfTheWrongSize) {
  ScheduledBatch batch;
  batch.entries.push_back({sequence(1, {}), 0, 2, true});
  std::vector<float> logits(5);
  EXPECT_FALSE(sampleBatch(batch, logits, 3).isOk());
}

} // namespace
} // namespace loom::rt
