// attentionPrefill on random ragged batches against the float64 reference: whole prompts,
// chunked prefill over cached blocks mixed with decode rows, GQA/MQA, head dims 64/128,
// bf16/f16, block sizes 16/32, causal and not, every bench tile.
#include "AttentionGpuFixture.h"

namespace loom::testing {
namespace {

using PrefillGpuTest = AttentionGpuTest;

/// (queries, context) per sequence.
struct SeqShape {
  int queries, context;
};
PagedBatch batchOf(AttentionShape shape, const std::vector<SeqShape> &seqs, uint64_t seed,
                   int qRowStride = 0) {
  std::vector<int> queries, contexts;
  for (const SeqShape &seq : seqs)
    queries.push_back(seq.queries), contexts.push_back(seq.context);
  return PagedBatch::random(shape, queries, contexts, seed, qRowStride);
}

TEST_F(PrefillGpuTest, WholePromptsOfEdgeLengths) {
  const PrefillKernelSpec spec = benchPrefillTiles()[0];
  const PagedBatch batch = batchOf(
      spec.shape, {{1, 1}, {15, 15}, {16, 16}, {17, 17}, {1000, 1000}, {130, 130}}, 11);
  EXPECT_TRUE(matchesReference(batch, runPrefill(spec, batch), spec.bm));
}

TEST_F(PrefillGpuTest, ChunkedPrefillMixedWithDecodeRowsEveryTile) {
  // A 300-row chunk over 3833 cached tokens, decode rows at lengths 1/17/1000/4096, a whole
  // 16-token prompt and a 128-row chunk; Q read from a packed QKV row (stride 48 heads).
  const AttentionShape shape = llamaShape();
  const PagedBatch batch = batchOf(
      shape, {{1, 1}, {300, 4133}, {1, 17}, {1, 1000}, {16, 16}, {128, 515}, {1, 4096}}, 12,
      (shape.heads + 2 * shape.kvHeads) * shape.headDim);
  for (const PrefillKernelSpec &spec : benchPrefillTiles()) {
    SCOPED_TRACE(spec.name());
    EXPECT_TRUE(matchesReference(batch, runPrefill(spec, batch), spec.bm));
  }
}

TEST_F(PrefillGpuTest, F16Llama) {
  const PrefillKernelSpec spec{llamaShape(AttentionType::kF16), 128, 64, 8, true};
  const PagedBatch batch = batchOf(spec.shape, {{40, 40}, {1, 600}, {77, 200}}, 13);
  EXPECT_TRUE(matchesReference(batch, runPrefill(spec, batch), spec.bm));
}

TEST_F(PrefillGpuTest, MultiQueryHeadDim64) {
  const PagedBatch batch =
      batchOf(mqaShape(), {{1, 15}, {64, 64}, {100, 1000}, {1, 4100}, {200, 260}}, 14);
  for (const PrefillKernelSpec &spec :
       {PrefillKernelSpec{mqaShape(), 128, 64, 8, true}, PrefillKernelSpec{mqaShape(), 64, 64, 4, true}}) {
    SCOPED_TRACE(spec.name());
    EXPECT_TRUE(matchesReference(batch, runPrefill(spec, batch), spec.bm));
  }
}

TEST_F(PrefillGpuTest, BlockSize32CausalAndFull) {
  PagedBatch batch = batchOf(smallGqaShape(), {{33, 33}, {1, 17}, {65, 300}, {5, 64}}, 15);
  const PrefillKernelSpec causal{smallGqaShape(), 128, 64, 8, true};
  EXPECT_TRUE(matchesReference(batch, runPrefill(causal, batch), causal.bm));
  batch.causal = false;
  const PrefillKernelSpec full{smallGqaShape(), 64, 32, 4, false};
  EXPECT_TRUE(matchesReference(batch, runPrefill(full, batch), full.bm));
}

} // namespace
} // namespace loom::testing
