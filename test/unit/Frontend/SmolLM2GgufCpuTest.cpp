// The demo model (SmolLM2-135M-Instruct, Q4_1 GGUF fetched by tools/fetch-demo-model.sh) answers a
// ChatML question on the CPU reference interpreter through the engine. Skips when the file is absent
// (CI never downloads it).
#include "frontend/Models/GgufWeightSource.h"
#include "frontend/Models/LlamaForward.h"
#include "frontend/Reference/Interpreter/InterpreterModelRunner.h"
#include "runtime/Engine/Engine.h"
#include "test/unit/Frontend/FrontendTestSupport.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace loom::models {
namespace {

std::string demoModelPath() {
  const char *cache = std::getenv("LOOM_CACHE_DIR");
  const char *home = std::getenv("HOME");
  std::string dir = cache ? cache : (home ? std::string(home) + "/.cache/loom" : "");
  return dir + "/models/SmolLM2-135M-Instruct.Q4_1.gguf";
}

TEST(SmolLM2GgufCpuTest, AnswersAChatQuestion) {
  const std::string path = demoModelPath();
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << path << " is absent (tools/fetch-demo-model.sh downloads it)";
  auto model = frontend::GgufModel::open(path);
  ASSERT_TRUE(model.isOk()) << model.status().toString();
  auto chat = model->chatTemplate();
  ASSERT_TRUE(chat.isOk()) << chat.status().toString();
  std::vector<frontend::ChatMessage> messages = {{"user", "What is the capital of France?"}};
  auto prompt = model->tokenizer().encode(chat->render(messages), /*addSpecialTokens=*/false);
  ASSERT_TRUE(prompt.isOk());

  rt::EngineConfig engineConfig;
  engineConfig.blockSize = 16;
  engineConfig.numBlocks = 32;
  engineConfig.maxBatchedTokens = 256;
  engineConfig.maxSequences = 1;
  engineConfig.maxModelLen = 256;
  engineConfig.vocabSize = static_cast<int>(model->config().vocabSize);
  ForwardOptions options = forwardOptionsFor(engineConfig);
  mlir::MLIRContext context;
  auto forward = buildLlamaForward(context, model->config(), options);
  ASSERT_TRUE(forward.isOk()) << forward.status().toString();
  GgufWeightSource checkpoint(*model, path);
  ref::CheckpointWeightSource weights(checkpoint);
  ThreadPool pool(2);
  auto runner = ref::InterpreterModelRunner::create(test::onlyFunction(*forward->module), weights, &pool);
  ASSERT_TRUE(runner.isOk()) << runner.status().toString();
  auto engine = rt::Engine::create(engineConfig, **runner);
  ASSERT_TRUE(engine.isOk()) << engine.status().toString();
  rt::SamplingParams greedy;
  greedy.temperature = 0.0f;
  greedy.maxTokens = 12;
  auto sequence = (*engine)->addRequest(*prompt, greedy);
  ASSERT_TRUE((*engine)->runUntilDone().isOk());
  std::vector<int32_t> output(sequence->outputTokens().begin(), sequence->outputTokens().end());
  auto text = model->tokenizer().decode(output, /*skipSpecialTokens=*/true);
  ASSERT_TRUE(text.isOk());
  EXPECT_NE(text->find("Paris"), std::string::npos) << "answer: " << *text;
}

} // namespace
} // namespace loom::models
