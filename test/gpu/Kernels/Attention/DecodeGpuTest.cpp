// attentionDecodeSplit (splits merged in-kernel by the last CTA to arrive) against the float64
// reference: one query per sequence at context lengths around block and split boundaries up to
// 5000, in one launch with the grid sized by the block-table width; GQA 32/8 (head dims 64 and
// 128), 24/8, 8/8, 32/4, MQA 32/1, 16/1, bf16/f16; contexts of one split (no partials) alone and
// beside longer ones; grids of smaller splits than the Config's, up to 79 splits per sequence
// (merged in rounds of 8); the same launch replayed from a CUDA graph (its split counters reset
// themselves).
#include "AttentionGpuFixture.h"

#include "runtime/CUDA/Graph.h"

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

// Contexts of at most one split (256 tokens): the split-0 CTA writes the normalized output (the
// out buffer starts poisoned, so a sequence it skipped fails), GQA and MQA.
TEST_F(DecodeGpuTest, OneSplitContextsNeedNoCombine) {
  const DecodeKernelSpec gqa{llamaShape(), 16};
  const PagedBatch gqaBatch = decodeBatch(gqa.shape, {1, 15, 16, 17, 100, 255, 256}, 26);
  EXPECT_TRUE(matchesReference(gqaBatch, runDecode(gqa, gqaBatch), 1));
  const DecodeKernelSpec mqa{{AttentionType::kF16, 32, 1, 64, 16}, 8};
  const PagedBatch mqaBatch = decodeBatch(mqa.shape, {1, 64, 127, 128}, 27);
  EXPECT_TRUE(matchesReference(mqaBatch, runDecode(mqa, mqaBatch), 1));
}

// Sequences of one split beside sequences of many in one launch: one-split outputs come from
// their CTA, the others from the merging CTA of each (sequence, KV head).
TEST_F(DecodeGpuTest, OneSplitAndManySplitSequencesTogether) {
  const DecodeKernelSpec spec{llamaShape(), 16};
  const PagedBatch batch = decodeBatch(spec.shape, {300, 7, 4096, 256, 257, 1, 999}, 28);
  EXPECT_TRUE(matchesReference(batch, runDecode(spec, batch), 1));
}

// Llama-3.2-1B's layer (head dim 64) at the contexts a batch-1 bench and a ragged batch reach.
TEST_F(DecodeGpuTest, Llama1bShapes) {
  const DecodeKernelSpec spec{llama1bShape(), 16};
  const PagedBatch batch = decodeBatch(spec.shape, kDecodeContexts, 29,
                                       (spec.shape.heads + 2 * spec.shape.kvHeads) * spec.shape.headDim);
  EXPECT_TRUE(matchesReference(batch, runDecode(spec, batch), 1));
  const PagedBatch single = decodeBatch(spec.shape, {384}, 30);
  EXPECT_TRUE(matchesReference(single, runDecode(spec, single), 1));
}

// The 1B layer's kernels launched with grids wider than their Config's splits need, as the
// compiler launches steps of fewer sequences (its Config is the 512-token one of its largest
// tier: 64-, 256- and 512-token grids): every split size up to the Config's gives the reference,
// one-split contexts included.
TEST_F(DecodeGpuTest, WiderGridsTakeSmallerSplits) {
  const std::pair<int, int> configAndGrid[] = {{16, 4}, {16, 8}, {32, 4}, {32, 16}, {32, 32}};
  for (auto [blocksPerSplit, gridBlocksPerSplit] : configAndGrid) {
    const DecodeKernelSpec spec{llama1bShape(), blocksPerSplit, gridBlocksPerSplit};
    SCOPED_TRACE(spec.name() + " grid split " + std::to_string(gridBlocksPerSplit));
    const PagedBatch batch = decodeBatch(spec.shape, {1, 63, 64, 65, 129, 256, 384, 512, 513, 1000, 4096}, 32);
    EXPECT_TRUE(matchesReference(batch, runDecode(spec, batch), 1));
  }
}

