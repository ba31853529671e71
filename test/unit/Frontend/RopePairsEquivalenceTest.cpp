// graph-rope-pairs keeps the program: stories260k's forward step gives the same logits on the CPU
// interpreter before and after its q/k rows are permuted and its ropes made interleaved.
#include "compiler/Transforms/Graph/Passes.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "frontend/Models/LlamaForward.h"
#include "frontend/Models/SafetensorsWeightSource.h"
#include "frontend/Readers/Tokenizer.h"
#include "frontend/Reference/Interpreter/Interpreter.h"
#include "test/unit/Frontend/FrontendTestSupport.h"

#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace loom::models {
namespace {

template <typename T> T valueOf(StatusOr<T> value) {
  EXPECT_TRUE(value.isOk()) << value.status().toString();
  return std::move(*value);
}

ref::HostTensor ints(ref::Shape shape, std::vector<int64_t> values) {
  return valueOf(ref::HostTensor::fromInts(ref::ElementType::kI32, std::move(shape), std::move(values)));
}

/// One forward step of one sequence: `tokens` at positions [start, start + n) in blocks 0, 1, ...;
/// returns the logits of its last token.
std::vector<float> step(ref::Interpreter &interpreter, mlir::func::FuncOp function, ref::HostKVCache &cache,
                        const std::vector<int32_t> &tokens, int64_t start, int64_t blocksPerSeq) {
  int64_t n = static_cast<int64_t>(tokens.size());
  std::vector<int64_t> ids(tokens.begin(), tokens.end()), positions(n), table(blocksPerSeq);
  std::iota(positions.begin(), positions.end(), start);
  std::iota(table.begin(), table.end(), 0);
  std::vector<ref::RuntimeValue> arguments;
  arguments.emplace_back(ints({n}, ids));
  arguments.emplace_back(ints({n}, positions));
  arguments.emplace_back(ints({n}, positions)); // slot = position: blocks 0, 1, ... in order
  arguments.emplace_back(ints({2}, {0, n}));
  arguments.emplace_back(ints({1}, {start + n}));
  arguments.emplace_back(ints({1, blocksPerSeq}, table));
  arguments.emplace_back(ints({1}, {n - 1}));
  arguments.emplace_back(&cache);
  auto results = valueOf(interpreter.run(function, std::move(arguments)));
  EXPECT_EQ(results.size(), 2u);
  auto logits = std::get<ref::HostTensor>(results[0]).floats();
  return {logits.begin(), logits.end()};
}

TEST(RopePairsEquivalenceTest, Stories260kLogitsAreUnchangedOnTheInterpreter) {
  const std::string modelDir = test::sharedModel("stories260k");
  auto config = valueOf(frontend::readModelConfig(modelDir));
  auto tokenizer = valueOf(frontend::Tokenizer::open(modelDir));
  auto checkpoint = valueOf(SafetensorsWeightSource::open(modelDir));
  ForwardOptions options;
  options.numBlocks = 8;
  options.maxContext = 128;
  mlir::MLIRContext context;
  LlamaForward original = valueOf(buildLlamaForward(context, config, options));
  mlir::OwningOpRef<mlir::ModuleOp> permuted(original.module->clone());
  mlir::PassManager pm(&context);
  pm.addPass(graph::createGraphRopePairsPass());
  ASSERT_TRUE(mlir::succeeded(pm.run(*permuted)));

  int rotateHalf = 0, interleaved = 0;
  permuted->walk([&](graph::RopeOp rope) {
    (rope.getStyle() == graph::RopeStyle::interleaved ? interleaved : rotateHalf)++;
  });
  EXPECT_EQ(rotateHalf, 0);
  EXPECT_EQ(interleaved, 2 * static_cast<int>(config.numHiddenLayers)) << "q and k of every layer";

  mlir::func::FuncOp before = test::onlyFunction(*original.module), after = test::onlyFunction(*permuted);
  auto cacheType = mlir::cast<graph::KVCacheType>(before.getArgument(7).getType());
  ref::KVCacheShape shape{cacheType.getLayers(), cacheType.getBlocks(), cacheType.getBlockSize(),
                          cacheType.getKvHeads(), cacheType.getHeadDim(), ref::ElementType::kF32};
  ref::CheckpointWeightSource weights(checkpoint);
  ref::Interpreter beforeRun(weights), afterRun(weights);
  ref::HostKVCache beforeCache = valueOf(ref::HostKVCache::create(shape));
  ref::HostKVCache afterCache = valueOf(ref::HostKVCache::create(shape));
  int64_t blocksPerSeq = before->getAttrOfType<mlir::IntegerAttr>("loom.max_blocks_per_seq").getInt();

  // A prefill of the prompt, then decode steps that read the cached (permuted) keys.
  std::vector<int32_t> tokens = valueOf(tokenizer.encode("Once upon a time, there was a little girl"));
  int64_t start = 0;
  for (int stepIndex = 0; stepIndex < 4; ++stepIndex) {
    std::vector<float> expected = step(beforeRun, before, beforeCache, tokens, start, blocksPerSeq);
    std::vector<float> actual = step(afterRun, after, afterCache, tokens, start, blocksPerSeq);
    ASSERT_EQ(expected.size(), actual.size());
    ASSERT_EQ(expected.size(), static_cast<size_t>(config.vocabSize));
    double error = 0, norm = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      error += (expected[i] - actual[i]) * double(expected[i] - actual[i]);
      norm += expected[i] * double(expected[i]);
    }
    EXPECT_LT(std::sqrt(error / norm), 1e-5) << "step " << stepIndex << ": relative L2 error of the logits";
    auto argmax = [](const std::vector<float> &v) { return std::max_element(v.begin(), v.end()) - v.begin(); };
    EXPECT_EQ(argmax(actual), argmax(expected)) << "step " << stepIndex;
    start += static_cast<int64_t>(tokens.size());
    tokens = {static_cast<int32_t>(argmax(expected))};
  }
}

} // namespace
} // namespace loom::models
