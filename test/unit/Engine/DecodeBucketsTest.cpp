// Decode buckets (the CUDA graph sizes) and padding a decode step to its bucket.
#include "runtime/Engine/DecodeBuckets.h"
#include "test/unit/Engine/FakeModel.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

TEST(DecodeBucketsTest, FollowsOneTwoFourThenStepsOfEightUpToTheMax) {
  EXPECT_EQ(decodeBuckets(1), (std::vector<int>{1}));
  EXPECT_EQ(decodeBuckets(3), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(decodeBuckets(8), (std::vector<int>{1, 2, 4, 8}));
  EXPECT_EQ(decodeBuckets(32), (std::vector<int>{1, 2, 4, 8, 16, 24, 32}));
  EXPECT_EQ(decodeBuckets(37), (std::vector<int>{1, 2, 4, 8, 16, 24, 32, 37}));
  EXPECT_TRUE(decodeBuckets(0).empty());
  EXPECT_EQ(decodeBuckets(256).size(), 3u + 32u);
}

TEST(DecodeBucketsTest, PicksTheSmallestBucketThatHolds) {
  std::vector<int> buckets = decodeBuckets(37);
  EXPECT_EQ(bucketFor(buckets, 1), 1);
  EXPECT_EQ(bucketFor(buckets, 3), 4);
  EXPECT_EQ(bucketFor(buckets, 9), 16);
  EXPECT_EQ(bucketFor(buckets, 33), 37);
  EXPECT_EQ(bucketFor(buckets, 38), std::nullopt);
}

TEST(DecodeBucketsTest, PadsADecodeStepWithHarmlessRows) {
  ScheduledBatch batch;
  batch.blockSize = 4;
  batch.entries.push_back({testing::sequenceWithBlocks(1, {10, 11, 12, 13, 14, 15}, {3, 7}), 5, 1, true});
  batch.entries.push_back({testing::sequenceWithBlocks(2, {20, 21, 22}, {9}), 2, 1, true});
  auto in = buildStepInputs(batch, 3);
  ASSERT_TRUE(in.isOk());
  ASSERT_TRUE(isDecodeOnly(*in));
  StepInputs unpadded = *in;
  ASSERT_TRUE(padDecodeStep(*in, 4, PaddingTarget{63, 4}).isOk());
  EXPECT_EQ(in->numTokens, 4);
  EXPECT_EQ(in->numSeqs, 4);
  EXPECT_EQ(in->blocksPerSeq, 3);
  EXPECT_EQ(in->tokens, (std::vector<int32_t>{15, 22, 0, 0}));
  EXPECT_EQ(in->positions, (std::vector<int32_t>{5, 2, 0, 0}));
  EXPECT_EQ(in->slots, (std::vector<int32_t>{7 * 4 + 1, 9 * 4 + 2, 63 * 4, 63 * 4}));
  EXPECT_EQ(in->seqStarts, (std::vector<int32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(in->contextLens, (std::vector<int32_t>{6, 3, 1, 1}));
  EXPECT_EQ(in->blockTables,
            (std::vector<int32_t>{3, 7, 0, 9, 0, 0, 63, 63, 63, 63, 63, 63}));
  EXPECT_EQ(in->logitRows, (std::vector<int32_t>{0, 1, 2, 3}));
  // The real rows are the unpadded step's.
  EXPECT_TRUE(std::equal(unpadded.slots.begin(), unpadded.slots.end(), in->slots.begin()));
}

TEST(DecodeBucketsTest, RefusesPrefillsAndOversizedSteps) {
  ScheduledBatch batch;
  batch.blockSize = 4;
  batch.entries.push_back({testing::sequenceWithBlocks(1, {1, 2, 3}, {5}), 0, 3, true});
  auto prefill = buildStepInputs(batch);
  ASSERT_TRUE(prefill.isOk());
  Status status = padDecodeStep(*prefill, 4, PaddingTarget{9, 4});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("3 tokens over 1 sequences"), std::string::npos);

  batch.entries[0] = {testing::sequenceWithBlocks(1, {1, 2, 3}, {5}), 2, 1, true};
  batch.entries.push_back({testing::sequenceWithBlocks(2, {4, 5}, {6}), 1, 1, true});
  auto decode = buildStepInputs(batch);
  ASSERT_TRUE(decode.isOk());
  EXPECT_FALSE(padDecodeStep(*decode, 1, PaddingTarget{9, 4}).isOk());
}

} // namespace
} // namespace loom::rt
