// StepInputs: positions, slots, offsets and block tables of a mixed decode + prefill-chunk batch.
#include "runtime/Engine/StepInputs.h"
#include "test/unit/Engine/FakeModel.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

TEST(StepInputsTest, BuildsADecodeAndAPrefillChunk) {
  ScheduledBatch batch;
  batch.blockSize = 4;
  // A decode at position 5 (block 7 holds positions 4..7), then a chunk of positions 2..5.
  batch.entries.push_back({testing::sequenceWithBlocks(1, {10, 11, 12, 13, 14, 15}, {3, 7}), 5, 1, true});
  batch.entries.push_back({testing::sequenceWithBlocks(2, {20, 21, 22, 23, 24, 25, 26}, {9, 2}), 2, 4, false});
  auto in = buildStepInputs(batch);
  ASSERT_TRUE(in.isOk()) << in.status().toString();
  EXPECT_EQ(in->numTokens, 5);
  EXPECT_EQ(in->numSeqs, 2);
  EXPECT_EQ(in->blocksPerSeq, 2);
  EXPECT_EQ(in->tokens, (std::vector<int32_t>{15, 22, 23, 24, 25}));
  EXPECT_EQ(in->positions, (std::vector<int32_t>{5, 2, 3, 4, 5}));
  EXPECT_EQ(in->slots, (std::vector<int32_t>{7 * 4 + 1, 9 * 4 + 2, 9 * 4 + 3, 2 * 4 + 0, 2 * 4 + 1}));
  EXPECT_EQ(in->seqStarts, (std::vector<int32_t>{0, 1, 5}));
  EXPECT_EQ(in->contextLens, (std::vector<int32_t>{6, 6}));
  EXPECT_EQ(in->blockTables, (std::vector<int32_t>{3, 7, 9, 2}));
  EXPECT_EQ(in->logitRows, (std::vector<int32_t>{0, 4}));
}

TEST(StepInputsTest, PadsBlockTablesToTheRequestedWidth) {
  ScheduledBatch batch;
  batch.blockSize = 16;
  batch.entries.push_back({testing::sequenceWithBlocks(1, {1, 2, 3}, {5}), 0, 3, true});
  auto in = buildStepInputs(batch, 4);
  ASSERT_TRUE(in.isOk());
  EXPECT_EQ(in->blocksPerSeq, 4);
  EXPECT_EQ(in->blockTables, (std::vector<int32_t>{5, 0, 0, 0}));
}

TEST(StepInputsTest, RejectsAContextLargerThanItsBlocks) {
  ScheduledBatch batch;
  batch.blockSize = 2;
  batch.entries.push_back({testing::sequenceWithBlocks(1, {1, 2, 3}, {5}), 0, 3, true});
  auto in = buildStepInputs(batch);
  ASSERT_FALSE(in.isOk());
  EXPECT_NE(in.status().message().find("3 tokens from position 0 do not fit its 1 blocks of 2"),
            std::string::npos);
}

TEST(StepInputsTest, ReusedArraysHoldOnlyTheLaterStep) {
  ScheduledBatch big, small;
  big.blockSize = small.blockSize = 4;
  big.entries.push_back({testing::sequenceWithBlocks(1, {1, 2, 3, 4, 5, 6, 7}, {3, 8}), 0, 7, true});
  big.entries.push_back({testing::sequenceWithBlocks(2, {9, 8, 7}, {4}), 0, 3, true});
  small.entries.push_back({testing::sequenceWithBlocks(3, {5, 6}, {6}), 1, 1, true});
  StepInputs in;
  ASSERT_TRUE(buildStepInputs(big, 3, in).isOk());
  EXPECT_EQ(in.numTokens, 10);
  ASSERT_TRUE(buildStepInputs(small, 0, in).isOk());
  auto fresh = buildStepInputs(small);
  ASSERT_TRUE(fresh.isOk());
  EXPECT_EQ(in.tokens, fresh->tokens);
  EXPECT_EQ(in.tokens, (std::vector<int32_t>{6}));
  EXPECT_EQ(in.positions, fresh->positions);
  EXPECT_EQ(in.slots, (std::vector<int32_t>{6 * 4 + 1}));
  EXPECT_EQ(in.seqStarts, (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(in.contextLens, (std::vector<int32_t>{2}));
  EXPECT_EQ(in.blockTables, (std::vector<int32_t>{6}));
  EXPECT_EQ(in.logitRows, (std::vector<int32_t>{0}));
  EXPECT_EQ(in.numTokens, 1);
  EXPECT_EQ(in.numSeqs, 1);
  EXPECT_EQ(in.blocksPerSeq, 1);
}

} // namespace
} // namespace loom::rt
