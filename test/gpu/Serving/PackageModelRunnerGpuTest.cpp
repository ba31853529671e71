// PackageModelRunner through the engine on the GPU, with a hand-written forward-step package (a
// toy model whose logits depend on every cached KV value through the block tables): decode-graph
// replay equals eager, GPU sampling equals host sampling, a request's output is the same alone
// and in a batch of 64, a prefix-cache hit equals a miss, and a tiny pool that forces preemption
// loses nothing.
#include "runtime/CUDA/Launch.h"
#include "runtime/Engine/Engine.h"
#include "runtime/Package/LaunchTimer.h"
#include "runtime/Serving/LoadedKernel.h"
#include "runtime/Serving/PackageModelRunner.h"
#include "test/gpu/GpuTestSupport.h"

#include <fmt/format.h>

namespace loom::rt {
namespace {

constexpr int kVocab = 257;
constexpr int kBlockSize = 4;
constexpr int kPoolBlocks = 257; // the last one is the graphs' scratch block
constexpr int kMaxSeqs = 64;
constexpr int kMaxTokens = 256;
constexpr int kMaxBlocksPerSeq = 16;

const char *kAppendSource = R"cuda(
// KV of each token: a function of its id and position, written to its slot.
extern "C" __global__ __launch_bounds__(64) void toy_kv_append(const int *tokens,
    const int *positions, const int *slots, float *k, float *v, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    k[slots[i]] = tokens[i] * 0.013f + positions[i] * 0.0007f;
    v[slots[i]] = (tokens[i] % 7) * 0.1f;
  }
}
)cuda";

const char *kLogitsSource = R"cuda(
// logits[b, t] from every cached KV value of sequence b (through its block table) and its last
// token: a wrong slot, block table or context length changes them.
extern "C" __global__ __launch_bounds__(128) void toy_logits(const float *k, const float *v,
    const int *context_lens, const int *block_tables, const int *logit_rows, const int *tokens,
    float *logits, int blocks_per_seq) {
  int b = blockIdx.x;
  float s = 0.0f;
  for (int p = 0; p < context_lens[b]; ++p) {
    int slot = block_tables[b * blocks_per_seq + p / 4] * 4 + p % 4;
    s = s * 0.97f + k[slot] + v[slot] * (p % 3);
  }
  int last = tokens[logit_rows[b]];
  for (int t = threadIdx.x; t < 257; t += blockDim.x)
    logits[b * 257 + t] = 4.0f * __sinf(t * 0.37f + s * 3.1f + last * 0.5f);
}
)cuda";

const char *kSpinSource = R"cuda(
// Keeps the stream busy for `nanos`, then raises the flag (pinned host memory).
extern "C" __global__ void spin_then_flag(int *flag, unsigned long long nanos) {
  unsigned long long start, now;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
  do {
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
  } while (now - start < nanos);
  *(volatile int *)flag = 1;
}
)cuda";

std::string manifest() {
  return fmt::format(R"json({{
  "format": "loom-package", "version": 1, "target": "sm_80",
  "dims": {{"tokens": {0}, "seqs": {1}, "blocks_per_seq": {2}}},
  "inputs": [{{"name": "tokens", "dtype": "i32", "shape": ["tokens"]}},
             {{"name": "positions", "dtype": "i32", "shape": ["tokens"]}},
             {{"name": "slots", "dtype": "i32", "shape": ["tokens"]}},
             {{"name": "seq_starts", "dtype": "i32", "shape": ["seqs+1"]}},
             {{"name": "context_lens", "dtype": "i32", "shape": ["seqs"]}},
             {{"name": "block_tables", "dtype": "i32", "shape": ["seqs", "blocks_per_seq"]}},
             {{"name": "logit_rows", "dtype": "i32", "shape": ["seqs"]}}],
  "outputs": [{{"name": "logits", "buffer": "v0", "dtype": "f32", "shape": ["seqs", {3}]}}],
  "kv_cache": {{"layers": 1, "blocks": {4}, "block_size": {5}, "kv_heads": 1, "head_dim": 1, "dtype": "f32"}},
  "arena": {{"bytes": {6}, "alignment": 256}},
  "buffers": [{{"name": "v0", "offset": 0, "bytes": {6}}}],
  "kernels": [
    {{"name": "toy_kv_append", "source": "kernels/toy_kv_append.cu", "block": [64], "grid": ["ceildiv(tokens, 64)"],
     "params": [{{"name": "tokens", "kind": "input", "ref": "tokens"}}, {{"name": "positions", "kind": "input", "ref": "positions"}},
                {{"name": "slots", "kind": "input", "ref": "slots"}}, {{"name": "k", "kind": "kv_k"}}, {{"name": "v", "kind": "kv_v"}},
                {{"name": "n", "kind": "dim", "ref": "tokens"}}]}},
    {{"name": "toy_logits", "source": "kernels/toy_logits.cu", "block": [128], "grid": ["seqs"],
     "params": [{{"name": "k", "kind": "kv_k"}}, {{"name": "v", "kind": "kv_v"}},
                {{"name": "context_lens", "kind": "input", "ref": "context_lens"}},
                {{"name": "block_tables", "kind": "input", "ref": "block_tables"}},
                {{"name": "logit_rows", "kind": "input", "ref": "logit_rows"}},
                {{"name": "tokens", "kind": "input", "ref": "tokens"}},
                {{"name": "logits", "kind": "output", "ref": "logits"}},
                {{"name": "blocks_per_seq", "kind": "dim", "ref": "blocks_per_seq"}}]}}],
  "program": ["toy_kv_append", "toy_logits"]
}})json",
                     kMaxTokens, kMaxSeqs, kMaxBlocksPerSeq, kVocab, kPoolBlocks, kBlockSize,
                     kMaxSeqs * kVocab * 4);
}

