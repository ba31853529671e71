// The GPU sampler picks the host sampler's token (same logits, parameters, seed and draw index)
// for greedy, temperature, top-k, top-p, min-p, repetition penalty and their combinations, on
// random logits of vocabulary-sized rows.
#include "runtime/CUDA/Graph.h"
#include "runtime/Engine/HostSampler.h"
#include "runtime/Serving/GpuSampler.h"
#include "test/gpu/GpuTestSupport.h"

#include <fmt/format.h>
#include <map>

namespace loom::rt {
namespace {

struct SamplerCase {
  const char *name;
  SamplingParams params;
};

SamplingParams make(float temperature, int topK, float topP, float minP, float penalty) {
  SamplingParams p;
  p.temperature = temperature;
  p.topK = topK;
  p.topP = topP;
  p.minP = minP;
  p.repetitionPenalty = penalty;
  return p;
}

const SamplerCase kCases[] = {
    {"greedy", make(0.0f, 0, 1.0f, 0.0f, 1.0f)},
    {"greedy_penalty", make(0.0f, 0, 1.0f, 0.0f, 1.8f)},
    {"temperature", make(0.7f, 0, 1.0f, 0.0f, 1.0f)},
    {"hot", make(1.6f, 0, 1.0f, 0.0f, 1.0f)},
    {"top_k", make(1.0f, 40, 1.0f, 0.0f, 1.0f)},
    {"top_k_1", make(1.0f, 1, 1.0f, 0.0f, 1.0f)},
    {"top_p", make(0.9f, 0, 0.8f, 0.0f, 1.0f)},
    {"min_p", make(1.2f, 0, 1.0f, 0.05f, 1.0f)},
    {"penalty", make(0.8f, 0, 1.0f, 0.0f, 1.3f)},
    {"all", make(0.9f, 50, 0.9f, 0.02f, 1.2f)},
};

std::vector<float> plantedGreedyLogits(int vocab, int rows, uint32_t seed); // defined below

class GpuSamplerGpuTest : public testing::GpuTest,
                          public ::testing::WithParamInterface<int> {
protected:
  /// `logits` in a device buffer from `allocator` (copied on the test's stream).
  StatusOr<DeviceBuffer> upload(DeviceAllocator &allocator, const std::vector<float> &logits) {
    LOOM_ASSIGN_OR_RETURN(DeviceBuffer buffer, allocator.allocate(logits.size() * sizeof(float)));
    LOOM_RETURN_IF_ERROR(
        stream_->copyToDevice(buffer.address(), logits.data(), logits.size() * sizeof(float)));
    return buffer;
  }

  /// A sampler of `rows` rows and planted greedy logits of `rows` rows (seed `seed`) on the
  /// device, for the checks of which logits rows a sampler may read.
  struct SamplerOnLogits {
    std::unique_ptr<CudaMemoryBackend> backend;
    std::unique_ptr<DeviceAllocator> allocator;
    std::vector<float> logits;
    DeviceBuffer buffer;
    std::unique_ptr<GpuSampler> sampler;
  };
  StatusOr<SamplerOnLogits> samplerOnLogits(int vocab, int rows, uint32_t seed) {
    SamplerOnLogits s;
    s.backend = std::make_unique<CudaMemoryBackend>(*context_);
    s.allocator = std::make_unique<DeviceAllocator>(*s.backend);
    s.logits = plantedGreedyLogits(vocab, rows, seed);
    LOOM_ASSIGN_OR_RETURN(s.buffer, upload(*s.allocator, s.logits));
    LOOM_ASSIGN_OR_RETURN(s.sampler, GpuSampler::create(*context_, compiler_, vocab, rows));
    return s;
  }

  /// A graph holding `sampler`'s in-graph argmax of `rows` rows of `logits`, instantiated.
  StatusOr<GraphExec> captureArgmax(const GpuSampler &sampler, CUdeviceptr logits, int rows) {
    LOOM_RETURN_IF_ERROR(beginCapture(*stream_));
    Status captured = sampler.enqueueInGraph(logits, rows, *stream_);
    StatusOr<Graph> graph = endCapture(*stream_);
    LOOM_RETURN_IF_ERROR(captured);
    if (!graph.isOk())
      return graph.status();
    return GraphExec::instantiate(std::move(graph).value());
  }
};

TEST_P(GpuSamplerGpuTest, PicksTheHostSamplersTokens) {
  const int vocab = GetParam();
  constexpr int kRowsPerCase = 24;
  const int rows = kRowsPerCase * static_cast<int>(std::size(kCases));
  auto sampler = GpuSampler::create(*context_, compiler_, vocab, rows);
  ASSERT_TRUE(sampler.isOk()) << sampler.status().toString();

  // Logits in [-6, 6): peaked enough that top-p/min-p cut, spread enough to sample.
  std::vector<float> logits = testing::randomFloats(size_t(rows) * vocab, 7000 + vocab);
  for (float &x : logits)
    x *= 6.0f;
  std::mt19937 rng(vocab);
  SamplerRows batch;
  std::vector<SamplingParams> params;
  std::vector<std::vector<TokenId>> histories;
  for (int r = 0; r < rows; ++r) {
    SamplingParams p = kCases[r / kRowsPerCase].params;
    p.seed = rng();
    params.push_back(p);
    std::vector<TokenId> history(1 + rng() % 200);
    for (TokenId &t : history)
      t = static_cast<TokenId>(rng() % vocab);
    histories.push_back(history);
    SamplerRow row;
    row.temperature = p.temperature;
    row.topP = p.topP;
    row.minP = p.minP;
    row.repetitionPenalty = p.repetitionPenalty;
    row.topK = p.topK;
    row.logitsRow = rows - 1 - r; // rows read their logits in reverse order
    row.seed = *p.seed;
    row.tokenIndex = rng() % 1000;
    row.historyBegin = static_cast<int32_t>(batch.history.size());
    batch.history.insert(batch.history.end(), history.begin(), history.end());
    row.historyEnd = static_cast<int32_t>(batch.history.size());
    batch.rows.push_back(row);
  }
  CudaMemoryBackend backend(*context_);
  DeviceAllocator allocator(backend);
  auto logitsBuffer = upload(allocator, logits);
  ASSERT_TRUE(logitsBuffer.isOk()) << logitsBuffer.status().toString();
  auto tokens = (*sampler)->sample(logitsBuffer->address(), batch, *stream_);
  ASSERT_TRUE(tokens.isOk()) << tokens.status().toString();
  ASSERT_EQ(tokens->size(), size_t(rows));

  int distinctSampled = 0;
  for (int r = 0; r < rows; ++r) {
    std::span<const float> row(logits.data() + size_t(batch.rows[r].logitsRow) * vocab, vocab);
    SamplerRng host = SamplerRng::forToken(*params[r].seed, batch.rows[r].tokenIndex);
    TokenId expected = sampleOnHost(row, params[r], histories[r], host);
    EXPECT_EQ((*tokens)[r], expected)
        << kCases[r / kRowsPerCase].name << " row " << r << " vocab " << vocab;
    distinctSampled += (*tokens)[r] != sampleOnHost(row, make(0, 0, 1, 0, 1), {}, host);
  }
  // Sampling rows really sampled: many picks differ from the plain argmax.
  EXPECT_GT(distinctSampled, rows / 4);
}

/// Random logits of `rows` rows with planted maxima: row 1 ties at two indices (the lower one
/// wins), row 2 ties at the row's first and last index, row 3's maximum is its last logit, row 4
/// is all zeros of both signs.
std::vector<float> plantedGreedyLogits(int vocab, int rows, uint32_t seed) {
  std::vector<float> logits = testing::randomFloats(size_t(rows) * vocab, seed);
  auto at = [&](int row, int i) -> float & { return logits[size_t(row) * vocab + i]; };
  // Only the rows that exist are planted (a sampler of 4 rows has no row 4).
  if (rows > 1)
    at(1, vocab / 3) = at(1, vocab - 5) = 50.0f;
  if (rows > 2)
    at(2, 0) = at(2, vocab - 1) = 60.0f;
  if (rows > 3)
    at(3, vocab - 1) = 70.0f;
  for (int i = 0; rows > 4 && i < vocab; ++i)
    at(4, i) = i % 2 ? -0.0f : 0.0f;
  return logits;
}

/// `rows` greedy rows reading their logits in a shuffled order.
SamplerRows shuffledGreedyRows(int rows) {
  SamplerRows batch;
  for (int r = 0; r < rows; ++r) {
    SamplerRow row;
    row.temperature = 0.0f;
    row.logitsRow = (r * 5) % rows;
    batch.rows.push_back(row);
  }
  return batch;
}

/// Each row's token is the host sampler's argmax of its logits row; the planted rows spelled out.
void expectHostArgmax(const std::vector<TokenId> &tokens, const SamplerRows &batch,
                      const std::vector<float> &logits, int vocab, const std::string &label) {
  ASSERT_EQ(tokens.size(), batch.rows.size()) << label;
  for (size_t r = 0; r < tokens.size(); ++r) {
    int source = batch.rows[r].logitsRow;
    std::span<const float> row(logits.data() + size_t(source) * vocab, vocab);
    SamplerRng rng = SamplerRng::forToken(0, 0);
    EXPECT_EQ(tokens[r], sampleOnHost(row, make(0, 0, 1, 0, 1), {}, rng))
        << label << " row " << r << " (logits row " << source << ")";
    const std::map<int, TokenId> planted = {{1, vocab / 3}, {2, 0}, {3, vocab - 1}, {4, 0}};
    if (auto it = planted.find(source); it != planted.end()) {
      EXPECT_EQ(tokens[r], it->second) << label << " planted logits row " << source;
    }
  }
}

// Steps whose rows are all greedy without a penalty take GreedyRows (many CTAs per row): the
// host sampler's argmax, the lowest index among equal maxima, +0 equal to -0, any logits row.
TEST_P(GpuSamplerGpuTest, AllGreedyRowsTakeTheHostSamplersArgmax) {
  const int vocab = GetParam();
  constexpr int kRows = 16;
  auto sampler = GpuSampler::create(*context_, compiler_, vocab, kRows);
  ASSERT_TRUE(sampler.isOk()) << sampler.status().toString();
  std::vector<float> logits = plantedGreedyLogits(vocab, kRows, 9000 + vocab);
  SamplerRows batch = shuffledGreedyRows(kRows);
  CudaMemoryBackend backend(*context_);
  DeviceAllocator allocator(backend);
  auto logitsBuffer = upload(allocator, logits);
  ASSERT_TRUE(logitsBuffer.isOk()) << logitsBuffer.status().toString();
  // Twice: the second step reuses the arrival counters the first one reset.
  for (int step = 0; step < 2; ++step) {
    auto tokens = (*sampler)->sample(logitsBuffer->address(), batch, *stream_);
    ASSERT_TRUE(tokens.isOk()) << tokens.status().toString();
    expectHostArgmax(*tokens, batch, logits, vocab, fmt::format("step {}", step));
  }
}

// The argmax a decode graph holds (GraphArgmax), captured once and replayed on logits that change
// between replays: the host sampler's argmax each time (its counters reset themselves), the
// rows past the batch's (a bucket's padding) ignored, and GreedyRows' tokens on the same logits.
TEST_P(GpuSamplerGpuTest, TheArgmaxInAGraphTakesTheHostSamplersArgmax) {
  const int vocab = GetParam();
  constexpr int kRows = 16, kBucketRows = 12, kBatchRows = 9;
  auto sampler = GpuSampler::create(*context_, compiler_, vocab, kRows);
  ASSERT_TRUE(sampler.isOk()) << sampler.status().toString();
  SamplerRows batch = shuffledGreedyRows(kBatchRows); // logits rows 0..8 of the bucket's 12
  ASSERT_TRUE(GpuSampler::samplesInGraph(batch));
  CudaMemoryBackend backend(*context_);
  DeviceAllocator allocator(backend);
  auto logitsBuffer = allocator.allocate(size_t(kBucketRows) * vocab * sizeof(float));
  ASSERT_TRUE(logitsBuffer.isOk()) << logitsBuffer.status().toString();
  auto exec = captureArgmax(**sampler, logitsBuffer->address(), kBucketRows);
  ASSERT_TRUE(exec.isOk()) << exec.status().toString();
  for (int replay = 0; replay < 3; ++replay) {
    std::vector<float> logits = plantedGreedyLogits(vocab, kBucketRows, 7000 + 13 * replay + vocab);
    ASSERT_TRUE(stream_->copyToDevice(logitsBuffer->address(), logits.data(),
                                      logits.size() * sizeof(float)).isOk());
    ASSERT_TRUE(exec->launch(*stream_).isOk());
    ASSERT_TRUE((*sampler)->adoptInGraph(batch, kBucketRows).isOk());
    auto tokens = (*sampler)->collect(*stream_);
    ASSERT_TRUE(tokens.isOk()) << tokens.status().toString();
    const std::string label = fmt::format("replay {}", replay);
    expectHostArgmax(*tokens, batch, logits, vocab, label);
    auto greedy = (*sampler)->sample(logitsBuffer->address(), batch, *stream_);
    ASSERT_TRUE(greedy.isOk()) << greedy.status().toString();
    EXPECT_EQ(*tokens, *greedy) << label;
  }
  SamplerRows sampled = batch;
  sampled.rows[3].temperature = 0.7f;
  EXPECT_FALSE(GpuSampler::samplesInGraph(sampled)); // a sampled row: the step falls back
  EXPECT_FALSE((*sampler)->adoptInGraph(sampled, kBucketRows).isOk());
  EXPECT_FALSE((*sampler)->enqueueInGraph(logitsBuffer->address(), kRows + 1, *stream_).isOk());
}

// A graph captured for 4 rows reduced only logits rows 0..3: adopting row 6 (inside the
// sampler's 16) would return a stale token, so it is refused; row 3 is taken.
TEST_P(GpuSamplerGpuTest, AdoptingARowTheGraphNeverReducedIsInvalid) {
  const int vocab = GetParam();
  constexpr int kRows = 16, kGraphRows = 4;
  auto s = samplerOnLogits(vocab, kRows, 31 + vocab);
  ASSERT_TRUE(s.isOk()) << s.status().toString();
  auto &sampler = s->sampler;
  auto exec = captureArgmax(*sampler, s->buffer.address(), kGraphRows);
  ASSERT_TRUE(exec.isOk()) << exec.status().toString();
  ASSERT_TRUE(exec->launch(*stream_).isOk());
  SamplerRows stale = shuffledGreedyRows(1);
  stale.rows[0].logitsRow = 6;
  Status adopted = sampler->adoptInGraph(stale, sampler->inGraphRows(kGraphRows));
  EXPECT_EQ(adopted.code(), StatusCode::kInvalidArgument) << adopted.toString();
  EXPECT_NE(adopted.message().find("logits row 6, outside the 4 rows"), std::string::npos)
      << adopted.toString();
  SamplerRows reduced = shuffledGreedyRows(1);
  reduced.rows[0].logitsRow = 3;
  ASSERT_TRUE(sampler->adoptInGraph(reduced, kGraphRows).isOk());
  auto tokens = sampler->collect(*stream_);
  ASSERT_TRUE(tokens.isOk()) << tokens.status().toString();
  expectHostArgmax(*tokens, reduced, s->logits, vocab, "row 3");
}

// A logits row outside [0, maxRows) is refused by both paths (GreedyRows for greedy rows,
// loom/sampler.cuh's launcher for sampled ones) before anything reads the logits.
TEST_P(GpuSamplerGpuTest, ALogitsRowOutsideTheRowsIsInvalid) {
  const int vocab = GetParam();
  constexpr int kRows = 4;
  auto s = samplerOnLogits(vocab, kRows, 57 + vocab);
  ASSERT_TRUE(s.isOk()) << s.status().toString();
  auto &sampler = s->sampler;
  for (float temperature : {0.0f, 0.8f})
    for (int32_t logitsRow : {-1, kRows}) {
      SamplerRows rows = shuffledGreedyRows(2);
      rows.rows[1].temperature = rows.rows[0].temperature = temperature;
      rows.rows[1].logitsRow = logitsRow;
      Status status = sampler->enqueue(s->buffer.address(), rows, *stream_);
      const std::string label = fmt::format("temperature {}, logits row {}", temperature, logitsRow);
      EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << label << ": " << status.toString();
      EXPECT_NE(status.message().find(fmt::format("logits row {}, outside the {} rows", logitsRow,
                                                  kRows)),
                std::string::npos)
          << label << ": " << status.toString();
    }
  ASSERT_TRUE(stream_->synchronize().isOk());
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, GpuSamplerGpuTest, ::testing::Values(512, 32000, 128256),
                         [](const auto &info) { return fmt::format("vocab{}", info.param); });

} // namespace
} // namespace loom::rt
