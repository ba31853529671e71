// Every op of the graph dialect is reachable from the DSL, with the result types it infers.
#include "frontend/Builder/Builder.h"
#include "test/unit/Frontend/FrontendTestSupport.h"

#include <gtest/gtest.h>

#include <map>

namespace loom {
namespace {

TEST(BuilderOpsTest, EveryGraphOpBuildsWithItsInferredType) {
  mlir::MLIRContext context;
  Builder b(context);
  b.setWeightDType(DType::f32);
  Dim tokens = Dim::dynamic("tokens", 64);
  Dim seqs = Dim::dynamic("seqs", 4);
  Tensor ids = b.input("ids", {tokens}, DType::i32);
  Tensor starts = b.input("starts", {Dim::dynamic("seqs+1")}, DType::i32);
  Tensor lens = b.input("lens", {seqs}, DType::i32);
  Tensor tables = b.input("tables", {seqs, Dim::dynamic("blocks_per_seq", 8)}, DType::i32);
  KVCache cache = b.kvCacheInput("cache", {2, 16, 4, 2, 8}, DType::f32);

  Tensor x = b.embedding(b.weight("table", {100, 32}), ids);
  EXPECT_EQ(x.str(), "tensor<?x32xf32>");
  Tensor normed = b.layerNorm(b.rmsNorm(x, b.weight("g", {32}), 1e-6f), b.weight("ln", {32}),
                              b.weight("lnb", {32}), 1e-5f);
  Tensor q = b.linear(normed, b.weight("wq", {32, 32}), b.weight("bq", {32}));
  Tensor kv = b.linear(normed, b.weight("wkv", {32, 32}));
  std::vector<Tensor> kAndV = b.split(kv, 1, {16, 16});
  RopeOptions rope{8, 500000.0f, RopeStyle::rotateHalf, Llama3RopeScaling{}};
  Tensor qRot = b.rope(q, ids, rope);
  Tensor kRot = b.rope(kAndV[0], ids, {8, 10000.0f, RopeStyle::interleaved, std::nullopt});
  AttentionOptions heads{4, 2, 8, std::nullopt, true};
  Tensor direct = b.attention(qRot, kRot, kAndV[1], starts, heads);
  KVCache updated = b.kvAppend(cache, kRot, kAndV[1], ids, 1);
  Tensor paged = b.pagedAttention(qRot, updated, tables, starts, lens, 1, heads);
  Tensor mixed = b.add(b.mul(b.silu(direct), b.gelu(paged, GeluApproximation::tanh)),
                       b.gelu(paged));
  Tensor heads3d = b.reshape(mixed, {Tensor::kDynamic, 4, 8});
  EXPECT_EQ(heads3d.str(), "tensor<?x4x8xf32>");
  Tensor swapped = b.transpose(heads3d, {1, 0, 2});
  EXPECT_EQ(swapped.str(), "tensor<4x?x8xf32>");
  Tensor scores = b.matmul(swapped, b.transpose(swapped, {0, 2, 1}));
  EXPECT_EQ(scores.str(), "tensor<4x?x?xf32>");
  Tensor joined = b.concat({mixed, b.cast(b.cast(mixed, DType::bf16), DType::f32)}, -1);
  EXPECT_EQ(joined.str(), "tensor<?x64xf32>");
  Tensor probabilities = b.softmax(joined);
  Tensor best = b.argmax(probabilities);
  EXPECT_EQ(best.str(), "tensor<?xi32>");

  Tensor logits = b.input("logits", {seqs, 100}, DType::f32);
  Tensor temperature = b.input("temperature", {seqs}, DType::f32);
  Tensor topK = b.input("top_k", {seqs}, DType::i32);
  Tensor topP = b.input("top_p", {seqs}, DType::f32);
  Tensor minP = b.input("min_p", {seqs}, DType::f32);
  Tensor seed = b.input("seed", {seqs}, DType::i64);
  Tensor sampled = b.sample(logits, temperature, topK, topP, minP, seed);
  EXPECT_EQ(sampled.str(), "tensor<?xi32>");

  auto module = b.finish({best, scores, sampled, updated});
  ASSERT_TRUE(module.isOk()) << module.status().toString();
  std::map<std::string, int> expected = {
      {"builtin.module", 1},   {"func.func", 1},          {"func.return", 1},
      {"graph.weight", 7},     {"graph.embedding", 1},    {"graph.rms_norm", 1},
      {"graph.layer_norm", 1}, {"graph.linear", 2},       {"graph.split", 1},
      {"graph.rope", 2},       {"graph.attention", 1},    {"graph.kv_append", 1},
      {"graph.paged_attention", 1}, {"graph.silu", 1},    {"graph.gelu", 2},
      {"graph.mul", 1},        {"graph.add", 1},          {"graph.reshape", 1},
      {"graph.transpose", 2},  {"graph.matmul", 1},       {"graph.concat", 1},
      {"graph.cast", 2},       {"graph.softmax", 1},      {"graph.argmax", 1},
      {"graph.sample", 1}};
  EXPECT_EQ(test::opCounts(**module), expected);
}

} // namespace
} // namespace loom