// One launch captured in a CUDA graph after a poisoning fill of the output, replayed four times
// (as a decode bucket's graph is every step): each replay must merge again, which it can only if
// the previous one left every split counter at zero, and gives bit-identical outputs (the merge
// adds the splits in split order whichever CTA arrives last). GQA 32/8 (64-, 256- and
// 512-token splits) and MQA 32/1, ragged.
TEST_F(DecodeGpuTest, GraphReplaysResetTheSplitCounters) {
  const std::pair<DecodeKernelSpec, std::vector<int>> cases[] = {
      {{llama1bShape(), 16}, {300, 7, 4096, 256, 257, 1, 999, 5000, 512, 513}},
      {{llama1bShape(), 16, 4}, {129, 1, 64, 65, 384, 4096}},
      {{llama1bShape(), 32}, {129, 513, 1, 512, 384, 4096}},
      {{{AttentionType::kF16, 32, 1, 64, 16}, 8}, {129, 1, 2000, 128, 3000}}};
  for (const auto &[spec, contexts] : cases) {
    SCOPED_TRACE(spec.name());
    const PagedBatch batch = decodeBatch(spec.shape, contexts, 31);
    const DeviceBatch in = uploadBatch(batch);
    const DecodeBuffers buffers = decodeBuffers(spec, batch);
    rt::KernelArgs args = decodeArgs(batch, in, buffers);
    rt::Kernel *function = kernel(spec.name());
    ASSERT_NE(function, nullptr);
    ASSERT_TRUE(rt::beginCapture(*stream_).isOk());
    const Status poisonedOut = stream_->fill(buffers.out, 0xff, buffers.outElements * 2);
    const Status launched = rt::launchKernel(
        *function, spec.launch(batch.seqs(), batch.blocksPerSeq), args, stream_->handle());
    StatusOr<rt::Graph> graph = rt::endCapture(*stream_);
    ASSERT_TRUE(poisonedOut.isOk() && launched.isOk()) << launched.toString();
    ASSERT_TRUE(graph.isOk()) << graph.status().toString();
    StatusOr<rt::GraphExec> exec = rt::GraphExec::instantiate(std::move(graph).value());
    ASSERT_TRUE(exec.isOk()) << exec.status().toString();
    std::vector<uint16_t> first;
    for (int replay = 0; replay < 4; ++replay) {
      SCOPED_TRACE(replay);
      ASSERT_TRUE(exec->launch(*stream_).isOk());
      const std::vector<uint16_t> bits = download<uint16_t>(buffers.out, buffers.outElements);
      EXPECT_TRUE(matchesReference(batch, decode16(spec.shape.type, bits), 1));
      EXPECT_EQ(download<int>(buffers.counters, spec.counterInts(batch.seqs())),
                std::vector<int>(spec.counterInts(batch.seqs()), 0));
      if (replay == 0)
        first = bits;
      else
        EXPECT_TRUE(bits == first) << "replay differs from the first";
    }
  }
}

// GQA groups 1, 3, 4 and 8 (head dims 64 and 128) at 64-, 256- and 256/512-token grids: ragged
// batches with contexts of 1, at split boundaries and up to 2100 tokens (33 splits of 64 tokens
// at once: the last CTA merges them in rounds of 8 partials).
TEST_F(DecodeGpuTest, EveryGroupSizeAtEveryGrid) {
  const std::vector<std::vector<int>> batches = {{1, 63, 64, 65, 129, 200, 384, 496},
                                                 {129, 500, 1, 256, 257},
                                                 {1, 64, 65, 300, 513, 1000, 2100}};
  const DecodeKernelSpec specs[] = {{{AttentionType::kBf16, 8, 8, 128, 16}, 16},
                                    {{AttentionType::kF16, 24, 8, 64, 16}, 16},
                                    {llama1bShape(), 32},
                                    {llamaShape(), 16},
                                    {{AttentionType::kBf16, 32, 4, 64, 16}, 16}};
  for (DecodeKernelSpec spec : specs)
    for (int gridBlocksPerSplit : {4, 16, spec.blocksPerSplit}) {
      spec.gridBlocksPerSplit = gridBlocksPerSplit;
      SCOPED_TRACE(spec.name() + " grid split " + std::to_string(gridBlocksPerSplit));
      for (size_t b = 0; b < batches.size(); ++b) {
        const PagedBatch batch = decodeBatch(spec.shape, batches[b], 40 + b);
        EXPECT_TRUE(matchesReference(batch, runDecode(spec, batch), 1)) << "batch " << b;
      }
    }
}

TEST_F(DecodeGpuTest, BlockSize32) {
  const DecodeKernelSpec spec{smallGqaShape(), 4};
  const PagedBatch batch = decodeBatch(spec.shape, {1, 31, 32, 33, 127, 128, 129, 3000}, 25);
  EXPECT_TRUE(matchesReference(batch, runDecode(spec, batch), 1));
}

} // namespace
} // namespace loom::testing
