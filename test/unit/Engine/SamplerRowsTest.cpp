// SamplerRows: the GPU sampler's rows follow the ModelRunner contract (which entries, which
// logits row, which seed and draw, which history).
#include "runtime/Engine/SamplerRows.h"
#include "test/unit/Engine/FakeModel.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

TEST(SamplerRowsTest, OneRowPerSampledEntryWithItsParameters) {
  SamplingParams plain;
  plain.temperature = 0.8f;
  plain.topK = 5;
  plain.topP = 0.9f;
  plain.minP = 0.05f;
  plain.seed = 1234;
  SamplingParams penalized;
  penalized.temperature = 0.0f;
  penalized.repetitionPenalty = 1.3f;

  ScheduledBatch batch;
  batch.blockSize = 4;
  auto a = testing::sequenceWithBlocks(1, {1, 2, 3}, {0}, plain);
  a->appendToken(9);
  a->appendToken(8); // two generated tokens: the next draw is token index 2
  auto chunk = testing::sequenceWithBlocks(2, {4, 5, 6, 7, 8}, {1, 2});
  auto b = testing::sequenceWithBlocks(3, {7, 7, 6}, {3}, penalized);
  batch.entries.push_back({a, 4, 1, true});
  batch.entries.push_back({chunk, 0, 3, false}); // a prefill chunk: no row
  batch.entries.push_back({b, 0, 3, true});

  SamplerRows rows = buildSamplerRows(batch);
  ASSERT_EQ(rows.rows.size(), 2u);
  const SamplerRow &first = rows.rows[0];
  EXPECT_EQ(first.logitsRow, 0);
  EXPECT_EQ(first.temperature, 0.8f);
  EXPECT_EQ(first.topK, 5);
  EXPECT_EQ(first.topP, 0.9f);
  EXPECT_EQ(first.minP, 0.05f);
  EXPECT_EQ(first.seed, 1234u);
  EXPECT_EQ(first.tokenIndex, 2u);
  EXPECT_EQ(first.historyBegin, first.historyEnd); // no penalty: no history
  const SamplerRow &second = rows.rows[1];
  EXPECT_EQ(second.logitsRow, 2);
  EXPECT_EQ(second.seed, 0u);
  EXPECT_EQ(second.tokenIndex, 0u);
  EXPECT_EQ(second.repetitionPenalty, 1.3f);
  EXPECT_EQ(std::vector<int32_t>(rows.history.begin() + second.historyBegin,
                                 rows.history.begin() + second.historyEnd),
            (std::vector<int32_t>{7, 7, 6}));
}

TEST(SamplerRowsTest, ReusedRowsHoldOnlyTheLaterBatch) {
  SamplingParams penalized;
  penalized.repetitionPenalty = 1.3f;
  ScheduledBatch first, later;
  first.blockSize = later.blockSize = 4;
  first.entries.push_back({testing::sequenceWithBlocks(1, {1, 2, 3}, {0}, penalized), 0, 3, true});
  first.entries.push_back({testing::sequenceWithBlocks(2, {4, 5}, {1}, penalized), 0, 2, true});
  later.entries.push_back({testing::sequenceWithBlocks(3, {7, 6}, {2}, penalized), 0, 2, true});
  SamplerRows rows;
  buildSamplerRows(first, rows);
  ASSERT_EQ(rows.history.size(), 5u);
  buildSamplerRows(later, rows);
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(rows.history, (std::vector<int32_t>{7, 6}));
  EXPECT_EQ(rows.rows[0].historyBegin, 0);
  EXPECT_EQ(rows.rows[0].historyEnd, 2);
}

} // namespace
} // namespace loom::rt