class NoWeights final : public WeightProvider {
public:
  StatusOr<HostTensorView> tensor(const std::string &name) override {
    return LOOM_ERROR(StatusCode::kNotFound, "no tensor " + name);
  }
};

/// One request: prompt and sampling parameters.
struct Request {
  std::vector<TokenId> prompt;
  SamplingParams params;
};

class PackageModelRunnerGpuTest : public testing::GpuTest {
protected:
  void SetUp() override {
    testing::GpuTest::SetUp();
    if (IsSkipped())
      return;
    auto package = makePackage(manifest(), {{"kernels/toy_kv_append.cu", kAppendSource},
                                            {"kernels/toy_logits.cu", kLogitsSource}});
    ASSERT_TRUE(package.isOk()) << package.status().toString();
    NoWeights weights;
    auto executor = PackageExecutor::create(*context_, std::move(*package), weights, compiler_);
    ASSERT_TRUE(executor.isOk()) << executor.status().toString();
    executor_ = std::move(executor).value();
    auto sampler = GpuSampler::create(*context_, compiler_, kVocab, kMaxSeqs);
    ASSERT_TRUE(sampler.isOk()) << sampler.status().toString();
    sampler_ = std::move(sampler).value();
  }

  /// `gatherInputs`: step inputs read by the gather kernel instead of a copy per input;
  /// `greedyInGraph`: greedy graph steps sampled by their graph.
  std::unique_ptr<PackageModelRunner> runner(bool graphs, bool gpuSampling,
                                             bool gatherInputs = false,
                                             bool greedyInGraph = true) {
    PackageRunnerOptions options;
    options.decodeGraphs = graphs;
    options.greedyInGraph = greedyInGraph;
    options.sampler = gpuSampling ? sampler_.get() : nullptr;
    options.compiler = gatherInputs ? &compiler_ : nullptr;
    auto runner = PackageModelRunner::create(*executor_, *stream_, options);
    EXPECT_TRUE(runner.isOk()) << runner.status().toString();
    return runner.isOk() ? std::move(runner).value() : nullptr;
  }

  static EngineConfig engineConfig(int numBlocks, int maxSeqs = kMaxSeqs) {
    EngineConfig config;
    config.blockSize = kBlockSize;
    config.numBlocks = numBlocks;
    config.maxBatchedTokens = kMaxTokens;
    config.maxSequences = maxSeqs;
    config.maxModelLen = kMaxBlocksPerSeq * kBlockSize;
    config.vocabSize = kVocab;
    return config;
  }

  /// Serves `requests` (all added before the first step) and returns each one's output tokens.
  std::vector<std::vector<TokenId>> serve(ModelRunner &runner, const std::vector<Request> &requests,
                                          int numBlocks = kPoolBlocks - 1,
                                          EngineStats *stats = nullptr, int maxSeqs = kMaxSeqs) {
    auto engine = Engine::create(engineConfig(numBlocks, maxSeqs), runner);
    EXPECT_TRUE(engine.isOk()) << engine.status().toString();
    std::vector<std::shared_ptr<const Sequence>> seqs;
    for (const Request &r : requests)
      seqs.push_back((*engine)->addRequest(r.prompt, r.params));
    Status done = (*engine)->runUntilDone();
    EXPECT_TRUE(done.isOk()) << done.toString();
    if (stats)
      *stats = (*engine)->stats();
    std::vector<std::vector<TokenId>> outputs;
    for (const auto &seq : seqs) {
      EXPECT_TRUE(seq->error().isOk()) << seq->error().toString();
      outputs.emplace_back(seq->outputTokens().begin(), seq->outputTokens().end());
    }
    return outputs;
  }

