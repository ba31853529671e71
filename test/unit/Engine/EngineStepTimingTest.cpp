// Engine::lastStepTiming: the host time of a step charged to its parts (a runner that takes a
// known time, a stream callback that takes a known time).
#include "runtime/Engine/Engine.h"
#include "test/unit/Engine/FakeModel.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace loom::rt {
namespace {

using namespace std::chrono_literals;

/// The fake model, 3 ms a step.
class SlowRunner final : public testing::FakeModelRunner {
public:
  using FakeModelRunner::FakeModelRunner;
  StatusOr<std::vector<TokenId>> run(const ScheduledBatch &batch) override {
    std::this_thread::sleep_for(3ms);
    return FakeModelRunner::run(batch);
  }
};

TEST(EngineStepTimingTest, ChargesTheRunnerAndThePublishedCallbacksToTheirParts) {
  EngineConfig config = testing::tinyEngineConfig(10, 32);
  SlowRunner runner(config.numBlocks, config.blockSize, testing::kFakeVocab);
  auto engine = Engine::create(config, runner);
  ASSERT_TRUE(engine.isOk());
  EXPECT_EQ((*engine)->lastStepTiming().runMicros, 0); // no step yet
  SamplingParams params;
  params.temperature = 0.0f;
  params.maxTokens = 2;
  params.ignoreEos = true;
  (*engine)->addRequest({5, 6, 7}, params, [](const StreamEvent &) {
    std::this_thread::sleep_for(2ms);
  });

  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE((*engine)->step().isOk());
  double wallMicros =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  EngineStepTiming timing = (*engine)->lastStepTiming();
  EXPECT_GE(timing.runMicros, 3000);
  EXPECT_LT(timing.runMicros, wallMicros - 2000); // the callback is not the runner's
  EXPECT_GE(timing.publishMicros, 2000);
  EXPECT_GE(timing.scheduleMicros, 0);
  EXPECT_GE(timing.postprocessMicros, 0);
  double parts =
      timing.scheduleMicros + timing.runMicros + timing.postprocessMicros + timing.publishMicros;
  EXPECT_LE(parts, wallMicros);
  // What the parts leave out (the step's bookkeeping between them) is small in absolute terms;
  // a ratio of the wall time flakes when a loaded machine stretches the step.
  EXPECT_LT(wallMicros - parts, 1000);
}

} // namespace
} // namespace loom::rt
