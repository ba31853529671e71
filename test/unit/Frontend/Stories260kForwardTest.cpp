// stories260k's forward step builds from its config.json and binds exactly its checkpoint's tensors.
#include "frontend/Models/LlamaForward.h"
#include "frontend/Models/SafetensorsWeightSource.h"
#include "frontend/Models/WeightCheck.h"
#include "test/unit/Frontend/FrontendTestSupport.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace loom::models {
namespace {

class Stories260kForwardTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto config = frontend::readModelConfig(test::sharedModel("stories260k"));
    ASSERT_TRUE(config.isOk()) << config.status().toString();
    auto built = buildLlamaForward(context, *config);
    ASSERT_TRUE(built.isOk()) << built.status().toString();
    forward = std::move(*built);
  }

  mlir::MLIRContext context;
  LlamaForward forward;
};

TEST_F(Stories260kForwardTest, EveryWeightItNamesIsInTheCheckpointWithItsShape) {
  auto source = SafetensorsWeightSource::open(test::sharedModel("stories260k"));
  ASSERT_TRUE(source.isOk()) << source.status().toString();
  Status check = checkWeights(forward.weights, *source);
  EXPECT_TRUE(check.isOk()) << check.toString();
  std::vector<std::string> bound;
  for (const WeightSpec &spec : forward.weights) {
    bound.push_back(spec.name);
    EXPECT_EQ(spec.dtype, DType::f32) << spec.name << ": torch_dtype is float32";
  }
  std::sort(bound.begin(), bound.end());
  EXPECT_EQ(bound, source->names()) << "the graph binds every checkpoint tensor, once";
}

TEST_F(Stories260kForwardTest, HasTheForwardStepSignatureAndAttributes) {
  auto function = test::onlyFunction(*forward.module);
  EXPECT_EQ(function.getName(), "forward");
  ASSERT_EQ(function.getNumArguments(), 8u);
  const std::vector<std::vector<std::string>> expectedDims = {
      {"tokens"}, {"tokens"}, {"tokens"}, {"seqs+1"}, {"seqs"}, {"seqs", "blocks_per_seq"},
      {"seqs"},   {}};
  for (unsigned i = 0; i < expectedDims.size(); ++i) {
    std::vector<std::string> dims;
    if (auto names = function.getArgAttrOfType<mlir::ArrayAttr>(i, "loom.dims"))
      for (mlir::Attribute name : names)
        dims.push_back(mlir::cast<mlir::StringAttr>(name).str());
    EXPECT_EQ(dims, expectedDims[i]) << "argument " << i;
  }
  auto bound = [&](llvm::StringRef name) {
    auto attr = function->getAttrOfType<mlir::IntegerAttr>(name);
    return attr ? attr.getInt() : -1;
  };
  EXPECT_EQ(bound("loom.max_tokens"), 2048);
  EXPECT_EQ(bound("loom.max_seqs"), 256);
  EXPECT_EQ(bound("loom.max_blocks_per_seq"), 512 / 16);
  EXPECT_EQ(forward.kvCache.layers, 5);
  EXPECT_EQ(forward.kvCache.kvHeads, 4);
  EXPECT_EQ(forward.kvCache.headDim, 8);
  auto results = function.getFunctionType().getResults();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0], mlir::RankedTensorType::get({mlir::ShapedType::kDynamic, 512},
                                                    mlir::Float32Type::get(&context)));
  EXPECT_EQ(results[1], function.getArgument(7).getType());
}

TEST_F(Stories260kForwardTest, HasOneMergedQkvAndGateUpGemmPerLayer) {
  std::map<std::string, int> counts = test::opCounts(*forward.module);
  const std::map<std::string, int> expected = {
      {"builtin.module", 1}, {"func.func", 1},        {"func.return", 1},
      {"graph.weight", 47},  {"graph.embedding", 2},  {"graph.rms_norm", 11},
      {"graph.concat", 10},  {"graph.linear", 21},    {"graph.split", 10},
      {"graph.rope", 10},    {"graph.kv_append", 5},  {"graph.paged_attention", 5},
      {"graph.add", 10},     {"graph.silu", 5},       {"graph.mul", 5}};
  EXPECT_EQ(counts, expected);
}

} // namespace
} // namespace loom::models