  /// `count` random requests, all greedy without a penalty and 10 tokens longer.
  static std::vector<Request> greedyRequests(int count, uint32_t seed) {
    std::vector<Request> requests = randomRequests(count, seed);
    for (Request &r : requests) {
      r.params.temperature = 0.0f;
      r.params.repetitionPenalty = 1.0f;
      r.params.maxTokens += 10;
    }
    return requests;
  }

  static std::vector<Request> randomRequests(int count, uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<Request> requests;
    for (int i = 0; i < count; ++i) {
      Request r;
      r.prompt.resize(1 + rng() % 30);
      for (TokenId &t : r.prompt)
        t = static_cast<TokenId>(rng() % kVocab);
      r.params.maxTokens = 4 + rng() % 20;
      r.params.temperature = i % 3 == 0 ? 0.0f : 0.8f;
      r.params.topK = i % 4 == 1 ? 20 : 0;
      r.params.topP = i % 5 == 2 ? 0.9f : 1.0f;
      r.params.repetitionPenalty = i % 6 == 3 ? 1.2f : 1.0f;
      r.params.seed = rng();
      requests.push_back(r);
    }
    return requests;
  }

  std::unique_ptr<PackageExecutor> executor_;
  std::unique_ptr<GpuSampler> sampler_;
};

TEST_F(PackageModelRunnerGpuTest, GraphReplayEqualsEager) {
  std::vector<Request> requests = randomRequests(40, 1);
  auto eager = runner(false, false);
  auto graphs = runner(true, false);
  ASSERT_TRUE(eager && graphs);
  EXPECT_FALSE(eager->usesDecodeGraphs());
  ASSERT_TRUE(graphs->usesDecodeGraphs());
  EXPECT_EQ(graphs->usableKvBlocks(), kPoolBlocks - 1);
  auto expected = serve(*eager, requests);
  auto actual = serve(*graphs, requests);
  EXPECT_EQ(actual, expected);
  PackageRunnerStats stats = graphs->stats();
  EXPECT_GT(stats.graphSteps, 0);
  EXPECT_GT(stats.paddedRows, 0);
  EXPECT_GE(stats.numGraphs, 2u);
  EXPECT_EQ(eager->stats().graphSteps, 0);
  fmt::print("{} graphs, {} graph steps, {} eager steps, {} padded rows, graph memory {} bytes\n",
             stats.numGraphs, stats.graphSteps, stats.eagerSteps, stats.paddedRows,
             stats.graphMemoryBytes);
}

// The gather kernel (one launch reading pinned memory) feeds eager steps and graph replays the
// same inputs as the copies do.
TEST_F(PackageModelRunnerGpuTest, GatheredInputsEqualCopiedInputs) {
  std::vector<Request> requests = randomRequests(40, 3);
  auto copied = runner(false, false);
  auto gatheredEager = runner(false, false, true);
  auto gatheredGraphs = runner(true, true, true);
  ASSERT_TRUE(copied && gatheredEager && gatheredGraphs);
  auto expected = serve(*copied, requests);
  EXPECT_EQ(serve(*gatheredEager, requests), expected);
  EXPECT_EQ(serve(*gatheredGraphs, requests), expected);
  EXPECT_GT(gatheredGraphs->stats().graphSteps, 0);
}

// Greedy graph steps sampled by the argmax inside the graph (one launch, one sync) give the
// tokens of sampling after the graph and of the host sampler, over many replays whose inputs
// change every step; every graph step of an all-greedy run is sampled in its graph.
TEST_F(PackageModelRunnerGpuTest, GreedyStepsSampledInTheGraphEqualSampledAfterIt) {
  std::vector<Request> requests = greedyRequests(40, 5);
  auto host = runner(true, false, true);
  auto after = runner(true, true, true, false);
  auto inGraph = runner(true, true, true, true);
  ASSERT_TRUE(host && after && inGraph);
  auto expected = serve(*host, requests);
  EXPECT_EQ(serve(*after, requests), expected);
  EXPECT_EQ(serve(*inGraph, requests), expected);
  EXPECT_EQ(serve(*inGraph, {requests[0]})[0], expected[0]); // batch 1, the same graphs again
  PackageRunnerStats stats = inGraph->stats();
  EXPECT_GT(stats.graphSteps, 40);
  EXPECT_EQ(stats.inGraphSamplingSteps, stats.graphSteps);
  EXPECT_GT(stats.graphSteps, static_cast<int64_t>(stats.numGraphs)); // graphs were replayed
  EXPECT_EQ(after->stats().inGraphSamplingSteps, 0);
}

