// EngineWorker with the engine tests' fake model: requests handed over from many threads come
// back equal to the fake model's oracle; a cancel frees the KV blocks; requestStop drains.
#include "tools/loom-run/serve/EngineWorker.h"

#include "test/unit/Engine/FakeModel.h"

#include <gtest/gtest.h>

#include <thread>

namespace loom::serve {
namespace {

using namespace std::chrono_literals;
using rt::testing::kFakeVocab;

constexpr int kBlocks = 64, kMaxModelLen = 64;

/// The fake model at 1 ms a step, so a test can act while a request runs.
class PacedFakeRunner : public rt::testing::FakeModelRunner {
public:
  using FakeModelRunner::FakeModelRunner;
  StatusOr<std::vector<rt::TokenId>> run(const rt::ScheduledBatch &batch) override {
    std::this_thread::sleep_for(1ms);
    return FakeModelRunner::run(batch);
  }
};

/// The text of a request's output: the channel's deltas up to the finish.
struct Received {
  std::string text;
  std::optional<rt::FinishReason> finish;
  int outputTokens = 0;
};

Received receiveAll(RequestChannel &channel) {
  Received received;
  while (!received.finish) {
    std::optional<RequestUpdate> update = channel.pop(10s);
    if (!update)
      break;
    received.text += update->textDelta;
    received.finish = update->finishReason;
    received.outputTokens = update->outputTokens;
  }
  return received;
}

class EngineWorkerTest : public ::testing::Test {
protected:
  void SetUp() override {
    engine_ = rt::Engine::create(config_, runner_, rt::testing::twoLetterText).value();
    worker_ = std::make_unique<EngineWorker>(*engine_, metrics_);
    engineThread_ = std::thread([this] { worker_->run(); });
  }
  void TearDown() override {
    worker_->requestStop();
    engineThread_.join();
  }

  rt::EngineConfig config_ = rt::testing::tinyEngineConfig(kBlocks, kMaxModelLen);
  PacedFakeRunner runner_{kBlocks, 4, kFakeVocab};
  std::unique_ptr<rt::Engine> engine_;
  ServeMetrics metrics_;
  std::unique_ptr<EngineWorker> worker_;
  std::thread engineThread_;
};

TEST_F(EngineWorkerTest, ConcurrentSubmittersGetTheOracleOutput) {
  constexpr int kClients = 24;
  std::vector<Received> received(kClients);
  std::vector<EngineRequest> requests(kClients);
  for (int i = 0; i < kClients; ++i) {
    requests[i].prompt = {1 + i % 7, 2 + i % 5, 3 + i, 4};
    requests[i].params.temperature = i % 2 ? 0.8f : 0.0f;
    requests[i].params.seed = i;
    requests[i].params.maxTokens = 5 + i % 9;
  }
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i)
    clients.emplace_back([&, i] {
      std::shared_ptr<RequestChannel> channel = worker_->submit(requests[i]);
      ASSERT_NE(channel, nullptr);
      received[i] = receiveAll(*channel);
    });
  for (std::thread &client : clients)
    client.join();
  for (int i = 0; i < kClients; ++i) {
    std::vector<rt::TokenId> expected = rt::testing::referenceOutput(
        requests[i].prompt, requests[i].params, kFakeVocab, config_.eosTokenId, kMaxModelLen);
    EXPECT_EQ(received[i].text, rt::testing::twoLetterText(expected)) << "request " << i;
    EXPECT_EQ(received[i].outputTokens, static_cast<int>(expected.size()));
    EXPECT_TRUE(received[i].finish.has_value());
  }
  EXPECT_EQ(worker_->inFlight(), 0);
}

TEST_F(EngineWorkerTest, CancelFinishesTheRequestAndFreesItsBlocks) {
  EngineRequest request;
  request.prompt = {5, 6, 7, 8, 9};
  request.params.temperature = 0;
  request.params.maxTokens = kMaxModelLen;
  request.params.ignoreEos = true;
  std::shared_ptr<RequestChannel> channel = worker_->submit(request);
  ASSERT_TRUE(channel->pop(10s).has_value()); // it is running
  worker_->cancel(channel);
  Received rest = receiveAll(*channel);
  EXPECT_EQ(rest.finish, rt::FinishReason::kCancelled);
  EXPECT_LT(rest.outputTokens, kMaxModelLen - 5);
  ASSERT_TRUE(channel->finished());
  for (int i = 0; i < 100 && metrics_.engineStats().kvBlocksUsed != 0; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(metrics_.engineStats().kvBlocksUsed, 0);
  EXPECT_NE(metrics_.renderPrometheus().find(
                "loom_requests_finished_total{finish_reason=\"cancelled\"} 1\n"),
            std::string::npos);
}

TEST(EngineWorkerFailures, AFailedStepFinishesEveryRequestWithTheErrorAndCountsIt) {
  rt::EngineConfig config = rt::testing::tinyEngineConfig(kBlocks, kMaxModelLen);
  PacedFakeRunner runner{kBlocks, 4, kFakeVocab};
  auto engine = rt::Engine::create(config, runner, rt::testing::twoLetterText).value();
  ServeMetrics metrics;
  int steps = 0;
  // Two good steps, then every step fails (a sticky device error).
  EngineWorker worker(*engine, metrics, [&](rt::Engine &e) -> StatusOr<rt::Engine::Finished> {
    if (++steps > 2)
      return LOOM_ERROR(StatusCode::kCudaError, "device lost");
    return e.step();
  });
  std::thread engineThread([&] { worker.run(); });
  EngineRequest request;
  request.prompt = {2, 7, 1, 8};
  request.params.temperature = 0;
  request.params.maxTokens = 30;
  request.params.ignoreEos = true;
  std::shared_ptr<RequestChannel> channel = worker.submit(request);
  Received received = receiveAll(*channel);
  worker.requestStop();
  engineThread.join();
  EXPECT_EQ(received.finish, rt::FinishReason::kError);
  EXPECT_GT(received.outputTokens, 0); // the tokens of the good steps are counted
  std::string text = metrics.renderPrometheus();
  EXPECT_NE(text.find("loom_requests_finished_total{finish_reason=\"error\"} 1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("finish_reason=\"cancelled\"} 1"), std::string::npos) << text;
  EXPECT_EQ(metrics.engineStats().kvBlocksUsed, 0);
}

TEST_F(EngineWorkerTest, DrainRefusesNewRequestsAndFinishesOthers) {
  EngineRequest request;
  request.prompt = {3, 1, 4, 1, 5};
  request.params.temperature = 0;
  request.params.maxTokens = 20;
  request.params.ignoreEos = true;
  std::shared_ptr<RequestChannel> inFlight = worker_->submit(request);
  worker_->beginDrain();
  EXPECT_EQ(worker_->submit(request), nullptr);
  Received received = receiveAll(*inFlight);
  EXPECT_EQ(received.finish, rt::FinishReason::kMaxTokens);
  EXPECT_EQ(received.outputTokens, 20);
}

} // namespace
} // namespace loom::serve
