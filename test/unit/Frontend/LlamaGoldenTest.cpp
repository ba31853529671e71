// A 1-layer Llama prints exactly as golden/tiny_llama_1layer.mlir, which parses back unchanged.
#include "frontend/Models/LlamaForward.h"
#include "dialects/Graph/IR/GraphDialect.h"
#include "runtime/Support/Files.h"
#include "test/unit/Frontend/FrontendTestSupport.h"

#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

namespace loom::models {
namespace {

const std::string kGolden =
    std::string(LOOM_SOURCE_DIR) + "/test/unit/Frontend/golden/tiny_llama_1layer.mlir";

/// bf16, untied, GQA 2:1, head_dim 4, a small KV pool and small bounds.
StatusOr<LlamaForward> buildTinyLlama(mlir::MLIRContext &context) {
  auto config = frontend::parseModelConfig(R"({
    "architectures": ["LlamaForCausalLM"], "hidden_size": 8, "intermediate_size": 12,
    "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
    "head_dim": 4, "vocab_size": 16, "max_position_embeddings": 16, "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16"})",
                                           "tiny/config.json");
  if (!config.isOk())
    return config.status();
  ForwardOptions options;
  options.blockSize = 4;
  options.numBlocks = 8;
  options.maxTokens = 16;
  options.maxSeqs = 2;
  return buildLlamaForward(context, *config, options);
}

TEST(LlamaGoldenTest, TinyLlamaPrintsAsTheGoldenFile) {
  mlir::MLIRContext context;
  auto forward = buildTinyLlama(context);
  ASSERT_TRUE(forward.isOk()) << forward.status().toString();
  auto golden = readFile(kGolden);
  ASSERT_TRUE(golden.isOk()) << golden.status().toString();
  EXPECT_EQ(test::printed(*forward->module), *golden);
}

TEST(LlamaGoldenTest, TheGoldenFileParsesAndPrintsBackUnchanged) {
  auto golden = readFile(kGolden);
  ASSERT_TRUE(golden.isOk()) << golden.status().toString();
  mlir::MLIRContext context;
  context.loadDialect<graph::GraphDialect, mlir::func::FuncDialect>();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(*golden, &context);
  ASSERT_TRUE(module);
  EXPECT_EQ(test::printed(*module), *golden);
}

} // namespace
} // namespace loom::models
