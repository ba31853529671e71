// Scheduler: budget, chunked prefill, decode-first order, preemption, FCFS.
#include "runtime/Engine/Scheduler.h"
#include "test/unit/Engine/FakeModel.h"

#include <gtest/gtest.h>

#include <set>

namespace loom::rt {
namespace {

using testing::FakeModelRunner;
using testing::outputOf;
using testing::referenceOutput;

constexpr int kVocab = 97;

SamplingParams greedy(int maxTokens) {
  SamplingParams params;
  params.temperature = 0.0f;
  params.maxTokens = maxTokens;
  params.ignoreEos = true;
  return params;
}

class Harness {
public:
  explicit Harness(EngineConfig config)
      : config_(config), scheduler_(config),
        runner_(config.numBlocks, config.blockSize, kVocab) {
    EXPECT_TRUE(config.validate().isOk());
  }

  std::shared_ptr<Sequence> add(std::vector<TokenId> prompt, SamplingParams params) {
    auto seq = std::make_shared<Sequence>(
        nextId_, std::move(prompt), std::make_shared<SamplingParams>(params), nextId_);
    ++nextId_;
    EXPECT_TRUE(scheduler_.add(seq).isOk());
    all_.push_back(seq);
    return seq;
  }

  /// One schedule → run → postprocess; checks the per-step invariants.
  ScheduledBatch step() {
    ScheduledBatch batch = scheduler_.schedule();
    EXPECT_LE(batch.numTokens(), config_.maxBatchedTokens);
    EXPECT_LE(static_cast<int>(batch.entries.size()), config_.maxSequences);
    EXPECT_LE(static_cast<int>(scheduler_.numRunning()), config_.maxSequences);
    std::set<RequestId> ids;
    for (const ScheduledSequence &entry : batch.entries) {
      EXPECT_TRUE(ids.insert(entry.sequence->id()).second) << "scheduled twice";
      EXPECT_GT(entry.numTokens, 0);
      EXPECT_EQ(entry.sequence->status(), SequenceStatus::kRunning);
    }
    auto sampled = runner_.run(batch);
    EXPECT_TRUE(sampled.isOk()) << sampled.status().toString();
    if (!sampled)
      return batch;
    auto finished = scheduler_.postprocess(batch, *sampled);
    EXPECT_TRUE(finished.isOk()) << finished.status().toString();
    return batch;
  }

  int runToCompletion(int maxSteps = 10000) {
    int steps = 0;
    while (scheduler_.hasUnfinished() && steps < maxSteps) {
      step();
      ++steps;
    }
    EXPECT_FALSE(scheduler_.hasUnfinished());
    EXPECT_EQ(scheduler_.blockManager().numFreeBlocks(), config_.numBlocks);
    return steps;
  }

  void expectReferenceOutputs() {
    for (const auto &seq : all_) {
      std::vector<TokenId> prompt(seq->promptTokens().begin(), seq->promptTokens().end());
      EXPECT_EQ(outputOf(*seq), referenceOutput(prompt, seq->params(), kVocab,
                                                config_.eosTokenId, config_.maxModelLen))
          << "request " << seq->id();
    }
  }

