// Issue 9 item 3: stories260k greedy generation on the CPU through the engine reproduces the
// model card's reference text token for token; batching, chunked prefill, preemption and prefix
// reuse give the tokens of single runs.
#include "frontend/Models/SafetensorsWeightSource.h"
#include "frontend/Readers/ModelConfig.h"
#include "frontend/Readers/Tokenizer.h"
#include "frontend/Reference/Interpreter/InterpreterModelRunner.h"
#include "runtime/Engine/Engine.h"

#include "LlamaMlir.h"
#include "GreedyParams.h"
#include "ParsedModule.h"
#include "TestTensors.h"

namespace loom::ref {
namespace {

using namespace loom::ref::testing;

const std::string kModelDir = std::string(LOOM_SHARED_DIR) + "/models/stories260k";
const std::string kReferenceText =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the "
    "park. One day, she saw a big, red ball.";


class Stories260kTest : public ::testing::Test {
protected:
  void SetUp() override {
    config = valueOf(frontend::readModelConfig(kModelDir));
    tokenizer = valueOf(frontend::Tokenizer::open(kModelDir));
    checkpoint = std::make_unique<models::SafetensorsWeightSource>(
        valueOf(models::SafetensorsWeightSource::open(kModelDir)));
    weights = std::make_unique<CheckpointWeightSource>(*checkpoint);
  }

  /// The stories260k forward step over a pool of `blocks` blocks of `blockSize` tokens.
  std::string forward(int64_t blocks, int64_t blockSize) const {
    return llamaForwardMlir({config.numHiddenLayers, config.hiddenSize, config.numAttentionHeads,
                             config.numKeyValueHeads, config.headDim, config.intermediateSize,
                             config.vocabSize, config.rmsNormEps, config.ropeTheta,
                             config.tieWordEmbeddings, blocks, blockSize});
  }

  /// Generates for every prompt in one engine (all queued before the first step; prompts
  /// listed in `later` are added after the others have finished).
  std::vector<std::vector<int32_t>> generate(const rt::EngineConfig &engineConfig,
                                             const std::vector<std::vector<int32_t>> &prompts,
                                             int maxTokens, size_t later = 0,
                                             int64_t *preemptions = nullptr,
                                             int64_t *prefixHitBlocks = nullptr) {
    ParsedModule parsed(forward(engineConfig.numBlocks, engineConfig.blockSize));
    auto runner = valueOf(InterpreterModelRunner::create(parsed.function(), *weights, &pool));
    auto engine = valueOf(rt::Engine::create(engineConfig, *runner));
    std::vector<std::shared_ptr<const rt::Sequence>> sequences;
    for (size_t i = 0; i < prompts.size(); ++i) {
      if (i == prompts.size() - later)
        EXPECT_TRUE(engine->runUntilDone().isOk());
      sequences.push_back(engine->addRequest(prompts[i], greedy(maxTokens)));
    }
    Status done = engine->runUntilDone();
    EXPECT_TRUE(done.isOk()) << done.toString();
    if (preemptions)
      *preemptions = engine->scheduler().numPreemptions();
    if (prefixHitBlocks)
      *prefixHitBlocks = engine->scheduler().blockManager().stats().hitBlocks;
    std::vector<std::vector<int32_t>> outputs;
    for (const auto &seq : sequences)
      outputs.emplace_back(seq->outputTokens().begin(), seq->outputTokens().end());
    return outputs;
  }

  rt::EngineConfig engineConfig(int blockSize, int numBlocks, int maxBatchedTokens,
                                int maxModelLen) const {
    rt::EngineConfig c;
    c.blockSize = blockSize;
    c.numBlocks = numBlocks;
    c.maxBatchedTokens = maxBatchedTokens;
    c.maxSequences = 8;
    c.maxModelLen = maxModelLen;
    c.vocabSize = static_cast<int>(config.vocabSize);
    return c;
  }

  std::vector<int32_t> encode(const std::string &text) const { return valueOf(tokenizer.encode(text)); }

  frontend::ModelConfig config;
  frontend::Tokenizer tokenizer;
  std::unique_ptr<models::SafetensorsWeightSource> checkpoint;
  std::unique_ptr<CheckpointWeightSource> weights;
  ThreadPool pool{2};
};

TEST_F(Stories260kTest, GreedyGenerationReproducesTheReferenceText) {
  std::vector<int32_t> prompt = encode("Once upon a time");
  ASSERT_EQ(prompt.front(), 1); // BOS
  auto outputs = generate(engineConfig(16, 64, 256, 512), {prompt}, 40);
  std::vector<int32_t> all = prompt;
  all.insert(all.end(), outputs[0].begin(), outputs[0].end());
  std::string text = valueOf(tokenizer.decode(all, /*skipSpecialTokens=*/true));
  EXPECT_EQ(text.substr(0, kReferenceText.size()), kReferenceText) << text;
}

TEST_F(Stories260kTest, SchedulingPathsGiveTheTokensOfSingleRuns) {
  std::vector<std::vector<int32_t>> prompts = {encode("Once upon a time"),
                                               encode("Lily and Ben went to the park"),
                                               encode("The little dog")};
  const int maxTokens = 24;
  std::vector<std::vector<int32_t>> single;
  for (const auto &prompt : prompts)
    single.push_back(generate(engineConfig(16, 64, 256, 512), {prompt}, maxTokens)[0]);

  EXPECT_EQ(generate(engineConfig(16, 64, 256, 512), prompts, maxTokens), single) << "batched";
  EXPECT_EQ(generate(engineConfig(16, 64, 3, 512), prompts, maxTokens), single)
      << "chunked prefill (3-token budget)";
  int64_t preemptions = 0;
  EXPECT_EQ(generate(engineConfig(4, 12, 256, 48), prompts, maxTokens, 0, &preemptions), single)
      << "tiny KV pool";
  EXPECT_GT(preemptions, 0);

  // Prefix reuse: the first prompt again and an extension of it after it has finished.
  std::vector<int32_t> extended = prompts[0];
  extended.insert(extended.end(), single[0].begin(), single[0].begin() + 10);
  std::vector<int32_t> extendedSingle =
      generate(engineConfig(4, 64, 256, 256), {extended}, maxTokens)[0];
  int64_t hits = 0;
  auto reused = generate(engineConfig(4, 64, 256, 256), {prompts[0], prompts[0], extended},
                         maxTokens, 2, nullptr, &hits);
  EXPECT_EQ(reused[1], single[0]);
  EXPECT_EQ(reused[2], extendedSingle);
  EXPECT_GT(hits, 0);
}

} // namespace
} // namespace loom::ref
