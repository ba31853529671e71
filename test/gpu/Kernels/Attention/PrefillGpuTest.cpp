// attentionPrefill (mma.sync) and attentionPrefillSm90 (wgmma, on sm_90a devices) on random ragged
// batches against the float64 reference: whole prompts, chunked prefill over cached blocks mixed
// with decode rows, contexts up to 5000, GQA/MQA, head dims 64/128, bf16/f16, block sizes 16/32,
// causal and not, every bench tile.
#include "AttentionGpuFixture.h"

namespace loom::testing {
namespace {

class PrefillGpuTest : public AttentionGpuTest {
protected:
  /// Every kernel of `specs` this device runs matches the reference on `batch`.
  void expectMatches(const PagedBatch &batch, const std::vector<PrefillKernelSpec> &specs) {
    for (const PrefillKernelSpec &spec : specs) {
      if (!runs(spec))
        continue;
      SCOPED_TRACE(spec.name());
      EXPECT_TRUE(matchesReference(batch, runPrefill(spec, batch), spec.bm));
    }
  }
  /// The default mma.sync tile and the Hopper kernel for `shape`.
  static std::vector<PrefillKernelSpec> bothPaths(AttentionShape shape, bool causal = true) {
    return {{shape, 128, 64, 8, causal}, PrefillKernelSpec::sm90(shape, causal)};
  }
};

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
  const PagedBatch batch = batchOf(
      llamaShape(), {{1, 1}, {15, 15}, {16, 16}, {17, 17}, {1000, 1000}, {130, 130}}, 11);
  expectMatches(batch, bothPaths(llamaShape()));
}

TEST_F(PrefillGpuTest, ChunkedPrefillMixedWithDecodeRowsEveryTile) {
  // A 300-row chunk over 3833 cached tokens, decode rows at lengths 1/17/1000/4096, a whole
  // 16-token prompt and a 128-row chunk; Q read from a packed QKV row (stride 48 heads).
  const AttentionShape shape = llamaShape();
  const PagedBatch batch = batchOf(
      shape, {{1, 1}, {300, 4133}, {1, 17}, {1, 1000}, {16, 16}, {128, 515}, {1, 4096}}, 12,
      (shape.heads + 2 * shape.kvHeads) * shape.headDim);
  expectMatches(batch, benchPrefillTiles());
}

TEST_F(PrefillGpuTest, ContextsUpTo5000) {
  // A whole 5000-token prompt's last 257 rows as a chunk, decode rows at 4999 and 5000, a
  // 2-row chunk over 1 cached token.
  const PagedBatch batch =
      batchOf(llamaShape(), {{257, 5000}, {1, 4999}, {2, 3}, {1, 5000}, {129, 129}}, 16);
  expectMatches(batch, bothPaths(llamaShape()));
}

TEST_F(PrefillGpuTest, F16Llama) {
  const PagedBatch batch =
      batchOf(llamaShape(AttentionType::kF16), {{40, 40}, {1, 600}, {77, 200}}, 13);
  expectMatches(batch, bothPaths(llamaShape(AttentionType::kF16)));
}

TEST_F(PrefillGpuTest, MultiQueryHeadDim64) {
  const PagedBatch batch =
      batchOf(mqaShape(), {{1, 15}, {64, 64}, {100, 1000}, {1, 4100}, {200, 260}}, 14);
  std::vector<PrefillKernelSpec> specs = bothPaths(mqaShape());
  specs.push_back({mqaShape(), 64, 64, 4, true});
  expectMatches(batch, specs);
}

TEST_F(PrefillGpuTest, BlockSize32CausalAndFull) {
  PagedBatch batch = batchOf(smallGqaShape(), {{33, 33}, {1, 17}, {65, 300}, {5, 64}}, 15);
  expectMatches(batch, bothPaths(smallGqaShape()));
  batch.causal = false;
  expectMatches(batch, bothPaths(smallGqaShape(), false));
  expectMatches(batch, {{smallGqaShape(), 64, 32, 4, false}});
}

} // namespace
} // namespace loom::testing
