// The interpreter against direct compositions of reference ops, and its error reports.
#include "frontend/Reference/Elementwise.h"
#include "frontend/Reference/Gemm.h"
#include "frontend/Reference/Interpreter/Interpreter.h"
#include "frontend/Reference/Norms.h"
#include "frontend/Reference/PagedAttention.h"
#include "frontend/Reference/Reductions.h"

#include "ParsedModule.h"
#include "TestTensors.h"

namespace loom::ref {
namespace {

using namespace loom::ref::testing;

const char *kMlp = R"mlir(
func.func @forward(%x: tensor<?x8xbf16>) -> (tensor<?x8xbf16>, tensor<?xi32>) {
  %g = graph.weight "norm.weight" : tensor<8xbf16>
  %wu = graph.weight "up.weight" : tensor<12x8xbf16>
  %wg = graph.weight "gate.weight" : tensor<12x8xbf16>
  %wd = graph.weight "down.weight" : tensor<8x12xbf16>
  %n = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x8xbf16>, tensor<8xbf16>
  %u = graph.linear %n, %wu : tensor<?x8xbf16>, tensor<12x8xbf16> -> tensor<?x12xbf16>
  %gt = graph.linear %n, %wg : tensor<?x8xbf16>, tensor<12x8xbf16> -> tensor<?x12xbf16>
  %a = graph.silu %gt : tensor<?x12xbf16>
  %m = graph.mul %a, %u : tensor<?x12xbf16>
  %d = graph.linear %m, %wd : tensor<?x12xbf16>, tensor<8x12xbf16> -> tensor<?x8xbf16>
  %y = graph.add %x, %d : tensor<?x8xbf16>
  %i = graph.argmax %y : tensor<?x8xbf16> -> tensor<?xi32>
  return %y, %i : tensor<?x8xbf16>, tensor<?xi32>
}
)mlir";

class InterpreterTest : public ::testing::Test {
protected:
  InterpreterTest() {
    weights.add("norm.weight", randomFloats({8}, 1));
    weights.add("up.weight", randomFloats({12, 8}, 2));
    weights.add("gate.weight", randomFloats({12, 8}, 3));
    weights.add("down.weight", randomFloats({8, 12}, 4));
  }
  HostTensor weight(const std::string &name, Shape shape) {
    return valueOf(weights.load(name, ElementType::kBF16, shape));
  }