  Scheduler &scheduler() { return scheduler_; }

private:
  EngineConfig config_;
  Scheduler scheduler_;
  FakeModelRunner runner_;
  std::vector<std::shared_ptr<Sequence>> all_;
  RequestId nextId_ = 0;
};

std::vector<TokenId> iota(int count, TokenId first = 1) {
  std::vector<TokenId> tokens(count);
  for (int i = 0; i < count; ++i)
    tokens[i] = first + i;
  return tokens;
}

EngineConfig smallConfig() {
  EngineConfig config;
  config.blockSize = 4;
  config.numBlocks = 64;
  config.maxBatchedTokens = 8;
  config.maxSequences = 4;
  config.maxModelLen = 64;
  return config;
}

void expectEntry(const ScheduledSequence &entry, RequestId id, int start, int count,
                 bool samples) {
  EXPECT_EQ(entry.sequence->id(), id);
  EXPECT_EQ(entry.startPosition, start);
  EXPECT_EQ(entry.numTokens, count);
  EXPECT_EQ(entry.producesToken, samples);
}

TEST(SchedulerTest, ChunksAPrefillAcrossStepsUnderTheBudget) {
  Harness h(smallConfig());
  auto seq = h.add(iota(20), greedy(3));
  ScheduledBatch first = h.step();
  ASSERT_EQ(first.entries.size(), 1u);
  expectEntry(first.entries[0], 0, 0, 8, false);
  EXPECT_EQ(seq->numOutputTokens(), 0);
  expectEntry(h.step().entries[0], 0, 8, 8, false);
  expectEntry(h.step().entries[0], 0, 16, 4, true);
  EXPECT_EQ(seq->numOutputTokens(), 1);
  expectEntry(h.step().entries[0], 0, 20, 1, true);
  expectEntry(h.step().entries[0], 0, 21, 1, true);
  EXPECT_TRUE(seq->isFinished());
  EXPECT_EQ(seq->finishReason(), FinishReason::kMaxTokens);
  EXPECT_FALSE(h.scheduler().hasUnfinished());
  h.expectReferenceOutputs();
}

TEST(SchedulerTest, SchedulesDecodesBeforePrefillChunks) {
  Harness h(smallConfig());
  h.add(iota(3), greedy(10));
  h.step(); // request 0 prefilled, now decoding
  h.add(iota(30, 50), greedy(2));
  h.add(iota(5, 80), greedy(2));
  ScheduledBatch batch = h.step();
  ASSERT_EQ(batch.entries.size(), 2u);
  expectEntry(batch.entries[0], 0, 3, 1, true);
  expectEntry(batch.entries[1], 1, 0, 7, false); // the rest of the budget
  EXPECT_EQ(h.scheduler().numWaiting(), 1u);     // no budget left for request 2
  batch = h.step();
  ASSERT_EQ(batch.entries.size(), 2u);
  expectEntry(batch.entries[0], 0, 4, 1, true);
  expectEntry(batch.entries[1], 1, 7, 7, false);
  h.runToCompletion();
  h.expectReferenceOutputs();
}

TEST(SchedulerTest, RespectsMaxSequences) {
  EngineConfig config = smallConfig();
  config.maxSequences = 2;
  config.maxBatchedTokens = 32;
  Harness h(config);
  for (int i = 0; i < 5; ++i)
    h.add(iota(3 + i, 10 * i), greedy(4));
  ScheduledBatch batch = h.step();
  EXPECT_EQ(batch.entries.size(), 2u);
  EXPECT_EQ(h.scheduler().numRunning(), 2u);
  EXPECT_EQ(h.scheduler().numWaiting(), 3u);
  h.runToCompletion(); // the harness checks the limit every step
  h.expectReferenceOutputs();
}

TEST(SchedulerTest, AdmitsFirstComeFirstServedWithoutSkipping) {
  EngineConfig config = smallConfig();
  config.numBlocks = 6;
  config.maxModelLen = 24;
  config.maxBatchedTokens = 32;
  Harness h(config);
  auto a = h.add(iota(16), greedy(4));     // 4 blocks, up to 5
  auto b = h.add(iota(12, 40), greedy(2)); // 3 blocks: does not fit beside a
  auto c = h.add(iota(2, 70), greedy(2));  // 1 block: would fit, must wait
  h.step();
  h.step();
  EXPECT_EQ(a->status(), SequenceStatus::kRunning);
  EXPECT_EQ(b->status(), SequenceStatus::kWaiting);
  EXPECT_EQ(c->status(), SequenceStatus::kWaiting);
  EXPECT_EQ(h.scheduler().numRunning(), 1u);
  h.runToCompletion();
  h.expectReferenceOutputs();
}

TEST(SchedulerTest, FinishesInArrivalOrderWithOneSlot) {
  EngineConfig config = smallConfig();
  config.maxSequences = 1;
  Harness h(config);
  std::vector<std::shared_ptr<Sequence>> seqs;
  for (int i = 0; i < 4; ++i)
    seqs.push_back(h.add(iota(5 - i, 20 * i), greedy(3 + i)));
  std::vector<RequestId> order;
  while (h.scheduler().hasUnfinished()) {
    h.step();
    for (const auto &seq : seqs)
      if (seq->isFinished() &&
          std::find(order.begin(), order.end(), seq->id()) == order.end())
        order.push_back(seq->id());
  }
  EXPECT_EQ(order, (std::vector<RequestId>{0, 1, 2, 3}));
  h.expectReferenceOutputs();
}

TEST(SchedulerTest, PreemptsTheNewestByRecomputeAndResumesIdentically) {
  EngineConfig config;
  config.blockSize = 2;
  config.numBlocks = 8;
  config.maxBatchedTokens = 16;
  config.maxSequences = 4;
  config.maxModelLen = 16;
  Harness h(config);
  auto a = h.add(iota(4, 1), greedy(8));
  auto b = h.add(iota(4, 30), greedy(8));
  auto c = h.add(iota(4, 60), greedy(8));
  h.step(); // all three admitted: 6 of 8 blocks

  bool sawPreemption = false, sawResume = false;
  while (h.scheduler().hasUnfinished()) {
    int preemptionsBefore = c->numPreemptions() + b->numPreemptions() + a->numPreemptions();
    ScheduledBatch batch = h.step();
    if (!sawPreemption && c->numPreemptions() + b->numPreemptions() > preemptionsBefore) {
      sawPreemption = true;
      // The newest goes first; the oldest is never preempted while others run.
      EXPECT_EQ(c->numPreemptions(), 1);
      EXPECT_EQ(a->numPreemptions(), 0);
      EXPECT_EQ(c->status(), SequenceStatus::kPreempted);
      EXPECT_GT(c->numOutputTokens(), 0);
      EXPECT_TRUE(c->blockTable().empty());
    }
    for (const ScheduledSequence &entry : batch.entries)
      if (entry.sequence == c && c->numPreemptions() > 0 && !sawResume) {
        sawResume = true;
        // One chunk recomputes prompt + generated tokens, minus cache hits.
        EXPECT_TRUE(entry.producesToken);
        EXPECT_EQ(entry.startPosition % config.blockSize, 0);
        EXPECT_EQ(entry.startPosition + entry.numTokens, c->size() - 1);
        EXPECT_GT(entry.startPosition + entry.numTokens, c->numPromptTokens());
      }
  }
  EXPECT_TRUE(sawPreemption);
  EXPECT_TRUE(sawResume);
  EXPECT_EQ(a->numPreemptions(), 0);
  EXPECT_GT(h.scheduler().numPreemptions(), 0);
  for (const auto &seq : {a, b, c})
    EXPECT_EQ(seq->finishReason(), FinishReason::kMaxTokens);
  h.expectReferenceOutputs();
  EXPECT_EQ(h.scheduler().blockManager().numFreeBlocks(), 8);
}

TEST(SchedulerTest, ReusesCachedPrefixAcrossRequests) {
  EngineConfig config = smallConfig();
  config.maxBatchedTokens = 64;
  Harness h(config);
  std::vector<TokenId> shared = iota(12);
  auto first = h.add(shared, greedy(2));
  h.runToCompletion();
  std::vector<TokenId> longer = shared;
  longer.push_back(77);
  longer.push_back(78);
  auto second = h.add(longer, greedy(2));
  ScheduledBatch batch = h.step();
  ASSERT_EQ(batch.entries.size(), 1u);
  expectEntry(batch.entries[0], second->id(), 12, 2, true);
  EXPECT_EQ(h.scheduler().blockManager().stats().hitTokens, 12);
  h.runToCompletion();
  h.expectReferenceOutputs();
}

TEST(SchedulerTest, CancelFreesBlocks) {
  Harness h(smallConfig());
  auto a = h.add(iota(6), greedy(20));
  auto b = h.add(iota(6, 40), greedy(3));
  h.step();
  EXPECT_TRUE(h.scheduler().cancel(a->id()));
  EXPECT_FALSE(h.scheduler().cancel(a->id()));
  EXPECT_EQ(a->finishReason(), FinishReason::kCancelled);
  h.runToCompletion();
  EXPECT_EQ(b->finishReason(), FinishReason::kMaxTokens);
}

TEST(SchedulerTest, RejectsAMismatchedSampleCount) {
  Harness h(smallConfig());
  h.add(iota(3), greedy(2));
  ScheduledBatch batch = h.scheduler().schedule();
  auto result = h.scheduler().postprocess(batch, {});
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kInternal);
}

} // namespace
} // namespace loom::rt