// Steps that mix greedy and sampled rows (or greedy rows with a penalty) sample after the graph;
// once only plain greedy rows are left, the graph samples them: the same tokens either way.
TEST_F(PackageModelRunnerGpuTest, MixedStepsFallBackToSamplingAfterTheGraph) {
  std::vector<Request> requests = randomRequests(24, 6);
  for (size_t i = 0; i < requests.size(); ++i) {
    SamplingParams &p = requests[i].params;
    const bool greedy = i % 2 == 0;
    p.temperature = greedy ? 0.0f : 0.9f;
    p.repetitionPenalty = greedy || i % 4 != 1 ? 1.0f : 1.3f;
    p.maxTokens = greedy ? 30 : 8; // the sampled rows finish first
  }
  auto host = runner(true, false, true);
  auto inGraph = runner(true, true, true, true);
  ASSERT_TRUE(host && inGraph);
  EXPECT_EQ(serve(*inGraph, requests), serve(*host, requests));
  PackageRunnerStats stats = inGraph->stats();
  EXPECT_GT(stats.inGraphSamplingSteps, 0);
  EXPECT_LT(stats.inGraphSamplingSteps, stats.graphSteps);
  fmt::print("{} graph steps, {} sampled in the graph, {} graphs\n", stats.graphSteps,
             stats.inGraphSamplingSteps, stats.numGraphs);
}

// A sampler of fewer rows than the package's sequences: a batch of 5 runs in the 8-row bucket,
// whose graph reduces only the sampler's 5 rows (the rest is padding); the host sampler's tokens.
TEST_F(PackageModelRunnerGpuTest, ASamplerSmallerThanTheBucketStillSamplesInTheGraph) {
  constexpr int kRows = 5;
  auto small = GpuSampler::create(*context_, compiler_, kVocab, kRows);
  ASSERT_TRUE(small.isOk()) << small.status().toString();
  PackageRunnerOptions options;
  options.sampler = small->get();
  options.compiler = &compiler_;
  auto inGraph = PackageModelRunner::create(*executor_, *stream_, options);
  ASSERT_TRUE(inGraph.isOk()) << inGraph.status().toString();
  auto host = runner(true, false, true);
  ASSERT_TRUE(host);
  std::vector<Request> requests = greedyRequests(12, 7);
  EXPECT_EQ(serve(**inGraph, requests, kPoolBlocks - 1, nullptr, kRows),
            serve(*host, requests, kPoolBlocks - 1, nullptr, kRows));
  PackageRunnerStats stats = (*inGraph)->stats();
  EXPECT_GT(stats.inGraphSamplingSteps, 0);
  EXPECT_EQ(stats.inGraphSamplingSteps, stats.graphSteps);
}

// A step that fails after it queued its inputs' upload (here: the launch timer refuses the
// first kernel) still waits for the stream before returning, so the next step may restage the
// pinned inputs: the 200 ms kernel queued before the step has raised its flag by then.
TEST_F(PackageModelRunnerGpuTest, AStepThatFailsAfterQueueingWorkWaitsForTheStream) {
  for (bool gatherInputs : {false, true}) {
    auto eager = runner(false, false, gatherInputs);
    ASSERT_TRUE(eager);
    LaunchTimer timer(*context_);
    timer.reset();
    ASSERT_TRUE(timer.beforeLaunch(0, *stream_).isOk()); // never ended: the next launch fails
    eager->setLaunchTimer(&timer);
    auto spin = loadKernel(*context_, compiler_, "spin_then_flag", kSpinSource);
    ASSERT_TRUE(spin.isOk()) << spin.status().toString();
    auto flag = PinnedHostBuffer::allocate(*context_, sizeof(int));
    ASSERT_TRUE(flag.isOk()) << flag.status().toString();
    volatile int *raised = flag->as<int>();
    *raised = 0;
    KernelArgs args;
    args.add(reinterpret_cast<CUdeviceptr>(flag->data())).add(200'000'000ull);
    ASSERT_TRUE(
        launchKernel(*spin->kernel, LaunchConfig{{1, 1, 1}, {1, 1, 1}, 0}, args, stream_->handle())
            .isOk());
    auto engine = Engine::create(engineConfig(kPoolBlocks - 1), *eager);
    ASSERT_TRUE(engine.isOk()) << engine.status().toString();
    SamplingParams params;
    params.maxTokens = 2;
    (*engine)->addRequest({1, 2, 3}, params);
    auto step = (*engine)->step();
    const int flagAfterStep = *raised;
    ASSERT_FALSE(step.isOk()) << "gather " << gatherInputs;
    EXPECT_NE(step.status().message().find("launch timer"), std::string::npos)
        << step.status().toString();
    EXPECT_EQ(flagAfterStep, 1) << "gather " << gatherInputs
                                << ": the step returned while its stream was busy";
    eager->setLaunchTimer(nullptr);
    ASSERT_TRUE(stream_->synchronize().isOk());
  }
}