  MapWeightSource weights;
  ThreadPool pool{2};
};

TEST_F(InterpreterTest, MlpEqualsDirectComposition) {
  ParsedModule parsed(kMlp);
  Interpreter interpreter(weights, &pool);
  HostTensor x = randomFloats({5, 8}, 9, ElementType::kBF16);
  auto results = valueOf(interpreter.run(parsed.function(), {x}));
  ASSERT_EQ(results.size(), 2u);

  HostTensor n = valueOf(rmsNorm(x, weight("norm.weight", {8}), 1e-5f));
  HostTensor u = valueOf(linear(n, weight("up.weight", {12, 8}), nullptr));
  HostTensor a = valueOf(silu(valueOf(linear(n, weight("gate.weight", {12, 8}), nullptr))));
  HostTensor d = valueOf(linear(valueOf(mul(a, u)), weight("down.weight", {8, 12}), nullptr));
  HostTensor y = valueOf(add(x, d));
  const HostTensor &got = std::get<HostTensor>(results[0]);
  EXPECT_EQ(got.shape(), (Shape{5, 8}));
  EXPECT_EQ(maxAbsDiff(got, y), 0.0);
  HostTensor ids = valueOf(argmax(y));
  const HostTensor &gotIds = std::get<HostTensor>(results[1]);
  EXPECT_EQ(std::vector<int64_t>(gotIds.ints().begin(), gotIds.ints().end()),
            std::vector<int64_t>(ids.ints().begin(), ids.ints().end()));
  // A second run with another token count reuses the cached weights.
  auto again = valueOf(interpreter.run(parsed.function(), {randomFloats({2, 8}, 10, ElementType::kBF16)}));
  EXPECT_EQ(std::get<HostTensor>(again[0]).shape(), (Shape{2, 8}));
}

TEST_F(InterpreterTest, WrongArgumentTypeIsAnError) {
  ParsedModule parsed(kMlp);
  Interpreter interpreter(weights);
  auto wrongWidth = interpreter.run(parsed.function(), {randomFloats({5, 7}, 9, ElementType::kBF16)});
  ASSERT_FALSE(wrongWidth.isOk());
  EXPECT_NE(wrongWidth.status().message().find("argument 0 must be tensor<?x8xbf16>"),
            std::string::npos)
      << wrongWidth.status().toString();
  EXPECT_FALSE(interpreter.run(parsed.function(), {randomFloats({5, 8}, 9)}).isOk()); // f32
  EXPECT_FALSE(interpreter.run(parsed.function(), {}).isOk());
}

TEST_F(InterpreterTest, MissingWeightNamesIt) {
  ParsedModule parsed(kMlp);
  MapWeightSource empty;
  Interpreter interpreter(empty);
  auto result = interpreter.run(parsed.function(), {randomFloats({1, 8}, 9, ElementType::kBF16)});
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  EXPECT_NE(result.status().message().find("norm.weight"), std::string::npos);
}

TEST_F(InterpreterTest, UnsupportedOpAndOpErrorsNameTheOpAndLocation) {
  ParsedModule parsed(R"mlir(
func.func private @helper(tensor<?x4xf32>) -> tensor<?x4xf32>
func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = func.call @helper(%x) : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
func.func @gather(%t: tensor<3x4xf32>, %ids: tensor<?xi32>) -> tensor<?x4xf32> {
  %r = graph.embedding %t, %ids : tensor<3x4xf32>, tensor<?xi32> -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
)mlir");
  Interpreter interpreter(weights);
  auto unsupported = interpreter.run(parsed.function(), {randomFloats({1, 4}, 1)});
  ASSERT_FALSE(unsupported.isOk());
  EXPECT_NE(unsupported.status().message().find("does not support op 'func.call' at"),
            std::string::npos)
      << unsupported.status().toString();
  EXPECT_NE(unsupported.status().message().find(":4:"), std::string::npos);

  auto badId = interpreter.run(parsed.function("gather"),
                               {randomFloats({3, 4}, 1), ints({2}, {0, 3})});
  ASSERT_FALSE(badId.isOk());
  EXPECT_NE(badId.status().message().find("graph.embedding at"), std::string::npos);
  EXPECT_NE(badId.status().message().find("embedding id 3"), std::string::npos);
}

TEST_F(InterpreterTest, FusedRegionEqualsTheUnfusedOps) {
  ParsedModule parsed(R"mlir(
func.func @forward(%x: tensor<?x8xf32>, %r: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %w = graph.weight "w" : tensor<8xf32>
  %s, %n = graph.fused norm "fused_add_rms_norm_0" (%a = %x, %b = %r, %g = %w)
      : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
    %0 = graph.add %a, %b : tensor<?x8xf32>
    %1 = graph.rms_norm %0, %g {eps = 1.0e-5 : f32} : tensor<?x8xf32>, tensor<8xf32>
    graph.yield %0, %1 : tensor<?x8xf32>, tensor<?x8xf32>
  }
  return %s, %n : tensor<?x8xf32>, tensor<?x8xf32>
}
)mlir");
  MapWeightSource source;
  HostTensor w = randomFloats({8}, 5);
  source.add("w", w);
  Interpreter interpreter(source);
  HostTensor x = randomFloats({3, 8}, 6), r = randomFloats({3, 8}, 7);
  auto results = valueOf(interpreter.run(parsed.function(), {x, r}));
  HostTensor sum = valueOf(add(x, r));
  EXPECT_EQ(maxAbsDiff(std::get<HostTensor>(results[0]), sum), 0.0);
  EXPECT_EQ(maxAbsDiff(std::get<HostTensor>(results[1]), valueOf(rmsNorm(sum, w, 1e-5f))), 0.0);
}

TEST_F(InterpreterTest, KvAppendUpdatesThePoolInPlace) {
  ParsedModule parsed(R"mlir(
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 2, kvHeads = 1, headDim = 4, elementType = f32>
func.func @forward(%q: tensor<?x8xf32>, %k: tensor<?x4xf32>, %v: tensor<?x4xf32>,
                   %slots: tensor<?xi32>, %tables: tensor<?x?xi32>, %starts: tensor<?xi32>,
                   %lens: tensor<?xi32>, %kv: !cache) -> (tensor<?x8xf32>, !cache) {
  %c = graph.kv_append %kv, %k, %v, %slots {layer = 0 : i64} : !cache, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?xi32>
  %o = graph.paged_attention %q, %c, %tables, %starts, %lens {causal, head_dim = 4 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.5 : f32} : tensor<?x8xf32>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x8xf32>, !cache
}
)mlir");
  HostKVCache cache = valueOf(HostKVCache::create({1, 4, 2, 1, 4, ElementType::kF32}));
  Interpreter interpreter(weights);
  HostTensor q = randomFloats({3, 8}, 1), k = randomFloats({3, 4}, 2), v = randomFloats({3, 4}, 3);
  HostTensor slots = ints({3}, {6, 7, 2}), tables = ints({1, 2}, {3, 1});
  HostTensor starts = ints({2}, {0, 3}), lens = ints({1}, {3});
  auto results = valueOf(interpreter.run(
      parsed.function(), {q, k, v, slots, tables, starts, lens, RuntimeValue(&cache)}));
  EXPECT_EQ(std::get<HostKVCache *>(results[1]), &cache);
  EXPECT_EQ(cache.key(0, 7, 0)[2], k.row(1)[2]);
  EXPECT_EQ(cache.value(0, 2, 0)[3], v.row(2)[3]);
  HostTensor expected = valueOf(
      pagedAttention(q, cache, 0, tables, starts, lens, AttentionParams{2, 1, 4, 0.5f, true}));
  EXPECT_EQ(maxAbsDiff(std::get<HostTensor>(results[0]), expected), 0.0);
  HostKVCache wrong = valueOf(HostKVCache::create({1, 5, 2, 1, 4, ElementType::kF32}));
  EXPECT_FALSE(interpreter.run(parsed.function(),
                               {q, k, v, slots, tables, starts, lens, RuntimeValue(&wrong)})
                   .isOk());
}

} // namespace
} // namespace loom::ref
