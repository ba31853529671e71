// Shape and type errors are caught when an op is built, as Status errors naming op and shapes.
#include "frontend/Builder/Builder.h"

#include <gtest/gtest.h>

#include <functional>

namespace loom {
namespace {

struct ErrorCase {
  std::string name;
  std::function<void(Builder &, Tensor x)> build; ///< x: an f32 [tokens, 64] input
  std::string message;
};

void PrintTo(const ErrorCase &c, std::ostream *os) { *os << c.name; }

class BuilderErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(BuilderErrorTest, TheFirstErrorIsReportedByFinish) {
  mlir::MLIRContext context;
  Builder b(context);
  b.setWeightDType(DType::f32);
  Tensor x = b.input("x", {Dim::dynamic("tokens"), 64}, DType::f32);
  GetParam().build(b, x);
  EXPECT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(), GetParam().message);
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  auto module = b.finish({x});
  ASSERT_FALSE(module.isOk());
  EXPECT_EQ(module.status().message(), GetParam().message);
}

const ErrorCase kCases[] = {
    {"LinearInFeatures",
     [](Builder &b, Tensor x) { b.linear(x, b.weight("w", {32, 48})); },
     "graph.linear of (tensor<?x64xf32>, tensor<32x48xf32>): weight in_features (48) must match "
     "the last dimension of input (64)"},
    {"LinearWeightRank",
     [](Builder &b, Tensor x) { b.linear(x, b.weight("w", {64})); },
     "graph.linear of (tensor<?x64xf32>, tensor<64xf32>): weight must be 2-D [out, in]"},
    {"RmsNormWeightLength",
     [](Builder &b, Tensor x) { b.rmsNorm(x, b.weight("g", {32}), 1e-5f); },
     "graph.rms_norm of (tensor<?x64xf32>, tensor<32xf32>): weight length (32) must match the "
     "last dimension of input (64)"},
    {"RmsNormEps",
     [](Builder &b, Tensor x) { b.rmsNorm(x, b.weight("g", {64}), 0.0f); },
     "graph.rms_norm of (tensor<?x64xf32>, tensor<64xf32>): eps must be positive"},
    {"AddOfTwoShapes",
     [](Builder &b, Tensor x) { b.add(x, b.weight("w", {8, 32})); },
     "graph.add of (tensor<?x64xf32>, tensor<8x32xf32>): requires the same type for all "
     "operands and results"},
    {"EmbeddingTableRank",
     [](Builder &b, Tensor x) {
       b.embedding(b.weight("t", {64}), b.input("ids", {Dim::dynamic("tokens")}, DType::i32));
     },
     "graph.embedding of (tensor<64xf32>, tensor<?xi32>): table must be 2-D [rows, features]"},
    {"MatmulContraction",
     [](Builder &b, Tensor x) { b.matmul(x, b.weight("w", {32, 8})); },
     "graph.matmul of (tensor<?x64xf32>, tensor<32x8xf32>): contraction dimensions differ: lhs "
     "has 64, rhs has 32"},
    {"MatmulRanks",
     [](Builder &b, Tensor x) { b.matmul(x, b.weight("w", {64})); },
     "graph.matmul of (tensor<?x64xf32>, tensor<64xf32>): operands must have the same rank of "
     "at least 2"},
    {"SplitSizes",
     [](Builder &b, Tensor x) { b.split(x, 1, {16, 32}); },
     "graph.split of (tensor<?x64xf32>): result extents along the axis sum to 48, not the "
     "input's 64"},
    {"ConcatAxis",
     [](Builder &b, Tensor x) { b.concat({x, x}, 2); },
     "graph.concat of (tensor<?x64xf32>, tensor<?x64xf32>): axis 2 is outside the rank 2"},
    {"ConcatOtherDimension",
     [](Builder &b, Tensor x) { b.concat({x, b.weight("w", {4, 32})}, 0); },
     "graph.concat of (tensor<?x64xf32>, tensor<4x32xf32>): inputs differ in dimension 1, which "
     "is not the axis"},
    {"TransposePermutation",
     [](Builder &b, Tensor x) { b.transpose(x, {0, 0}); },
     "graph.transpose of (tensor<?x64xf32>): permutation [0, 0] must list each of 0..1 once"},
    {"ReshapeCount",
     [](Builder &b, Tensor x) { b.reshape(b.weight("w", {4, 64}), {3, 80}); },
     "graph.reshape of (tensor<4x64xf32>): element count of the result (240) must equal that of "
     "the input (256)"},
    {"RopeHeadDim",
     [](Builder &b, Tensor x) {
       b.rope(x, b.input("pos", {Dim::dynamic("tokens")}, DType::i32), {7});
     },
     "graph.rope of (tensor<?x64xf32>, tensor<?xi32>): head_dim must be positive and even, got 7"},
    {"PagedAttentionLayer",
     [](Builder &b, Tensor x) {
       KVCache cache = b.kvCacheInput("kv", {2, 8, 4, 2, 16}, DType::f32);
       Tensor i = b.input("i", {Dim::dynamic("seqs")}, DType::i32);
       Tensor tables = b.input("t", {Dim::dynamic("seqs"), 4}, DType::i32);
       b.pagedAttention(x, cache, tables, i, i, 2, {4, 2, 16});
     },
     "graph.paged_attention of (tensor<?x64xf32>, !graph.kv_cache<layers = 2, blocks = 8, "
     "blockSize = 4, kvHeads = 2, headDim = 16, elementType = f32>, tensor<?x4xi32>, "
     "tensor<?xi32>, tensor<?xi32>): layer 2 is outside the cache's 2 layers"},
    {"AttentionHeads",
     [](Builder &b, Tensor x) {
       Tensor starts = b.input("s", {Dim::dynamic("seqs+1")}, DType::i32);
       b.attention(x, x, x, starts, {6, 4, 8});
     },
     "graph.attention of (tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<?xi32>): "
     "num_heads (6) must be a multiple of num_kv_heads (4)"},
    {"WeightRebound",
     [](Builder &b, Tensor x) {
       b.weight("w", {64});
       b.weight("w", {32});
     },
     "graph.weight 'w' [32] f32: already bound as [64] f32"},
    {"WeightExtent",
     [](Builder &b, Tensor x) { b.weight("w", {64, 0}); },
     "graph.weight 'w' [64, 0] f32: a weight needs at least one dimension, all positive"},
    {"CastToAnIndexType",
     [](Builder &b, Tensor x) { b.cast(x, DType::i32); },
     "graph.cast of (tensor<?x64xf32>): casts convert between bf16, f16 and f32, not to i32"},
    {"EmptyTensorOperand",
     [](Builder &b, Tensor x) { b.silu(Tensor()); },
     "graph.silu of (<invalid>): operand 0 is an empty Tensor"},
    {"DuplicateInput",
     [](Builder &b, Tensor x) { b.input("x", {4}, DType::f32); },
     "input 'x': an input needs a unique, non-empty name"},
    {"ConflictingBounds",
     [](Builder &b, Tensor x) {
       b.input("a", {Dim::dynamic("tokens", 64)}, DType::i32);
       b.input("b", {Dim::dynamic("tokens", 32)}, DType::i32);
     },
     "bound: dimension 'tokens' is bounded twice, by 64 and by 32"},
    {"BoundOnAnExpression",
     [](Builder &b, Tensor x) { b.input("s", {Dim::dynamic("seqs+1", 9)}, DType::i32); },
     "bound: dimension name 'seqs+1' must be an identifier"},
    {"ScopeNamesWhere",
     [](Builder &b, Tensor x) {
       b.setScope("model.layers.3.mlp");
       b.mul(x, b.weight("w", {64, 32}));
     },
     "model.layers.3.mlp: graph.mul of (tensor<?x64xf32>, tensor<64x32xf32>): requires the same "
     "type for all operands and results"},
    {"FirstErrorSticks",
     [](Builder &b, Tensor x) {
       Tensor bad = b.linear(x, b.weight("w", {32, 48}));
       EXPECT_FALSE(bad.valid());
       EXPECT_FALSE(b.silu(bad).valid());
       EXPECT_FALSE(b.add(x, x).valid()) << "no op is built after an error";
       b.rmsNorm(x, b.weight("g", {3}), 1e-5f);
     },
     "graph.linear of (tensor<?x64xf32>, tensor<32x48xf32>): weight in_features (48) must match "
     "the last dimension of input (64)"},
};

INSTANTIATE_TEST_SUITE_P(Cases, BuilderErrorTest, ::testing::ValuesIn(kCases),
                         [](const auto &info) { return info.param.name; });

TEST(BuilderFinishTest, TheBuilderIsSpentAfterFinish) {
  mlir::MLIRContext context;
  Builder b(context);
  Tensor x = b.input("x", {Dim::dynamic("tokens"), 4}, DType::f32);
  ASSERT_TRUE(b.finish({x}).isOk());
  EXPECT_FALSE(b.silu(x).valid());
  EXPECT_EQ(b.status().message(), "graph.silu: the builder is finished; start a new one");
}

TEST(BuilderFinishTest, ATensorOfAnotherBuilderIsAnError) {
  mlir::MLIRContext context;
  Builder first(context);
  Tensor foreign = first.input("x", {4}, DType::f32);
  Builder second(context);
  Tensor own = second.input("x", {4}, DType::f32);
  EXPECT_FALSE(second.add(own, foreign).valid());
  EXPECT_EQ(second.status().message(),
            "graph.add of (tensor<4xf32>, tensor<4xf32>): operand 1 was built by another Builder");
}

TEST(BuilderFinishTest, AnEmptyOutputIsAnError) {
  mlir::MLIRContext context;
  Builder b(context);
  b.input("x", {4}, DType::f32);
  auto module = b.finish({Tensor()});
  ASSERT_FALSE(module.isOk());
  EXPECT_EQ(module.status().message(), "finish: output 0 is an empty Tensor");
}

} // namespace
} // namespace loom
