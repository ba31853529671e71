// Engine streaming and metrics with the fake model: token/text deltas, finish events, TTFT and
// inter-token latencies on a manual clock, prefix-hit counts and engine stats.
#include "runtime/Engine/Engine.h"
#include "test/unit/Engine/FakeModel.h"

#include <gtest/gtest.h>

#include <map>

namespace loom::rt {
namespace {

using testing::FakeModelRunner;
using testing::outputOf;
using testing::referenceOutput;

constexpr int kVocab = testing::kFakeVocab;
constexpr auto twoLetters = testing::twoLetterText;

EngineConfig smallConfig() { return testing::tinyEngineConfig(24, 40); }

/// Everything a request's callback received.
struct Recorded {
  std::vector<TokenId> tokens;
  std::string text;
  std::vector<std::optional<FinishReason>> finishes; ///< one per event
};

StreamCallback recordInto(std::map<RequestId, Recorded> &log) {
  return [&log](const StreamEvent &event) {
    Recorded &r = log[event.id];
    r.tokens.insert(r.tokens.end(), event.tokens.begin(), event.tokens.end());
    r.text += event.textDelta;
    r.finishes.push_back(event.finishReason);
  };
}

TEST(EngineStreamingTest, StreamsEveryTokenAndTheTextThenOneFinish) {
  EngineConfig config = smallConfig();
  FakeModelRunner runner(config.numBlocks, config.blockSize, kVocab);
  auto engine = Engine::create(config, runner, twoLetters);
  ASSERT_TRUE(engine.isOk());
  std::map<RequestId, Recorded> log;
  SamplingParams params;
  params.temperature = 0.7f;
  params.seed = 11;
  params.maxTokens = 9;
  params.ignoreEos = true;
  std::vector<std::shared_ptr<const Sequence>> seqs;
  for (int i = 0; i < 5; ++i)
    seqs.push_back((*engine)->addRequest({3, TokenId(10 + i), 5, 7, TokenId(20 + i)}, params,
                                         recordInto(log)));
  ASSERT_TRUE((*engine)->runUntilDone().isOk());
  for (const auto &seq : seqs) {
    const Recorded &r = log[seq->id()];
    EXPECT_EQ(r.tokens, outputOf(*seq));
    EXPECT_EQ(r.tokens, referenceOutput({seq->promptTokens().begin(), seq->promptTokens().end()},
                                        params, kVocab, 0, config.maxModelLen));
    EXPECT_EQ(r.text, twoLetters(r.tokens));
    EXPECT_EQ(r.text, seq->outputText());
    // One event per generated token (one token per step), only the last one finishing.
    ASSERT_EQ(r.finishes.size(), r.tokens.size());
    EXPECT_EQ(r.finishes.back(), FinishReason::kMaxTokens);
    for (size_t i = 0; i + 1 < r.finishes.size(); ++i)
      EXPECT_FALSE(r.finishes[i].has_value()) << "event " << i;
  }
}

TEST(EngineStreamingTest, HoldsBackTextAStopStringMayStillCut) {
  EngineConfig config = smallConfig();
  FakeModelRunner runner(config.numBlocks, config.blockSize, kVocab);
  auto engine = Engine::create(config, runner, twoLetters);
  ASSERT_TRUE(engine.isOk());
  SamplingParams params;
  params.temperature = 0.0f;
  params.maxTokens = 12;
  params.ignoreEos = true;
  std::vector<TokenId> prompt = {3, 1, 4, 1, 5};
  std::string fullText = twoLetters(referenceOutput(prompt, params, kVocab, 0, 40));
  ASSERT_GE(fullText.size(), 12u);
  // Starts in token 4's text (bytes 6-7), ends in token 5's: the letter of the match in token 4
  // was generated a step before the match completes and must never have been streamed.
  params.stopStrings = {fullText.substr(7, 3)};
  ASSERT_EQ(fullText.find(params.stopStrings[0]), 7u) << "pick another window";

  std::map<RequestId, Recorded> log;
  std::vector<std::string> deltas;
  auto seq = (*engine)->addRequest(prompt, params, [&](const StreamEvent &event) {
    deltas.push_back(event.textDelta);
    recordInto(log)(event);
  });
  ASSERT_TRUE((*engine)->runUntilDone().isOk());
  EXPECT_EQ(seq->finishReason(), FinishReason::kStopString);
  EXPECT_EQ(seq->outputText(), fullText.substr(0, 7));
  EXPECT_EQ(log[seq->id()].text, fullText.substr(0, 7));
  // A hold-back of 2 bytes: each token adds 2, so each event releases the previous token's
  // text; the finish releases the cut text's last byte.
  ASSERT_EQ(deltas.size(), 5u);
  EXPECT_EQ(deltas[0], "");
  for (size_t i = 1; i < 4; ++i)
    EXPECT_EQ(deltas[i], fullText.substr(2 * (i - 1), 2)) << "event " << i;
  EXPECT_EQ(deltas[4], fullText.substr(6, 1));
}

TEST(EngineStreamingTest, CancelAndInvalidRequestsGetAFinishEvent) {
  EngineConfig config = smallConfig();
  FakeModelRunner runner(config.numBlocks, config.blockSize, kVocab);
  auto engine = Engine::create(config, runner);
  ASSERT_TRUE(engine.isOk());
  std::map<RequestId, Recorded> log;
  SamplingParams params;
  params.maxTokens = 30;
  params.ignoreEos = true;
  auto bad = (*engine)->addRequest({}, params, recordInto(log));
  ASSERT_EQ(log[bad->id()].finishes, std::vector<std::optional<FinishReason>>{FinishReason::kError});
  auto a = (*engine)->addRequest({1, 2, 3}, params, recordInto(log));
  ASSERT_TRUE((*engine)->step().isOk());
  ASSERT_TRUE((*engine)->step().isOk());
  EXPECT_TRUE((*engine)->cancel(a->id()));
  EXPECT_FALSE((*engine)->cancel(a->id()));
  const Recorded &r = log[a->id()];
  EXPECT_EQ(r.tokens, outputOf(*a));
  EXPECT_EQ(r.tokens.size(), 2u);
  ASSERT_EQ(r.finishes.size(), 3u);
  EXPECT_EQ(r.finishes.back(), FinishReason::kCancelled);
  EXPECT_FALSE((*engine)->hasUnfinished());
}

TEST(EngineStreamingTest, ACallbackMayAddRequests) {
  EngineConfig config = smallConfig();
  FakeModelRunner runner(config.numBlocks, config.blockSize, kVocab);
  auto engine = Engine::create(config, runner);
  ASSERT_TRUE(engine.isOk());
  SamplingParams params;
  params.maxTokens = 3;
  params.ignoreEos = true;
  std::vector<std::shared_ptr<const Sequence>> chain;
  std::function<void(const StreamEvent &)> onOutput = [&](const StreamEvent &event) {
    if (event.finishReason && chain.size() < 20) // each finish starts the next request
      chain.push_back((*engine)->addRequest({TokenId(chain.size() + 1), 2, 3}, params, onOutput));
  };
  chain.push_back((*engine)->addRequest({1, 2, 3}, params, onOutput));
  ASSERT_TRUE((*engine)->runUntilDone().isOk());
  ASSERT_EQ(chain.size(), 20u);
  for (const auto &seq : chain) {
    EXPECT_EQ(seq->finishReason(), FinishReason::kMaxTokens);
    EXPECT_EQ(outputOf(*seq), referenceOutput({seq->promptTokens().begin(),
                                               seq->promptTokens().end()},
                                              params, kVocab, 0, config.maxModelLen));
  }
}

TEST(EngineStreamingTest, MeasuresTimeToFirstTokenAndInterTokenLatency) {
  EngineConfig config = smallConfig();
  config.maxBatchedTokens = 4; // a 10-token prompt takes 3 chunked-prefill steps
  FakeModelRunner runner(config.numBlocks, config.blockSize, kVocab);
  double now = 0;
  auto engine = Engine::create(config, runner, {}, [&] { return now; });
  ASSERT_TRUE(engine.isOk());
  SamplingParams params;
  params.maxTokens = 4;
  params.ignoreEos = true;
  now = 1.5;
  auto seq = (*engine)->addRequest({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, params);
  std::vector<double> stepEnds = {4, 9, 10, 12, 15.5, 20};
  for (double end : stepEnds) {
    now = end;
    ASSERT_TRUE((*engine)->step().isOk());
  }
  EXPECT_TRUE(seq->isFinished());
  const RequestMetrics &m = seq->metrics();
  EXPECT_EQ(m.arrivalTime, 1.5);
  EXPECT_EQ(m.timeToFirstToken(), 10 - 1.5); // the third step ends the prefill
  EXPECT_EQ(m.interTokenLatencies, (std::vector<double>{2, 3.5, 4.5}));
  EXPECT_EQ(m.endToEndLatency(), 20 - 1.5);
  EXPECT_EQ(m.numPromptTokens, 10);
  EXPECT_EQ(m.numOutputTokens, 4);
  EXPECT_EQ(m.prefixHitTokens, 0);
}

TEST(EngineStreamingTest, CountsPrefixHitsPerRequestAndInTheStats) {
  EngineConfig config = smallConfig();
  FakeModelRunner runner(config.numBlocks, config.blockSize, kVocab);
  auto engine = Engine::create(config, runner);
  ASSERT_TRUE(engine.isOk());
  SamplingParams params;
  params.temperature = 0.0f;
  params.maxTokens = 3;
  params.ignoreEos = true;
  std::vector<TokenId> shared = {9, 8, 7, 6, 5, 4, 3, 2, 1}; // two full blocks + 1
  auto first = (*engine)->addRequest(shared, params);
  ASSERT_TRUE((*engine)->runUntilDone().isOk());
  std::vector<TokenId> second = shared;
  second.insert(second.end(), {40, 41});
  auto other = (*engine)->addRequest(second, params);
  ASSERT_TRUE((*engine)->runUntilDone().isOk());

  EXPECT_EQ(first->metrics().prefixHitTokens, 0);
  EXPECT_EQ(other->metrics().prefixHitTokens, 8);
  EXPECT_EQ(outputOf(*other), referenceOutput(second, params, kVocab, 0, config.maxModelLen));
  EngineStats stats = (*engine)->stats();
  EXPECT_EQ(stats.prefixHitTokens, 8);
  EXPECT_EQ(stats.prefixMissTokens, 9 + 3);
  EXPECT_DOUBLE_EQ(stats.prefixHitRate(), 8.0 / 20.0);
  EXPECT_EQ(stats.generatedTokens, 6);
  EXPECT_EQ(stats.kvBlocksUsed, 0);
  EXPECT_EQ(stats.kvBlocksTotal, config.numBlocks);
  // They never run together; the second's last decode computes its 13th token: 4 blocks.
  EXPECT_EQ(stats.peakKvBlocksUsed, 4);
  EXPECT_EQ(stats.preemptions, 0);
}

TEST(EngineStreamingTest, StatsCountPreemptionsOnATinyPool) {
  EngineConfig config = smallConfig();
  config.numBlocks = 10;
  FakeModelRunner runner(config.numBlocks, config.blockSize, kVocab);
  auto engine = Engine::create(config, runner);
  ASSERT_TRUE(engine.isOk());
  SamplingParams params;
  params.maxTokens = 20;
  params.ignoreEos = true;
  std::vector<std::shared_ptr<const Sequence>> seqs;
  for (int i = 0; i < 4; ++i)
    seqs.push_back((*engine)->addRequest({TokenId(i + 1), 2, 3, 4, 5}, params));
  ASSERT_TRUE((*engine)->runUntilDone().isOk());
  EngineStats stats = (*engine)->stats();
  EXPECT_GT(stats.preemptions, 0);
  EXPECT_EQ(stats.preemptions, (*engine)->scheduler().numPreemptions());
  EXPECT_EQ(stats.peakKvBlocksUsed, config.numBlocks);
  EXPECT_EQ(stats.generatedTokens, 4 * 20);
  EXPECT_EQ(stats.steps, (*engine)->numSteps());
  for (const auto &seq : seqs)
    EXPECT_EQ(outputOf(*seq), referenceOutput({seq->promptTokens().begin(),
                                               seq->promptTokens().end()},
                                              params, kVocab, 0, config.maxModelLen));
}

} // namespace
} // namespace loom::rt
