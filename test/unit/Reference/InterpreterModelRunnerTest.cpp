// The engine on the CPU through the interpreter: every scheduling path (batching, chunked
// prefill, preemption, prefix reuse, seeded sampling) reproduces the dense oracle's tokens.
#include "frontend/Reference/Interpreter/InterpreterModelRunner.h"
#include "runtime/Engine/Engine.h"

#include "GreedyParams.h"
#include "ParsedModule.h"
#include "TinyLlama.h"

namespace loom::ref {
namespace {

using namespace loom::ref::testing;

struct Request {
  std::vector<int32_t> prompt;
  rt::SamplingParams params;
};


class InterpreterModelRunnerTest : public ::testing::Test {
protected:
  /// Runs `requests` (all queued before the first step) through an engine with `config` and
  /// checks each output against the oracle. Returns the engine's preemption count.
  int64_t expectOracleOutputs(const rt::EngineConfig &config, const std::vector<Request> &requests) {
    ParsedModule parsed(TinyLlama::forwardMlir(config.numBlocks, config.blockSize));
    auto runner = valueOf(InterpreterModelRunner::create(parsed.function(), model.weights, &pool));
    auto engine = valueOf(rt::Engine::create(config, *runner));
    std::vector<std::shared_ptr<const rt::Sequence>> sequences;
    for (const Request &request : requests)
      sequences.push_back(engine->addRequest(request.prompt, request.params));
    Status done = engine->runUntilDone();
    EXPECT_TRUE(done.isOk()) << done.toString();
    for (size_t i = 0; i < requests.size(); ++i) {
      auto out = sequences[i]->outputTokens();
      EXPECT_EQ(std::vector<int32_t>(out.begin(), out.end()),
                model.generate(requests[i].prompt, requests[i].params))
          << "request " << i;
    }
    return engine->scheduler().numPreemptions();
  }

  rt::EngineConfig config(int numBlocks, int maxBatchedTokens) {
    rt::EngineConfig c;
    c.blockSize = 4;
    c.numBlocks = numBlocks;
    c.maxBatchedTokens = maxBatchedTokens;
    c.maxSequences = 8;
    c.maxModelLen = 32;
    return c;
  }

  TinyLlama model{100};
  ThreadPool pool{2};
};

TEST_F(InterpreterModelRunnerTest, OneRequestMatchesTheDenseOracle) {
  expectOracleOutputs(config(32, 64), {{{1, 5, 9, 30, 2, 7}, greedy(12)}});
}

TEST_F(InterpreterModelRunnerTest, BatchedRequestsEqualSingleRuns) {
  expectOracleOutputs(config(32, 64), {{{3, 4, 5}, greedy(10)},
                                       {{9, 8, 7, 6, 5, 4, 3, 2, 1}, greedy(7)},
                                       {{31}, greedy(12)}});
}

TEST_F(InterpreterModelRunnerTest, ChunkedPrefillEqualsSingleRuns) {
  // A 5-token budget cuts the 13-token prompt into chunks across steps.
  expectOracleOutputs(config(32, 5), {{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, greedy(6)},
                                      {{20, 21}, greedy(6)}});
}

TEST_F(InterpreterModelRunnerTest, PreemptionEqualsSingleRuns) {
  // 8 blocks of 4 tokens: three sequences growing to ~20 tokens cannot all stay resident.
  int64_t preemptions = expectOracleOutputs(
      config(8, 64), {{{1, 2, 3, 4, 5, 6}, greedy(14)},
                      {{7, 8, 9, 10, 11}, greedy(14)},
                      {{12, 13, 14, 15}, greedy(14)}});
  EXPECT_GT(preemptions, 0);
}

TEST_F(InterpreterModelRunnerTest, PrefixReuseAndSeededSamplingEqualSingleRuns) {
  rt::SamplingParams sampled;
  sampled.temperature = 0.8f;
  sampled.topK = 10;
  sampled.topP = 0.9f;
  sampled.maxTokens = 8;
  sampled.seed = 1234;
  std::vector<int32_t> shared{5, 6, 7, 8, 9, 10, 11, 12, 13};
  std::vector<int32_t> longer = shared;
  longer.insert(longer.end(), {14, 15});
  ParsedModule parsed(TinyLlama::forwardMlir(32, 4));
  auto runner = valueOf(InterpreterModelRunner::create(parsed.function(), model.weights, &pool));
  auto engine = valueOf(rt::Engine::create(config(32, 64), *runner));
  auto first = engine->addRequest(shared, greedy(4));
  ASSERT_TRUE(engine->runUntilDone().isOk());
  auto second = engine->addRequest(longer, sampled); // reuses the first's two full blocks
  ASSERT_TRUE(engine->runUntilDone().isOk());
  EXPECT_GT(engine->scheduler().blockManager().stats().hitBlocks, 0);
  auto out = second->outputTokens();
  EXPECT_EQ(std::vector<int32_t>(out.begin(), out.end()), model.generate(longer, sampled));
}

TEST_F(InterpreterModelRunnerTest, MismatchedBlockSizeIsAnError) {
  ParsedModule parsed(TinyLlama::forwardMlir(32, 8));
  auto runner = valueOf(InterpreterModelRunner::create(parsed.function(), model.weights));
  auto engine = valueOf(rt::Engine::create(config(32, 64), *runner));
  engine->addRequest({1, 2}, greedy(1));
  auto step = engine->step();
  ASSERT_FALSE(step.isOk());
  EXPECT_NE(step.status().message().find("block size"), std::string::npos);
}

} // namespace
} // namespace loom::ref
