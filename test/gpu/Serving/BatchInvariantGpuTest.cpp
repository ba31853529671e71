// Batch invariance on the GPU with the tiny random-weight bf16 Llama (test/gpu/Model/TinyLlama.h):
// compiled batch-invariant, each of four requests gives the same greedy tokens alone as inside
// a batch of 64 other requests (ragged prompts, chunked prefill, mixed prefill/decode steps,
// decode-graph buckets up to 80 rows). The default package's outcome is printed, not asserted:
// there the alone run takes the decode GEMV copies and the batch the GEMMs.
#include "runtime/Serving/PackageModelRunner.h"
#include "test/gpu/GpuTestSupport.h"
#include "test/gpu/Model/TinyLlama.h"
#include "test/gpu/Serving/ServeGreedy.h"

#include <fmt/format.h>

#include <random>

namespace loom::testing {
namespace {

/// Room for 65 concurrent sequences (80: the LM head's row bound, a multiple of 16 as the skinny
/// GEMM's rows must be); a 256-token step budget chunks the batch's prefill.
rt::EngineConfig batchEngineConfig() {
  rt::EngineConfig engine = tinyEngineConfig();
  engine.maxSequences = 80;
  engine.maxModelLen = 128;
  engine.numBlocks = 80 * 128 / engine.blockSize;
  return engine;
}

/// A compiled tiny model served with decode graphs and GPU sampling.
struct ServedTinyModel {
  std::unique_ptr<rt::PackageExecutor> executor;
  std::unique_ptr<rt::GpuSampler> sampler;
  std::unique_ptr<rt::PackageModelRunner> runner;

  Status load(rt::Context &context, rt::GpuArch arch, rt::KernelCompiler &compiler,
              const rt::Stream &stream, const rt::EngineConfig &engine, bool batchInvariant) {
    mlir::MLIRContext mlirContext;
    LOOM_ASSIGN_OR_RETURN(models::LlamaForward forward, buildTinyForward(mlirContext, engine, true));
    LOOM_ASSIGN_OR_RETURN(rt::Package package,
                          compileTinyForward(mlirContext, *forward.module,
                                             std::string(rt::gpuArchName(arch)), nullptr,
                                             batchInvariant));
    TinyPackageWeights weights(forward.weights);
    LOOM_ASSIGN_OR_RETURN(executor,
                          rt::PackageExecutor::create(context, std::move(package), weights, compiler));
    LOOM_ASSIGN_OR_RETURN(sampler, rt::GpuSampler::create(context, compiler, *engine.vocabSize,
                                                          engine.maxSequences));
    LOOM_ASSIGN_OR_RETURN(runner, rt::PackageModelRunner::create(*executor, stream,
                                                                 {true, sampler.get()}));
    return Status();
  }
};

/// 65 requests with prompts of 3..90 random tokens and 8..40 output tokens; the first is long
/// enough (60 tokens) that the batch chunks nothing of it but runs its decode beside prefills.
std::vector<GreedyRequest> batchOf65() {
  std::mt19937 rng(7);
  std::vector<GreedyRequest> requests;
  for (int i = 0; i < 65; ++i) {
    GreedyRequest request;
    request.prompt.resize(i == 0 ? 60 : 3 + rng() % 88);
    for (rt::TokenId &token : request.prompt)
      token = rt::TokenId(rng() % 1000);
    request.maxTokens = i % 16 == 0 ? 32 : 8 + int(rng() % 33);
    requests.push_back(std::move(request));
  }
  return requests;
}

/// The requests compared alone and in the batch: first, two in the middle (their prompts are
/// chunked across steps in the batch, whole alone), the last.
constexpr size_t kWatched[] = {0, 16, 32, 64};

class BatchInvariantGpuTest : public GpuTest {
protected:
  /// Each watched request served alone, and the whole batch, on `model`.
  std::pair<std::vector<Tokens>, std::vector<Tokens>> aloneAndTogether(ServedTinyModel &model) {
    rt::EngineConfig engine = batchEngineConfig();
    std::vector<GreedyRequest> requests = batchOf65();
    std::vector<Tokens> alone;
    for (size_t index : kWatched) {
      std::vector<Tokens> output = serveGreedy(engine, *model.runner, {requests[index]});
      alone.push_back(output.empty() ? Tokens{} : output[0]);
    }
    rt::EngineStats stats;
    std::vector<Tokens> together = serveGreedy(engine, *model.runner, requests, &stats);
    EXPECT_EQ(together.size(), requests.size());
    EXPECT_EQ(stats.preemptions, 0) << "the pool must hold the whole batch";
    return {alone, together};
  }

  ServedTinyModel load(bool batchInvariant) {
    ServedTinyModel model;
    Status status = model.load(*context_, arch_, compiler_, *stream_, batchEngineConfig(), batchInvariant);
    EXPECT_TRUE(status.isOk()) << status.toString();
    return model;
  }
};

TEST_F(BatchInvariantGpuTest, ARequestAloneEqualsItInABatchOf64Others) {
  ServedTinyModel invariant = load(true);
  ASSERT_TRUE(invariant.runner);
  EXPECT_TRUE(invariant.executor->manifest().batchInvariant);
  auto [alone, together] = aloneAndTogether(invariant);
  ASSERT_EQ(together.size(), 65u);
  std::vector<GreedyRequest> requests = batchOf65();
  for (size_t i = 0; i < std::size(kWatched); ++i) {
    size_t index = kWatched[i];
    EXPECT_EQ(alone[i].size(), size_t(requests[index].maxTokens)) << "request " << index;
    EXPECT_EQ(together[index], alone[i]) << "request " << index << " parts at token "
                                         << firstDifference(alone[i], together[index]);
  }
}

TEST_F(BatchInvariantGpuTest, DefaultModeOutcomeIsPrinted) {
  ServedTinyModel fast = load(false);
  ASSERT_TRUE(fast.runner);
  EXPECT_FALSE(fast.executor->manifest().batchInvariant);
  rt::EngineConfig demanding = batchEngineConfig();
  demanding.batchInvariant = true;
  EXPECT_FALSE(rt::checkBatchInvariance(demanding, fast.executor->manifest().batchInvariant).isOk());
  auto [alone, together] = aloneAndTogether(fast);
  ASSERT_EQ(together.size(), 65u);
  for (size_t i = 0; i < std::size(kWatched); ++i) {
    int parts = firstDifference(alone[i], together[kWatched[i]]);
    fmt::print("default mode, request {}: {}\n", kWatched[i],
               parts < 0 ? std::string("alone == in the batch")
                         : fmt::format("alone and in the batch part at token {} of {}", parts,
                                       alone[i].size()));
  }
}

} // namespace
} // namespace loom::testing
