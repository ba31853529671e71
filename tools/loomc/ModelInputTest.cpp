// loomc MODEL: a GGUF is built in bf16 unless a dtype is asked for (models::compiledStorageDType,
// the rule loom-run's gpu backend applies); a config.json keeps its torch_dtype (CPU).
#include "tools/loomc/ModelInput.h"

#include "dialects/Graph/IR/GraphDialect.h"
#include "tools/loom-run/TinyLlamaGguf.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>


namespace loom::loomc {
namespace {

/// The printed forward step of `path` built with `dtype`, or the error.
std::string forwardText(const std::string &path, std::optional<DType> dtype) {
  mlir::MLIRContext context;
  context.loadDialect<graph::GraphDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect>();
  models::ForwardOptions options;
  options.maxTokens = 16;
  options.maxSeqs = 2;
  options.maxContext = 64;
  options.numBlocks = 8;
  options.dtype = dtype;
  auto module = buildModelModule(context, path, options);
  if (!module.isOk())
    return "error: " + module.status().toString();
  std::string text;
  llvm::raw_string_ostream stream(text);
  (*module)->print(stream);
  return text;
}

/// The KV cache argument's element type: "kv_cache" is declared once in the signature.
std::string kvCacheType(const std::string &text) {
  size_t at = text.find("!graph.kv_cache<");
  if (at == std::string::npos)
    return "none";
  return text.substr(at, text.find('>', at) - at + 1);
}

class ModelInputGgufTest : public ::testing::Test {
protected:
  tools::testing::TinyLlamaGgufFile file_{"loomc-model"};
  const std::string &path_ = file_.path();
};

TEST_F(ModelInputGgufTest, AGgufIsBuiltInBf16ByDefault) {
  std::string text = forwardText(path_, std::nullopt);
  ASSERT_EQ(text.find("error: "), std::string::npos) << text;
  EXPECT_NE(kvCacheType(text).find("bf16"), std::string::npos) << kvCacheType(text);
  EXPECT_EQ(text.find("x64xf32>"), std::string::npos) << "an f32 weight or activation of hidden 64";
}

TEST_F(ModelInputGgufTest, AnAskedDtypeWins) {
  std::string text = forwardText(path_, DType::f32);
  ASSERT_EQ(text.find("error: "), std::string::npos) << text;
  EXPECT_NE(kvCacheType(text).find("f32"), std::string::npos) << kvCacheType(text);
  EXPECT_EQ(text.find("bf16"), std::string::npos);
}

TEST(ModelInput, AConfigKeepsItsTorchDtype) {
  // stories260k's config.json says float32.
  std::string text =
      forwardText(std::string(LOOM_SHARED_DIR) + "/models/stories260k/config.json", std::nullopt);
  ASSERT_EQ(text.find("error: "), std::string::npos) << text;
  EXPECT_EQ(text.find("bf16"), std::string::npos) << kvCacheType(text);
}

} // namespace
} // namespace loom::loomc
