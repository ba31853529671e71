// loom/attention_simt.cuh on the GPU vs a float64 CPU reference: head dims 8, 32 and 256, GQA
// 2:1, f32 / bf16 / f16 KV, contexts 1, 15, 16, 17 and 300 over a shuffled paged pool (blocks of
// 16, two layers), as a full prefill, a chunked prefill, a decode step and a non-causal step.
#include "SimtKernels.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace loom::testing {
namespace {

constexpr int kBlockSize = AttentionCase::kBlockSize;

/// One step over a paged pool: sequence b has queries[b] query rows, the last of its contexts[b]
/// tokens. Q rows are packed QKV-wide (the stride the compiled model reads Q in place with).
struct Batch {
  AttentionCase shape;
  std::vector<int> queries, contexts;
  int layers = 2, layer = 1, tokens = 0, blocksPerSeq = 0, cacheBlocks = 0, qRowStride = 0;
  float scale = 0;
  std::vector<int> seqStarts{0}, blockTables;
  std::vector<float> q, kPool, vPool;

  int seqs() const { return int(queries.size()); }
  size_t poolOffset(int seq, int position, int kvHead) const {
    const int block = blockTables[size_t(seq) * blocksPerSeq + position / kBlockSize];
    return (((size_t(layer) * cacheBlocks + block) * kBlockSize + position % kBlockSize) * shape.kvHeads + kvHead) *
           shape.headDim;
  }
};

Batch makeBatch(const AttentionCase &shape, std::vector<int> queries, std::vector<int> contexts, uint32_t seed) {
  Batch batch{shape, std::move(queries), std::move(contexts)};
  batch.qRowStride = (shape.heads + 2 * shape.kvHeads) * shape.headDim;
  batch.scale = 1.0f / std::sqrt(float(shape.headDim));
  int usedBlocks = 0;
  for (int b = 0; b < batch.seqs(); ++b) {
    batch.seqStarts.push_back(batch.seqStarts.back() + batch.queries[b]);
    const int blocks = (batch.contexts[b] + kBlockSize - 1) / kBlockSize;
    usedBlocks += blocks;
    batch.blocksPerSeq = std::max(batch.blocksPerSeq, blocks + 1); // a spare column of -1
  }
  batch.tokens = batch.seqStarts.back();
  batch.cacheBlocks = usedBlocks + 3;
  std::vector<int> order(batch.cacheBlocks);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(seed));
  batch.blockTables.assign(size_t(batch.seqs()) * batch.blocksPerSeq, -1);
  int next = 0;
  for (int b = 0; b < batch.seqs(); ++b)
    for (int i = 0; i * kBlockSize < batch.contexts[b]; ++i)
      batch.blockTables[size_t(b) * batch.blocksPerSeq + i] = order[next++];
  const size_t pool = size_t(batch.layers) * batch.cacheBlocks * kBlockSize * shape.kvHeads * shape.headDim;
  batch.q = randomValues(shape.element, size_t(batch.tokens) * batch.qRowStride, seed + 1, 2.0f);
  batch.kPool = randomValues(shape.element, pool, seed + 2);
  batch.vPool = randomValues(shape.element, pool, seed + 3);
  return batch;
}

/// The float64 output of query `index` of sequence `seq`, head `head`.
std::vector<double> reference(const Batch &batch, int seq, int index, int head) {
  const int D = batch.shape.headDim, kvHead = head / (batch.shape.heads / batch.shape.kvHeads);
  const int context = batch.contexts[seq];
  const int visible = batch.shape.causal ? context - batch.queries[seq] + index + 1 : context;
  const float *query = &batch.q[size_t(batch.seqStarts[seq] + index) * batch.qRowStride + size_t(head) * D];
  std::vector<double> scores(visible);
  double maximum = -INFINITY, sum = 0;
  for (int p = 0; p < visible; ++p) {
    const float *key = &batch.kPool[batch.poolOffset(seq, p, kvHead)];
    double dot = 0;
    for (int d = 0; d < D; ++d)
      dot += double(query[d]) * key[d];
    scores[p] = dot * batch.scale;
    maximum = std::max(maximum, scores[p]);
  }
  std::vector<double> out(D, 0.0);
  for (int p = 0; p < visible; ++p) {
    const double weight = std::exp(scores[p] - maximum);
    sum += weight;
    const float *value = &batch.vPool[batch.poolOffset(seq, p, kvHead)];
    for (int d = 0; d < D; ++d)
      out[d] += weight * value[d];
  }
  for (double &element : out)
    element = sum > 0 ? element / sum : 0.0;
  return out;
}

