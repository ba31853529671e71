// Graphs the JIT tests compile, built with the C++ DSL: an elementwise + norm block and a
// Llama-style MLP block (shared by the CPU tests here and the GPU tests in test/gpu/Frontend).
#pragma once

#include "frontend/Builder/Builder.h"
#include "frontend/Jit/Jit.h"

#include <gtest/gtest.h>

namespace loom::testing {

/// sum = h + residual; normed = silu(rms_norm(sum)) — two named outputs, no GEMM.
inline StatusOr<mlir::OwningOpRef<mlir::ModuleOp>> buildAddNorm(mlir::MLIRContext &context,
                                                                int64_t width, int64_t maxTokens) {
  Builder b(context, "add_norm");
  Tensor h = b.input("h", {Dim::dynamic("tokens", maxTokens), width}, DType::bf16);
  Tensor residual = b.input("residual", {Dim::dynamic("tokens", maxTokens), width}, DType::bf16);
  Tensor sum = b.add(h, residual);
  Tensor normed = b.silu(b.rmsNorm(sum, b.weight("norm.weight", {width}), 1e-6f));
  return b.finish({{"sum", sum}, {"normed", normed}});
}

/// y = x + down(silu(gate(rms_norm(x))) · up(rms_norm(x))).
inline StatusOr<mlir::OwningOpRef<mlir::ModuleOp>> buildMlp(mlir::MLIRContext &context,
                                                            int64_t hidden, int64_t intermediate,
                                                            int64_t maxTokens) {
  Builder b(context, "mlp");
  Tensor x = b.input("x", {Dim::dynamic("tokens", maxTokens), hidden}, DType::bf16);
  Tensor normed = b.rmsNorm(x, b.weight("norm.weight", {hidden}), 1e-5f);
  Tensor gate = b.silu(b.linear(normed, b.weight("gate.weight", {intermediate, hidden})));
  Tensor up = b.linear(normed, b.weight("up.weight", {intermediate, hidden}));
  Tensor down = b.linear(b.mul(gate, up), b.weight("down.weight", {hidden, intermediate}));
  return b.finish({{"y", b.add(x, down)}});
}

/// The add+norm graph of `Width` columns and at most `MaxTokens` rows, jitted for sm_90a into
/// `module_` (memory-only caches, no GPU needed).
template <int64_t Width, int64_t MaxTokens> class AddNormJitTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto graph = buildAddNorm(context_, Width, MaxTokens);
    ASSERT_TRUE(graph.isOk()) << graph.status().toString();
    auto module = jit(**graph, {"sm_90a"}, cache_);
    ASSERT_TRUE(module.isOk()) << module.status().toString();
    module_ = std::make_unique<JitModule>(std::move(*module));
  }

  mlir::MLIRContext context_;
  JitCache cache_{""};
  std::unique_ptr<JitModule> module_;
};

/// A graph that parses and verifies but that compile() rejects: its dynamic dim has no bound
/// (no loom.max_tokens), so the package plan cannot size its buffers.
inline constexpr const char *kUnlowerableGraph = R"(
func.func @unbounded(%x: tensor<?x256xbf16> {loom.name = "x"}) -> (tensor<?x256xbf16> {loom.name = "y"}) {
  %y = graph.silu %x : tensor<?x256xbf16>
  return %y : tensor<?x256xbf16>
})";
/// Part of the diagnostic compile() gives for kUnlowerableGraph.
inline constexpr const char *kUnlowerableDiagnostic = "'tokens' has no bound";

} // namespace loom::testing
