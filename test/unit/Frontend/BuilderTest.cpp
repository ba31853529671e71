// The DSL builds a fused MLP block that verifies and prints as expected, with dims and bounds.
#include "frontend/Builder/Builder.h"
#include "test/unit/Frontend/FrontendTestSupport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

/// rms_norm → merged gate/up → silu·mul → down, as examples/ shows it.
StatusOr<mlir::OwningOpRef<mlir::ModuleOp>> buildMlp(mlir::MLIRContext &context) {
  Builder b(context, "mlp");
  Tensor x = b.input("x", {Dim::dynamic("tokens", 128), 64}, DType::bf16);
  Tensor h = b.rmsNorm(x, b.weight("norm", {64}), 1e-5f);
  Tensor gate = b.weight("gate", {172, 64});
  Tensor up = b.weight("up", {172, 64});
  Tensor gateUp = b.linear(h, b.concat({gate, up}, 0));
  std::vector<Tensor> parts = b.split(gateUp, -1, {172, 172});
  Tensor activated = b.mul(b.silu(parts[0]), parts[1]);
  Tensor y = b.linear(activated, b.weight("down", {64, 172}));
  return b.finish({b.add(x, y)});
}

TEST(BuilderTest, MlpBlockPrintsTheExpectedOps) {
  mlir::MLIRContext context;
  auto module = buildMlp(context);
  ASSERT_TRUE(module.isOk()) << module.status().toString();
  EXPECT_EQ(test::printed(**module),
            R"(module {
  func.func @mlp(%arg0: tensor<?x64xbf16> {loom.dims = ["tokens", "64"], loom.name = "x"}) -> tensor<?x64xbf16> attributes {loom.max_tokens = 128 : i64} {
    %0 = graph.weight "norm" : tensor<64xbf16>
    %1 = graph.rms_norm %arg0, %0 {eps = 9.99999974E-6 : f32} : tensor<?x64xbf16>, tensor<64xbf16>
    %2 = graph.weight "gate" : tensor<172x64xbf16>
    %3 = graph.weight "up" : tensor<172x64xbf16>
    %4 = graph.concat %2, %3 {axis = 0 : i64} : (tensor<172x64xbf16>, tensor<172x64xbf16>) -> tensor<344x64xbf16>
    %5 = graph.linear %1, %4 : tensor<?x64xbf16>, tensor<344x64xbf16> -> tensor<?x344xbf16>
    %6:2 = graph.split %5 {axis = 1 : i64} : tensor<?x344xbf16> -> tensor<?x172xbf16>, tensor<?x172xbf16>
    %7 = graph.silu %6#0 : tensor<?x172xbf16>
    %8 = graph.mul %7, %6#1 : tensor<?x172xbf16>
    %9 = graph.weight "down" : tensor<64x172xbf16>
    %10 = graph.linear %8, %9 : tensor<?x172xbf16>, tensor<64x172xbf16> -> tensor<?x64xbf16>
    %11 = graph.add %arg0, %10 : tensor<?x64xbf16>
    return %11 : tensor<?x64xbf16>
  }
}
)");
}

TEST(BuilderTest, InputsCarryTheirDimNamesAndTheFunctionItsBounds) {
  mlir::MLIRContext context;
  Builder b(context);
  Tensor ids = b.input("ids", {Dim::dynamic("tokens", 4096)}, DType::i32);
  Tensor tables = b.input("tables", {Dim::dynamic("seqs", 8), Dim::dynamic("blocks_per_seq")},
                          DType::i32);
  Tensor starts = b.input("starts", {Dim::dynamic("seqs+1")}, DType::i32);
  Tensor fixed = b.input("fixed", {4, 8}, DType::f32);
  b.bound("blocks_per_seq", 32);
  EXPECT_EQ(ids.shape(), (std::vector<int64_t>{Tensor::kDynamic}));
  EXPECT_EQ(tables.rank(), 2);
  EXPECT_TRUE(tables.isDynamic(1));
  EXPECT_EQ(fixed.dim(-1), 8);
  EXPECT_EQ(fixed.dtype(), DType::f32);
  EXPECT_EQ(starts.str(), "tensor<?xi32>");
  auto module = b.finish({ids, tables, starts, fixed});
  ASSERT_TRUE(module.isOk()) << module.status().toString();
  auto function = test::onlyFunction(**module);
  auto dims = [&](unsigned arg) -> std::vector<std::string> {
    auto names = function.getArgAttrOfType<mlir::ArrayAttr>(arg, "loom.dims");
    if (!names)
      return {};
    std::vector<std::string> out;
    for (mlir::Attribute name : names)
      out.push_back(mlir::cast<mlir::StringAttr>(name).str());
    return out;
  };
  EXPECT_EQ(dims(0), (std::vector<std::string>{"tokens"}));
  EXPECT_EQ(dims(1), (std::vector<std::string>{"seqs", "blocks_per_seq"}));
  EXPECT_EQ(dims(2), (std::vector<std::string>{"seqs+1"}));
  EXPECT_EQ(dims(3), (std::vector<std::string>{})) << "a static argument carries no loom.dims";
  auto bound = [&](llvm::StringRef name) {
    auto attr = function->getAttrOfType<mlir::IntegerAttr>(name);
    return attr ? attr.getInt() : -1;
  };
  EXPECT_EQ(bound("loom.max_tokens"), 4096);
  EXPECT_EQ(bound("loom.max_seqs"), 8);
  EXPECT_EQ(bound("loom.max_blocks_per_seq"), 32);
  EXPECT_EQ(function.getName(), "forward");
}

TEST(BuilderTest, AWeightAskedForTwiceIsOneValue) {
  mlir::MLIRContext context;
  Builder b(context);
  b.setWeightDType(DType::f16);
  Tensor first = b.weight("table", {16, 8});
  Tensor again = b.weight("table", {16, 8});
  EXPECT_EQ(first.value(), again.value());
  EXPECT_EQ(first.dtype(), DType::f16);
  Tensor other = b.weight("bias", {8}, DType::f32);
  ASSERT_EQ(b.weights().size(), 2u);
  EXPECT_EQ(b.weights()[0], (WeightSpec{"table", {16, 8}, DType::f16}));
  EXPECT_EQ(b.weights()[1], (WeightSpec{"bias", {8}, DType::f32}));
  EXPECT_TRUE(b.finish({first, other}).isOk());
}

TEST(BuilderTest, ACastToTheOwnTypeIsTheTensorItself) {
  mlir::MLIRContext context;
  Builder b(context);
  Tensor x = b.input("x", {Dim::dynamic("tokens"), 8}, DType::f32);
  EXPECT_EQ(b.cast(x, DType::f32).value(), x.value());
  Tensor y = b.cast(x, DType::bf16);
  EXPECT_EQ(y.str(), "tensor<?x8xbf16>");
  EXPECT_TRUE(b.finish({y}).isOk());
}

} // namespace
} // namespace loom
