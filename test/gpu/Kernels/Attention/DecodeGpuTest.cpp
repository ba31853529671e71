// attentionDecodeSplit + attentionDecodeCombine against the float64 reference: one query per
// sequence at context lengths around block and split boundaries up to 5000, in one launch with
// the grid sized by the block-table width; GQA 32/8, MQA 32/1, 16/1, head dims 64/128, bf16/f16;
// contexts of one split (no combine needed) alone and beside longer ones.
#include "AttentionGpuFixture.h"

namespace loom::testing {
namespace {

using DecodeGpuTest = AttentionGpuTest;

const std::vector<int> kDecodeContexts = {1, 15, 16, 17, 255, 256, 257, 1000, 4096, 5000};

PagedBatch decodeBatch(AttentionShape shape, std::vector<int> contexts, uint64_t seed,
                       int qRowStride = 0) {
  std::vector<int> queries(contexts.size(), 1);
  return PagedBatch::random(shape, queries, std::move(contexts), seed, qRowStride);
}

TEST_F(DecodeGpuTest, LlamaShapesEverySplitSize) {
  const AttentionShape shape = llamaShape();
  const PagedBatch batch = decodeBatch(shape, kDecodeContexts, 21,
                                       (shape.heads + 2 * shape.kvHeads) * shape.headDim);
  for (int blocksPerSplit : {16, 32}) {
    const DecodeKernelSpec spec{shape, blocksPerSplit};
    SCOPED_TRACE(spec.name());
    EXPECT_TRUE(matchesReference(batch, runDecode(spec, batch), 1));
  }
}

TEST_F(DecodeGpuTest, F16Llama) {
  const DecodeKernelSpec spec{llamaShape(AttentionType::kF16), 16};
  const PagedBatch batch = decodeBatch(spec.shape, kDecodeContexts, 22);
  EXPECT_TRUE(matchesReference(batch, runDecode(spec, batch), 1));
}

TEST_F(DecodeGpuTest, LargeGroupsSplitOverWarps) {
  const DecodeKernelSpec mqa{{AttentionType::kF16, 32, 1, 64, 16}, 8};
  const PagedBatch mqaBatch = decodeBatch(mqa.shape, {1, 16, 17, 129, 2000}, 23);
  EXPECT_TRUE(matchesReference(mqaBatch, runDecode(mqa, mqaBatch), 1));
  const DecodeKernelSpec sixteen{{AttentionType::kBf16, 16, 1, 128, 16}, 8};
  const PagedBatch sixteenBatch = decodeBatch(sixteen.shape, {3, 127, 128, 1500}, 24);
  EXPECT_TRUE(matchesReference(sixteenBatch, runDecode(sixteen, sixteenBatch), 1));
}

// Contexts of at most one split (256 tokens): the split kernel alone writes the normalized
// output (the out buffer starts poisoned, so a sequence it skipped fails), GQA and MQA.
TEST_F(DecodeGpuTest, OneSplitContextsNeedNoCombine) {
  const DecodeKernelSpec gqa{llamaShape(), 16};
  const PagedBatch gqaBatch = decodeBatch(gqa.shape, {1, 15, 16, 17, 100, 255, 256}, 26);
  EXPECT_TRUE(matchesReference(gqaBatch, runDecode(gqa, gqaBatch, /*combine=*/false), 1));
  const DecodeKernelSpec mqa{{AttentionType::kF16, 32, 1, 64, 16}, 8};
  const PagedBatch mqaBatch = decodeBatch(mqa.shape, {1, 64, 127, 128}, 27);
  EXPECT_TRUE(matchesReference(mqaBatch, runDecode(mqa, mqaBatch, /*combine=*/false), 1));
}

// Sequences of one split beside sequences of many in one launch: the combine must leave the
// one-split outputs the split kernel wrote and merge the others.
TEST_F(DecodeGpuTest, OneSplitAndManySplitSequencesTogether) {
  const DecodeKernelSpec spec{llamaShape(), 16};
  const PagedBatch batch = decodeBatch(spec.shape, {300, 7, 4096, 256, 257, 1, 999}, 28);
  EXPECT_TRUE(matchesReference(batch, runDecode(spec, batch), 1));
}

TEST_F(DecodeGpuTest, BlockSize32) {
  const DecodeKernelSpec spec{smallGqaShape(), 4};
  const PagedBatch batch = decodeBatch(spec.shape, {1, 31, 32, 33, 127, 128, 129, 3000}, 25);
  EXPECT_TRUE(matchesReference(batch, runDecode(spec, batch), 1));
}

} // namespace
} // namespace loom::testing
