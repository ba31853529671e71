// The built stories260k forward step, run by the CPU reference interpreter through the engine,
// greedily continues "Once upon a time" exactly as the model card's reference text.
#include "frontend/Models/LlamaForward.h"
#include "frontend/Models/SafetensorsWeightSource.h"
#include "frontend/Readers/Tokenizer.h"
#include "frontend/Reference/Interpreter/InterpreterModelRunner.h"
#include "runtime/Engine/Engine.h"
#include "test/unit/Frontend/FrontendTestSupport.h"

#include <gtest/gtest.h>

namespace loom::models {
namespace {

/// The continuation in stories260k/README.md (greedy, BOS first).
const std::string kReferenceText =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the "
    "park. One day, she saw a big, red ball.";

TEST(Stories260kGreedyTest, TheBuiltForwardReproducesTheReferenceText) {
  const std::string modelDir = test::sharedModel("stories260k");
  auto config = frontend::readModelConfig(modelDir);
  auto tokenizer = frontend::Tokenizer::open(modelDir);
  auto checkpoint = SafetensorsWeightSource::open(modelDir);
  ASSERT_TRUE(config.isOk() && tokenizer.isOk() && checkpoint.isOk());

  rt::EngineConfig engineConfig;
  engineConfig.blockSize = 16;
  engineConfig.numBlocks = 64;
  engineConfig.maxBatchedTokens = 256;
  engineConfig.maxSequences = 4;
  engineConfig.maxModelLen = 512;
  engineConfig.vocabSize = static_cast<int>(config->vocabSize);
  ForwardOptions options = forwardOptionsFor(engineConfig);

  mlir::MLIRContext context;
  auto forward = buildLlamaForward(context, *config, options);
  ASSERT_TRUE(forward.isOk()) << forward.status().toString();
  ref::CheckpointWeightSource weights(*checkpoint);
  ThreadPool pool(2);
  auto runner = ref::InterpreterModelRunner::create(test::onlyFunction(*forward->module), weights,
                                                    &pool);
  ASSERT_TRUE(runner.isOk()) << runner.status().toString();
  auto engine = rt::Engine::create(engineConfig, **runner);
  ASSERT_TRUE(engine.isOk()) << engine.status().toString();

  auto prompt = tokenizer->encode("Once upon a time");
  ASSERT_TRUE(prompt.isOk());
  ASSERT_EQ(prompt->front(), *config->bosTokenId);
  rt::SamplingParams greedy;
  greedy.temperature = 0.0f;
  greedy.maxTokens = 40;
  auto sequence = (*engine)->addRequest(*prompt, greedy);
  Status done = (*engine)->runUntilDone();
  ASSERT_TRUE(done.isOk()) << done.toString();

  std::vector<int32_t> all = *prompt;
  all.insert(all.end(), sequence->outputTokens().begin(), sequence->outputTokens().end());
  auto text = tokenizer->decode(all, /*skipSpecialTokens=*/true);
  ASSERT_TRUE(text.isOk());
  EXPECT_EQ(text->substr(0, kReferenceText.size()), kReferenceText) << *text;
}

} // namespace
} // namespace loom::models
