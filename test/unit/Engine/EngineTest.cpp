// Engine end to end with the fake model: bad requests, runner errors, and a
// randomized stress test on a tiny KV pool against the run-alone reference.
#include "runtime/Engine/Engine.h"
#include "test/unit/Engine/FakeModel.h"

#include <gtest/gtest.h>

#include <random>

namespace loom::rt {
namespace {

using testing::FakeModelRunner;
using testing::outputOf;
using testing::referenceOutput;

constexpr int kVocab = testing::kFakeVocab;

EngineConfig tinyConfig() { return testing::tinyEngineConfig(10, 32); }

std::vector<TokenId> expected(const Sequence &seq, const EngineConfig &config) {
  std::vector<TokenId> prompt(seq.promptTokens().begin(), seq.promptTokens().end());
  return referenceOutput(prompt, seq.params(), kVocab, config.eosTokenId, config.maxModelLen);
}

TEST(EngineTest, RejectsAnInvalidConfiguration) {
  EngineConfig config = tinyConfig();
  config.numBlocks = 7; // 32 tokens need 8 blocks of 4
  FakeModelRunner runner(8, 4, kVocab);
  auto engine = Engine::create(config, runner);
  ASSERT_FALSE(engine.isOk());
  EXPECT_EQ(engine.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(engine.status().message().find("needs 8 KV blocks"), std::string::npos)
      << engine.status().message();
}

TEST(EngineTest, RejectsBadRequestsWhileOthersFinish) {
  EngineConfig config = tinyConfig();
  FakeModelRunner runner(config.numBlocks, config.blockSize, kVocab);
  auto engine = Engine::create(config, runner);
  ASSERT_TRUE(engine.isOk());
  SamplingParams good;
  good.temperature = 0.0f;
  good.maxTokens = 6;

  auto first = (*engine)->addRequest({5, 6, 7}, good);
  struct Bad {
    std::vector<TokenId> prompt;
    SamplingParams params;
    const char *says;
  };
  SamplingParams hot = good, withStop = good;
  hot.temperature = -1.0f;
  withStop.stopStrings = {"x"};
  std::vector<Bad> bad = {
      {{}, good, "prompt is empty"},
      {std::vector<TokenId>(33, 3), good, "more than the context length 32"},
      {{1, 2}, hot, "temperature"},
      {{1, 500}, good, "token 500 at position 1 is outside the vocabulary"},
      {{1, -4}, good, "outside the vocabulary"},
      {{1, 2}, withStop, "need a detokenizer"},
  };
  std::vector<std::shared_ptr<const Sequence>> rejected;
  for (const Bad &b : bad)
    rejected.push_back((*engine)->addRequest(b.prompt, b.params));
  auto last = (*engine)->addRequest({9, 8, 7, 6, 5}, good);

  for (size_t i = 0; i < bad.size(); ++i) {
    const Sequence &seq = *rejected[i];
    EXPECT_TRUE(seq.isFinished());
    EXPECT_EQ(seq.finishReason(), FinishReason::kError);
    EXPECT_EQ(seq.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(seq.error().message().find(bad[i].says), std::string::npos)
        << seq.error().message();
  }
  EXPECT_EQ((*engine)->scheduler().numWaiting(), 2u);
  ASSERT_TRUE((*engine)->runUntilDone().isOk());
  for (const auto &seq : {first, last}) {
    EXPECT_TRUE(seq->isFinished());
    EXPECT_TRUE(seq->error().isOk());
    EXPECT_EQ(outputOf(*seq), expected(*seq, config));
  }
}

/// Fails its first `failures` calls, then runs the fake model.
class FlakyRunner : public ModelRunner {
public:
  FlakyRunner(int failures, FakeModelRunner &inner) : failures_(failures), inner_(inner) {}
  StatusOr<std::vector<TokenId>> run(const ScheduledBatch &batch) override {
    if (failures_-- > 0)
      return Status(StatusCode::kCudaError, "launch failed");
    return inner_.run(batch);
  }

private:
  int failures_;
  FakeModelRunner &inner_;
};

TEST(EngineTest, ARunnerErrorAdvancesNothing) {
  EngineConfig config = tinyConfig();
  FakeModelRunner fake(config.numBlocks, config.blockSize, kVocab);
  FlakyRunner flaky(2, fake);
  auto engine = Engine::create(config, flaky);
  ASSERT_TRUE(engine.isOk());
  SamplingParams params;
  params.temperature = 0.0f;
  params.maxTokens = 5;
  auto a = (*engine)->addRequest({1, 2, 3, 4, 5, 6}, params);
  auto b = (*engine)->addRequest({7, 8}, params);
  auto failed = (*engine)->step();
  ASSERT_FALSE(failed.isOk());
  EXPECT_EQ(failed.status().code(), StatusCode::kCudaError);
  EXPECT_EQ(a->numComputedTokens(), 0);
  EXPECT_EQ(a->numOutputTokens(), 0);
  EXPECT_FALSE((*engine)->runUntilDone().isOk());
  ASSERT_TRUE((*engine)->runUntilDone().isOk());
  EXPECT_EQ(outputOf(*a), expected(*a, config));
  EXPECT_EQ(outputOf(*b), expected(*b, config));
}

TEST(EngineTest, RunUntilDoneStepsThroughAGivenStepperAndStopsWhenNothingAdvances) {
  EngineConfig config = tinyConfig();
  FakeModelRunner runner(config.numBlocks, config.blockSize, kVocab);
  auto engine = Engine::create(config, runner);
  ASSERT_TRUE(engine.isOk());
  SamplingParams params;
  params.temperature = 0.0f;
  params.maxTokens = 4;
  auto a = (*engine)->addRequest({1, 2, 3}, params);
  // A stepper that runs no step: an error, not a hang.
  Status stuck = (*engine)->runUntilDone([] { return StatusOr<Engine::Finished>(Engine::Finished{}); });
  ASSERT_FALSE(stuck.isOk());
  EXPECT_EQ(stuck.code(), StatusCode::kInternal);
  int steps = 0;
  ASSERT_TRUE((*engine)->runUntilDone([&] { ++steps; return (*engine)->step(); }).isOk());
  EXPECT_EQ(steps, (*engine)->numSteps());
  EXPECT_EQ(outputOf(*a), expected(*a, config));
}

TEST(EngineTest, CancelledRequestsStopAndFreeTheirBlocks) {
  EngineConfig config = tinyConfig();
  FakeModelRunner runner(config.numBlocks, config.blockSize, kVocab);
  auto engine = Engine::create(config, runner);
  ASSERT_TRUE(engine.isOk());
  SamplingParams params;
  params.maxTokens = 20;
  params.ignoreEos = true;
  auto a = (*engine)->addRequest({1, 2, 3}, params);
  auto b = (*engine)->addRequest({4, 5, 6}, params);
  ASSERT_TRUE((*engine)->step().isOk());
  EXPECT_TRUE((*engine)->cancel(a->id()));
  EXPECT_EQ(a->finishReason(), FinishReason::kCancelled);
  ASSERT_TRUE((*engine)->runUntilDone().isOk());
  EXPECT_EQ(a->numOutputTokens(), 1);
  EXPECT_EQ(outputOf(*b), expected(*b, config));
  EXPECT_EQ((*engine)->scheduler().blockManager().numFreeBlocks(), config.numBlocks);
}

TEST(EngineTest, StopsOnAStopStringSpanningGeneratedTokens) {
  EngineConfig config = tinyConfig();
  FakeModelRunner runner(config.numBlocks, config.blockSize, kVocab);
  Detokenizer twoLetters = testing::twoLetterText;
  auto engine = Engine::create(config, runner, twoLetters);
  ASSERT_TRUE(engine.isOk());
  SamplingParams params;
  params.temperature = 0.0f;
  params.maxTokens = 12;
  params.ignoreEos = true;
  std::vector<TokenId> prompt = {3, 1, 4, 1, 5};
  std::vector<TokenId> free = referenceOutput(prompt, params, kVocab, 0, config.maxModelLen);
  ASSERT_GE(free.size(), 4u);
  std::string fullText = twoLetters(free);
  // The last letter of generated token 2 and the first two of token 3.
  params.stopStrings = {fullText.substr(5, 3)};
  ASSERT_EQ(fullText.find(params.stopStrings[0]), 5u) << "pick another window";

  auto seq = (*engine)->addRequest(prompt, params);
  ASSERT_TRUE(seq->error().isOk()) << seq->error().toString();
  ASSERT_TRUE((*engine)->runUntilDone().isOk());
  EXPECT_EQ(seq->finishReason(), FinishReason::kStopString);
  EXPECT_EQ(seq->numOutputTokens(), 4);
  EXPECT_EQ(outputOf(*seq), std::vector<TokenId>(free.begin(), free.begin() + 4));
  EXPECT_EQ(seq->outputText(), fullText.substr(0, 5));
}

struct StressCase {
  int blockSize;
  int numBlocks;
  int maxBatchedTokens;
  int maxSequences;
};

class EngineStressTest : public ::testing::TestWithParam<StressCase> {};

TEST_P(EngineStressTest, EveryRequestGetsItsRunAloneOutput) {
  const StressCase &c = GetParam();
  EngineConfig config;
  config.blockSize = c.blockSize;
  config.numBlocks = c.numBlocks;
  config.maxBatchedTokens = c.maxBatchedTokens;
  config.maxSequences = c.maxSequences;
  config.maxModelLen = 48;
  config.vocabSize = kVocab;
  config.eosTokenId = 0;
  FakeModelRunner runner(config.numBlocks, config.blockSize, kVocab);
  auto engine = Engine::create(config, runner);
  ASSERT_TRUE(engine.isOk()) << engine.status().toString();

  std::mt19937 rng(20240917u + c.blockSize);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<std::vector<TokenId>> sharedPrefixes;
  for (int i = 0; i < 3; ++i) {
    std::vector<TokenId> prefix(uniform(4, 20));
    for (TokenId &t : prefix)
      t = uniform(1, kVocab - 1);
    sharedPrefixes.push_back(prefix);
  }
  auto randomRequest = [&] {
    std::vector<TokenId> prompt;
    if (uniform(0, 1))
      prompt = sharedPrefixes[uniform(0, 2)];
    int extra = uniform(prompt.empty() ? 1 : 0, 24);
    for (int i = 0; i < extra; ++i)
      prompt.push_back(uniform(1, kVocab - 1));
    SamplingParams params;
    params.maxTokens = uniform(1, 30);
    params.temperature = uniform(0, 1) ? 0.0f : 0.9f;
    params.topK = uniform(0, 5);
    params.seed = uniform(0, 1000);
    params.ignoreEos = uniform(0, 3) == 0;
    if (uniform(0, 3) == 0)
      params.stopTokenIds = {uniform(1, kVocab - 1)};
    return std::make_pair(prompt, params);
  };

  std::vector<std::shared_ptr<const Sequence>> seqs;
  constexpr int kRequests = 80;
  for (int i = 0; i < 12; ++i) {
    auto [prompt, params] = randomRequest();
    seqs.push_back((*engine)->addRequest(prompt, params));
  }
  int steps = 0;
  while ((*engine)->hasUnfinished() || static_cast<int>(seqs.size()) < kRequests) {
    if (static_cast<int>(seqs.size()) < kRequests && uniform(0, 2) == 0) {
      auto [prompt, params] = randomRequest();
      seqs.push_back((*engine)->addRequest(prompt, params));
    }
    auto finished = (*engine)->step();
    ASSERT_TRUE(finished.isOk()) << finished.status().toString();
    ASSERT_LT(++steps, 100000);
  }
  for (const ScheduledBatch &batch : runner.batches) {
    EXPECT_LE(batch.numTokens(), config.maxBatchedTokens);
    EXPECT_LE(static_cast<int>(batch.entries.size()), config.maxSequences);
  }
  for (const auto &seq : seqs) {
    ASSERT_TRUE(seq->isFinished());
    ASSERT_TRUE(seq->error().isOk()) << seq->error().toString();
    EXPECT_EQ(outputOf(*seq), expected(*seq, config)) << "request " << seq->id();
  }
  const Scheduler &scheduler = (*engine)->scheduler();
  EXPECT_GT(scheduler.numPreemptions(), 0) << "the pool was meant to run out";
  EXPECT_GT(scheduler.blockManager().stats().hitBlocks, 0) << "prefixes were meant to hit";
  EXPECT_EQ(scheduler.blockManager().numFreeBlocks(), config.numBlocks);
}

INSTANTIATE_TEST_SUITE_P(TinyPools, EngineStressTest,
                         ::testing::Values(StressCase{4, 14, 16, 6}, StressCase{1, 52, 7, 5},
                                           StressCase{16, 4, 24, 8}, StressCase{8, 7, 64, 16}),
                         [](const auto &info) {
                           return "block" + std::to_string(info.param.blockSize);
                         });

} // namespace
} // namespace loom::rt