/// Steps of one shape: full prefill, chunked prefill (the last queries of longer contexts),
/// decode (one query per sequence).
struct Step {
  const char *name;
  std::vector<int> queries, contexts;
};
const std::vector<int> kContexts = {1, 15, 16, 17, 300};
const Step kSteps[] = {
    {"prefill", {1, 15, 16, 17, 300}, kContexts},
    {"chunked", {1, 3, 16, 2, 40}, kContexts},
    {"decode", {1, 1, 1, 1, 1}, kContexts},
};

struct AttentionProblem {
  int shape, step;
};

class SimtAttentionGpuTest : public SimtGpuTest, public ::testing::WithParamInterface<AttentionProblem> {};

TEST_P(SimtAttentionGpuTest, MatchesFloat64Reference) {
  const AttentionCase &shape = kAttentionCases[GetParam().shape];
  const Step &step = kSteps[GetParam().step];
  rt::Kernel *function = kernel(shape.name(), shape.source());
  ASSERT_NE(function, nullptr);
  const Batch batch = makeBatch(shape, step.queries, step.contexts, uint32_t(17 + 5 * GetParam().shape + GetParam().step));
  const int width = shape.heads * shape.headDim;
  const size_t outputs = size_t(batch.tokens) * width;
  const uint64_t out = poisoned(outputs * elementInfo(shape.element).bytes);
  rt::KernelArgs args;
  args.add(uploadAs(shape.element, batch.q)).add(batch.qRowStride).add(uploadAs(shape.element, batch.kPool));
  args.add(uploadAs(shape.element, batch.vPool)).add(out).add(upload(batch.seqStarts)).add(upload(batch.contexts));
  args.add(upload(batch.blockTables)).add(batch.seqs()).add(batch.blocksPerSeq).add(batch.layer);
  args.add(batch.cacheBlocks).add(batch.scale);
  rt::LaunchConfig config;
  config.grid = {unsigned(batch.tokens), unsigned(shape.heads), 1};
  config.block.x = 32 * AttentionCase::kWarps;
  ASSERT_TRUE(rt::launchKernel(*function, config, args, stream_->handle()).isOk());
  const std::vector<float> got = downloadAs(shape.element, out, outputs);

  const double rtol = shape.element == Element::kBf16 ? 1.0 / 256 : shape.element == Element::kF16 ? 1.0 / 1024 : 2e-5;
  const double atol = shape.element == Element::kF32 ? 2e-6 : 1e-3;
  double errorSquares = 0, referenceSquares = 0;
  for (int b = 0; b < batch.seqs(); ++b)
    for (int index = 0; index < batch.queries[b]; ++index)
      for (int head = 0; head < shape.heads; ++head) {
        const std::vector<double> want = reference(batch, b, index, head);
        const size_t row = size_t(batch.seqStarts[b] + index) * width + size_t(head) * shape.headDim;
        for (int d = 0; d < shape.headDim; ++d) {
          const double error = std::fabs(got[row + d] - want[d]);
          ASSERT_LE(error, atol + rtol * std::fabs(want[d]))
              << "sequence " << b << " (context " << batch.contexts[b] << ") query " << index << " head " << head
              << " dim " << d << ": got " << got[row + d] << ", want " << want[d];
          errorSquares += error * error, referenceSquares += want[d] * want[d];
        }
      }
  EXPECT_LT(std::sqrt(errorSquares / referenceSquares), shape.element == Element::kF32 ? 1e-6 : 4e-3);
}

std::vector<AttentionProblem> problems() {
  std::vector<AttentionProblem> all;
  for (int shape = 0; shape < int(std::size(kAttentionCases)); ++shape)
    for (int step = 0; step < int(std::size(kSteps)); ++step)
      all.push_back({shape, step});
  return all;
}

INSTANTIATE_TEST_SUITE_P(Steps, SimtAttentionGpuTest, ::testing::ValuesIn(problems()), [](const auto &param) {
  return kAttentionCases[param.param.shape].name() + "_" + kSteps[param.param.step].name;
});

} // namespace
} // namespace loom::testing
