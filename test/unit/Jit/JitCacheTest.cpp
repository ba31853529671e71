// The JIT's in-process cache: keys, hits without recompiling, and compile errors as Status.
#include "frontend/Jit/Jit.h"
#include "test/unit/Jit/JitGraphs.h"
#include "llvm/Config/llvm-config.h"

#include <fmt/format.h>

#include <gtest/gtest.h>


namespace loom {
namespace {

TEST(JitCacheKeyTest, DependsOnTextTargetAndNothingElse) {
  std::string key = jitCacheKey("module {}", "sm_90a");
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key, jitCacheKey("module {}", "sm_90a"));
  EXPECT_NE(key, jitCacheKey("module { }", "sm_90a"));
  EXPECT_NE(key, jitCacheKey("module {}", "sm_80"));
  EXPECT_NE(jitCompilerVersion().find("loom-jit-"), std::string::npos);
  EXPECT_NE(jitCompilerVersion().find(fmt::format("llvm-{}", LLVM_VERSION_MAJOR)), std::string::npos);
}

TEST(JitCacheTest, SecondJitOfTheSameGraphIsACacheHit) {
  JitCache cache("");
  mlir::MLIRContext firstContext, secondContext;
  auto first = testing::buildAddNorm(firstContext, 1000, 8192);
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  StatusOr<JitModule> compiled = jit(**first, {"sm_90a"}, cache);
  ASSERT_TRUE(compiled.isOk()) << compiled.status().toString();
  EXPECT_FALSE(compiled->fromCache());
  EXPECT_EQ(cache.stats().compiles, 1u);
  EXPECT_GT(compiled->manifest().kernels.size(), 0u);

  // The same graph built again in another context (other locations, other SSA objects).
  auto second = testing::buildAddNorm(secondContext, 1000, 8192);
  ASSERT_TRUE(second.isOk());
  StatusOr<JitModule> cached = jit(**second, {"sm_90a"}, cache);
  ASSERT_TRUE(cached.isOk()) << cached.status().toString();
  EXPECT_TRUE(cached->fromCache());
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().compiles, 1u);
  EXPECT_EQ(cached->cacheKey(), compiled->cacheKey());
  // One shared package, not a copy.
  EXPECT_EQ(&cached->manifest(), &compiled->manifest());
}

TEST(JitCacheTest, AnotherTargetOrGraphCompilesAgain) {
  JitCache cache("");
  mlir::MLIRContext context;
  auto graph = testing::buildAddNorm(context, 1000, 8192);
  auto wider = testing::buildAddNorm(context, 1024, 8192);
  ASSERT_TRUE(graph.isOk() && wider.isOk());
  auto hopper = jit(**graph, {"sm_90a"}, cache);
  auto ampere = jit(**graph, {"sm_80"}, cache);
  auto other = jit(**wider, {"sm_90a"}, cache);
  ASSERT_TRUE(hopper.isOk() && ampere.isOk() && other.isOk());
  EXPECT_EQ(cache.stats().compiles, 3u);
  EXPECT_EQ(cache.stats().hits, 0u);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(ampere->arch(), "sm_80");
  EXPECT_EQ(ampere->manifest().target, "sm_80");
  EXPECT_NE(hopper->cacheKey(), ampere->cacheKey());
  EXPECT_NE(hopper->cacheKey(), other->cacheKey());
}

TEST(JitCacheTest, TextAndBuilderInputsCompileTheSameGraph) {
  JitCache cache("");
  constexpr const char *kText = R"(
func.func @scale(%x: tensor<?x256xbf16> {loom.name = "x"}) -> (tensor<?x256xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 64 : i64} {
  %y = graph.silu %x : tensor<?x256xbf16>
  return %y : tensor<?x256xbf16>
})";
  auto module = jit(std::string_view(kText), {"sm_90a"}, cache);
  ASSERT_TRUE(module.isOk()) << module.status().toString();
  EXPECT_EQ(module->inputs().size(), 1u);
  EXPECT_EQ(module->inputs()[0].name, "x");
  EXPECT_EQ(module->outputs()[0].name, "y");
  EXPECT_EQ(module->bounds().at("tokens"), 64);
  auto again = jit(std::string_view(kText), {"sm_90a"}, cache);
  ASSERT_TRUE(again.isOk());
  EXPECT_TRUE(again->fromCache());
}

TEST(JitCacheTest, TextThatDoesNotParseIsInvalidArgument) {
  JitCache cache("");
  auto module = jit(std::string_view("func.func @f(%x: tensor<4xbf16>"), {"sm_90a"}, cache);
  ASSERT_FALSE(module.isOk());
  EXPECT_EQ(module.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(module.status().message().find("cannot parse"), std::string::npos);
}

TEST(JitCacheTest, UnknownTargetIsInvalidArgument) {
  JitCache cache("");
  mlir::MLIRContext context;
  auto graph = testing::buildAddNorm(context, 1000, 8192);
  ASSERT_TRUE(graph.isOk());
  auto module = jit(**graph, {"sm_75"}, cache);
  ASSERT_FALSE(module.isOk());
  EXPECT_EQ(module.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(module.status().message().find("sm_75"), std::string::npos);
}

TEST(JitCacheTest, CompileTextIsProducedOnlyOnAMiss) {
  JitCache cache("");
  constexpr std::string_view kText = R"(
func.func @scale(%x: tensor<?x128xbf16> {loom.name = "x"}) -> (tensor<?x128xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 16 : i64} {
  %y = graph.silu %x : tensor<?x128xbf16>
  return %y : tensor<?x128xbf16>
})";
  int produced = 0;
  auto producer = [&] {
    ++produced;
    return std::string(kText);
  };
  bool fromCache = true;
  auto first = cache.compile(kText, producer, "sm_90a", fromCache);
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  EXPECT_FALSE(fromCache);
  EXPECT_EQ(produced, 1);
  auto second = cache.compile(kText, producer, "sm_90a", fromCache);
  ASSERT_TRUE(second.isOk());
  EXPECT_TRUE(fromCache);
  EXPECT_EQ(produced, 1); // a hit needs no text with locations
  EXPECT_EQ(second->get(), first->get());
}

TEST(JitCacheTest, ADeviceContextIsCreatedOrTriedOnce) {
  JitCache cache("");
  auto first = cache.context(0);
  auto second = cache.context(0);
  ASSERT_EQ(first.isOk(), second.isOk());
  if (first.isOk()) {
    EXPECT_EQ(first->get(), second->get());
  } else { // no driver or device: the failure is remembered, not retried
    EXPECT_EQ(first.status().code(), StatusCode::kUnavailable) << first.status().toString();
    EXPECT_EQ(second.status().message(), first.status().message());
  }
  EXPECT_EQ(cache.stats().contextCreations, 1u);
  // jit() with no arch asks for the device's context: the same remembered entry.
  mlir::MLIRContext context;
  auto graph = testing::buildAddNorm(context, 64, 32);
  ASSERT_TRUE(graph.isOk());
  auto module = jit(**graph, {}, cache);
  ASSERT_TRUE(module.isOk()) << module.status().toString();
  EXPECT_EQ(cache.stats().contextCreations, 1u);
  if (!first.isOk())
    EXPECT_EQ(module->arch(), "sm_90a");
}

} // namespace
} // namespace loom