TEST_F(PackageModelRunnerGpuTest, GpuSamplingEqualsHostSampling) {
  std::vector<Request> requests = randomRequests(32, 2);
  auto host = runner(true, false);
  auto gpu = runner(true, true);
  ASSERT_TRUE(host && gpu);
  EXPECT_EQ(serve(*gpu, requests), serve(*host, requests));
}

TEST_F(PackageModelRunnerGpuTest, OneRequestAloneEqualsInABatchOf64) {
  std::vector<Request> crowd = randomRequests(65, 3);
  Request probe = crowd[0];
  probe.params.temperature = 0.0f;
  probe.params.maxTokens = 24;
  crowd[0] = probe;
  auto gpu = runner(true, true);
  ASSERT_TRUE(gpu);
  auto alone = serve(*gpu, {probe});
  auto together = serve(*gpu, crowd);
  EXPECT_EQ(together[0], alone[0]);
  EXPECT_EQ(together[0].size(), 24u);
}

TEST_F(PackageModelRunnerGpuTest, APrefixCacheHitEqualsAMiss) {
  Request first, second;
  for (int i = 0; i < 21; ++i)
    first.prompt.push_back(static_cast<TokenId>((i * 37 + 5) % kVocab));
  second.prompt = first.prompt;
  second.prompt.insert(second.prompt.end(), {11, 12, 13});
  first.params.temperature = second.params.temperature = 0.0f;
  first.params.maxTokens = second.params.maxTokens = 12;
  auto gpu = runner(true, true);
  ASSERT_TRUE(gpu);
  auto miss = serve(*gpu, {second});
  auto engine = Engine::create(engineConfig(kPoolBlocks - 1), *gpu);
  ASSERT_TRUE(engine.isOk());
  (*engine)->addRequest(first.prompt, first.params);
  ASSERT_TRUE((*engine)->runUntilDone().isOk());
  auto hit = (*engine)->addRequest(second.prompt, second.params);
  ASSERT_TRUE((*engine)->runUntilDone().isOk());
  EXPECT_EQ(hit->metrics().prefixHitTokens, 20); // five full blocks of the shared prompt
  EXPECT_EQ(std::vector<TokenId>(hit->outputTokens().begin(), hit->outputTokens().end()), miss[0]);
}

TEST_F(PackageModelRunnerGpuTest, ATinyPoolForcesPreemptionAndLosesNothing) {
  std::vector<Request> requests = randomRequests(24, 4);
  auto gpu = runner(true, true);
  ASSERT_TRUE(gpu);
  auto roomy = serve(*gpu, requests);
  EngineStats stats;
  auto tiny = serve(*gpu, requests, kMaxBlocksPerSeq, &stats);
  EXPECT_GT(stats.preemptions, 0);
  EXPECT_EQ(tiny, roomy);
}

TEST_F(PackageModelRunnerGpuTest, RefusesBlocksOutsideItsPool) {
  auto gpu = runner(true, false);
  ASSERT_TRUE(gpu);
  auto engine = Engine::create(engineConfig(kPoolBlocks), *gpu); // includes the scratch block
  ASSERT_TRUE(engine.isOk());
  SamplingParams params;
  params.maxTokens = 2;
  // Fill the pool so the last block is handed out.
  for (int i = 0; i < 40; ++i)
    (*engine)->addRequest(std::vector<TokenId>(kMaxBlocksPerSeq * kBlockSize - 2, 1 + i), params);
  Status status = (*engine)->runUntilDone();
  ASSERT_FALSE(status.isOk());
  EXPECT_NE(status.message().find("outside the 256 blocks"), std::string::npos) << status.toString();
}

} // namespace
} // namespace loom::rt
