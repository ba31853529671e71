// Builds graph IR through the C++ API and checks result-type inference, verifier verdicts and folds.
#include "dialects/Graph/IR/GraphDialect.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

namespace loom::graph {
namespace {

class GraphBuildTest : public ::testing::Test {
protected:
  GraphBuildTest() : builder(&context) {
    context.loadDialect<GraphDialect, mlir::func::FuncDialect>();
    module = mlir::ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }

  mlir::RankedTensorType tensor(llvm::ArrayRef<int64_t> shape, mlir::Type element) {
    return mlir::RankedTensorType::get(shape, element);
  }

  /// A function whose arguments have `types`; the builder is left inside its body.
  mlir::func::FuncOp function(llvm::ArrayRef<mlir::Type> types) {
    auto fn = mlir::func::FuncOp::create(builder, builder.getUnknownLoc(), "f",
                                         builder.getFunctionType(types, {}));
    builder.setInsertionPointToEnd(fn.addEntryBlock());
    return fn;
  }

  /// Verifies `op`, returning the first diagnostic's text ("" when it verifies).
  std::string verifyMessage(mlir::Operation *op) {
    std::string message;
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
      if (message.empty())
        message = diag.str();
      return mlir::success();
    });
    return mlir::succeeded(mlir::verify(op)) ? std::string() : message;
  }

  mlir::MLIRContext context;
  mlir::OpBuilder builder;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  int64_t dyn = mlir::ShapedType::kDynamic;
};

TEST_F(GraphBuildTest, LinearInfersTheOutputShape) {
  auto bf16 = builder.getBF16Type();
  auto fn = function({tensor({dyn, 64}, bf16), tensor({128, 64}, bf16), tensor({128}, bf16)});
  auto loc = builder.getUnknownLoc();
  auto y = LinearOp::create(builder, loc, fn.getArgument(0), fn.getArgument(1), fn.getArgument(2));
  EXPECT_EQ(y.getType(), tensor({dyn, 128}, bf16));
  auto noBias = LinearOp::create(builder, loc, fn.getArgument(0), fn.getArgument(1));
  EXPECT_FALSE(noBias.getBias());
  mlir::func::ReturnOp::create(builder, loc);
  EXPECT_EQ(verifyMessage(*module), "");
}

TEST_F(GraphBuildTest, EmbeddingAndMatmulInferShapes) {
  auto f32 = builder.getF32Type();
  auto fn = function({tensor({dyn}, builder.getI32Type()), tensor({2, dyn, 8}, f32),
                      tensor({2, 8, 16}, f32)});
  auto loc = builder.getUnknownLoc();
  auto table = WeightOp::create(builder, loc, tensor({512, 64}, f32), "emb");
  auto rows = EmbeddingOp::create(builder, loc, table, fn.getArgument(0));
  EXPECT_EQ(rows.getType(), tensor({dyn, 64}, f32));
  auto product = MatmulOp::create(builder, loc, fn.getArgument(1), fn.getArgument(2));
  EXPECT_EQ(product.getType(), tensor({2, dyn, 16}, f32));
  mlir::func::ReturnOp::create(builder, loc);
  EXPECT_EQ(verifyMessage(*module), "");
}

TEST_F(GraphBuildTest, VerifierNamesTheMismatchedInFeatures) {
  auto f32 = builder.getF32Type();
  auto fn = function({tensor({dyn, 64}, f32), tensor({128, 32}, f32)});
  auto loc = builder.getUnknownLoc();
  LinearOp::create(builder, loc, tensor({dyn, 128}, f32), fn.getArgument(0), fn.getArgument(1),
                   mlir::Value());
  mlir::func::ReturnOp::create(builder, loc);
  EXPECT_EQ(verifyMessage(*module),
            "'graph.linear' op weight in_features (32) must match the last dimension of input (64)");
}

TEST_F(GraphBuildTest, VerifierRejectsGqaHeadCountsThatDoNotDivide) {
  auto bf16 = builder.getBF16Type();
  auto fn = function({tensor({dyn, 24}, bf16), tensor({dyn, 16}, bf16), tensor({dyn}, builder.getI32Type())});
  auto loc = builder.getUnknownLoc();
  AttentionOp::create(builder, loc, fn.getArgument(0).getType(), fn.getArgument(0),
                      fn.getArgument(1), fn.getArgument(1), fn.getArgument(2),
                      builder.getI64IntegerAttr(3), builder.getI64IntegerAttr(2),
                      builder.getI64IntegerAttr(8), builder.getF32FloatAttr(0.35f),
                      builder.getUnitAttr());
  mlir::func::ReturnOp::create(builder, loc);
  EXPECT_EQ(verifyMessage(*module),
            "'graph.attention' op num_heads (3) must be a multiple of num_kv_heads (2)");
}

TEST_F(GraphBuildTest, KVCacheTypeRejectsNonPositiveBlocks) {
  std::string message;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    message = diag.str();
    return mlir::success();
  });
  auto bad = KVCacheType::getChecked([&] { return mlir::emitError(builder.getUnknownLoc()); },
                                     &context, int64_t{2}, int64_t{0}, int64_t{16}, int64_t{2},
                                     int64_t{64}, mlir::Type(builder.getBF16Type()));
  EXPECT_FALSE(bad);
  EXPECT_EQ(message, "kv_cache blocks must be positive, got 0");
  auto good = KVCacheType::get(&context, 2, 8, 16, 2, 64, mlir::Type(builder.getBF16Type()));
  EXPECT_EQ(good.getBlockSize(), 16);
}

TEST_F(GraphBuildTest, TransposeOfTransposeFoldsToTheInput) {
  auto f32 = builder.getF32Type();
  auto fn = function({tensor({dyn, 8}, f32)});
  auto loc = builder.getUnknownLoc();
  auto swap = builder.getDenseI64ArrayAttr({1, 0});
  auto once = TransposeOp::create(builder, loc, tensor({8, dyn}, f32), fn.getArgument(0), swap);
  auto twice = TransposeOp::create(builder, loc, tensor({dyn, 8}, f32), once, swap);
  llvm::SmallVector<mlir::OpFoldResult> folded;
  ASSERT_TRUE(mlir::succeeded(twice->fold(folded)));
  ASSERT_EQ(folded.size(), 1u);
  EXPECT_EQ(llvm::dyn_cast<mlir::Value>(folded[0]), fn.getArgument(0));
  mlir::func::ReturnOp::create(builder, loc);
}

} // namespace
} // namespace loom::graph
