// StopChecker: EOS, stop ids, stop strings across token boundaries, length limits.
#include "runtime/Engine/StopChecker.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

/// Token t decodes to kPieces[t]; a sequence decodes to the concatenation.
const std::vector<std::string> kPieces = {
    "<eos>", "a", "xE", "ND", "b", "\xE2\x82", "\xAC", "zzSTOPyy", "EN", "D!", " "};

std::string detokenize(std::span<const TokenId> tokens) {
  std::string text;
  for (TokenId t : tokens)
    text += kPieces[t];
  return text;
}

class StopCheckerTest : public ::testing::Test {
protected:
  std::shared_ptr<Sequence> makeSeq(std::vector<TokenId> prompt, SamplingParams params) {
    return std::make_shared<Sequence>(0, std::move(prompt),
                                      std::make_shared<SamplingParams>(params), 0);
  }
  /// Appends `outputs` one by one; returns the reason at the first stop.
  std::optional<FinishReason> feed(const StopChecker &checker, Sequence &seq,
                                   std::vector<TokenId> outputs, int *stoppedAt = nullptr) {
    for (size_t i = 0; i < outputs.size(); ++i) {
      seq.appendToken(outputs[i]);
      if (auto reason = checker.check(seq)) {
        if (stoppedAt)
          *stoppedAt = static_cast<int>(i);
        return reason;
      }
    }
    return std::nullopt;
  }

  SamplingParams params_ = [] {
    SamplingParams p;
    p.maxTokens = 100;
    return p;
  }();
  StopChecker checker_{TokenId(0), 1000, detokenize};
};

TEST_F(StopCheckerTest, MatchesAStopStringSpanningTokens) {
  params_.stopStrings = {"END"};
  auto seq = makeSeq({3, 3}, params_); // "NDND": the prompt never matches
  int at = -1;
  EXPECT_EQ(feed(checker_, *seq, {1, 2, 3, 4}, &at), FinishReason::kStopString);
  EXPECT_EQ(at, 2);
  EXPECT_EQ(seq->outputText(), "ax"); // cut before the match
  EXPECT_EQ(seq->numOutputTokens(), 3);
}

TEST_F(StopCheckerTest, MatchesAStopStringStartingInsideAToken) {
  params_.stopStrings = {"ND!"};
  auto seq = makeSeq({1}, params_);
  int at = -1;
  // "EN" + "D!" contains "ND!" across the boundary between tokens 8 and 9.
  EXPECT_EQ(feed(checker_, *seq, {10, 8, 9}, &at), FinishReason::kStopString);
  EXPECT_EQ(at, 2);
  EXPECT_EQ(seq->outputText(), " E");
}

TEST_F(StopCheckerTest, CutsAtTheEarliestStopStringInsideOneToken) {
  params_.stopStrings = {"yy", "STOP"};
  auto seq = makeSeq({1}, params_);
  EXPECT_EQ(feed(checker_, *seq, {1, 7}), FinishReason::kStopString);
  EXPECT_EQ(seq->outputText(), "azz");
}

TEST_F(StopCheckerTest, WaitsForACompleteUtf8Character) {
  params_.stopStrings = {"\xE2\x82\xAC"}; // the euro sign
  auto seq = makeSeq({1}, params_);
  seq->appendToken(5);
  EXPECT_EQ(checker_.check(*seq), std::nullopt);
  EXPECT_EQ(seq->outputText(), "");
  seq->appendToken(6);
  EXPECT_EQ(checker_.check(*seq), FinishReason::kStopString);

  auto plain = makeSeq({1}, SamplingParams{});
  EXPECT_EQ(feed(checker_, *plain, {1, 5, 6, 4}), std::nullopt);
  EXPECT_EQ(plain->outputText(), "a\xE2\x82\xAC" "b");
}

TEST_F(StopCheckerTest, StopsOnEosUnlessIgnored) {
  auto seq = makeSeq({1}, params_);
  EXPECT_EQ(feed(checker_, *seq, {1, 0}), FinishReason::kEos);
  params_.ignoreEos = true;
  auto ignoring = makeSeq({1}, params_);
  EXPECT_EQ(feed(checker_, *ignoring, {1, 0, 4}), std::nullopt);
  StopChecker noEos(std::nullopt, 1000);
  auto noEosSeq = makeSeq({1}, SamplingParams{});
  EXPECT_EQ(feed(noEos, *noEosSeq, {0, 0}), std::nullopt);
}

TEST_F(StopCheckerTest, StopsOnStopTokenIdsEvenWhenIgnoringEos) {
  params_.ignoreEos = true;
  params_.stopTokenIds = {4};
  auto seq = makeSeq({1}, params_);
  int at = -1;
  EXPECT_EQ(feed(checker_, *seq, {1, 0, 4, 1}, &at), FinishReason::kStopToken);
  EXPECT_EQ(at, 2);
}

TEST_F(StopCheckerTest, StopsAtMaxTokensAndAtTheContextLimit) {
  params_.maxTokens = 3;
  auto seq = makeSeq({1}, params_);
  int at = -1;
  EXPECT_EQ(feed(checker_, *seq, {1, 1, 1, 1}, &at), FinishReason::kMaxTokens);
  EXPECT_EQ(at, 2);

  StopChecker shortContext(TokenId(0), 5);
  auto longSeq = makeSeq({1, 1, 1}, SamplingParams{});
  EXPECT_EQ(feed(shortContext, *longSeq, {1, 1, 1}, &at), FinishReason::kContextLimit);
  EXPECT_EQ(at, 1);
  EXPECT_EQ(longSeq->size(), 5);
}

TEST_F(StopCheckerTest, EosTakesPrecedenceOverLength) {
  params_.maxTokens = 2;
  auto seq = makeSeq({1}, params_);
  EXPECT_EQ(feed(checker_, *seq, {1, 0}), FinishReason::kEos);
}

} // namespace
} // namespace loom::rt

namespace loom::rt {
namespace {

TEST(StopCheckerContextTest, TheFirstOutputTokenKeepsItsLeadingSpace) {
  // SentencePiece-like: every token is " w<t>" and decoding strips the text's leading space.
  Detokenizer stripsLeadingSpace = [](std::span<const TokenId> tokens) {
    std::string text;
    for (TokenId t : tokens)
      text += " w" + std::to_string(t);
    return text.empty() ? text : text.substr(1);
  };
  StopChecker checker(std::nullopt, 1000, stripsLeadingSpace);
  SamplingParams params;
  params.maxTokens = 10;
  for (std::vector<TokenId> prompt : {std::vector<TokenId>{7}, std::vector<TokenId>(9, 3)}) {
    Sequence seq(0, prompt, std::make_shared<SamplingParams>(params), 0);
    for (TokenId t : {5, 6, 12}) {
      seq.appendToken(t);
      EXPECT_FALSE(checker.check(seq).has_value());
    }
    EXPECT_EQ(seq.outputText(), " w5 w6 w12") << "prompt of " << prompt.size();
  }
}

} // namespace
} // namespace loom::rt
