// Every memory-bound kernel instantiation the GPU tests and loom-bench launch, as one table, so
// the NVRTC compile test (CPU, CI) covers exactly what runs on the GPU.
#pragma once

#include "MemoryBoundKernels.h"

#include <vector>

namespace loom::testing {

inline constexpr int kTestHiddenSizes[] = {64, 576, 2048, 4096, 8192};

/// The Llama-3.2 RoPE frequencies (theta 500000, factor 32, low 1, high 4, original 8192).
inline RopeAttributes llama3Rope() { return {500000.0f, 32.0f, 1.0f, 4.0f, 8192.0f}; }

/// The chains the tests check (and the bench times: silu_mul_bf16).
inline std::vector<ChainSpec> testChains() {
  using enum DType;
  return {
      {"silu_mul_bf16", "loom::Chain<loom::Silu, loom::MulWith<1>>", {kBf16, kBf16}, kBf16},
      {"silu_mul_f16", "loom::Chain<loom::Silu, loom::MulWith<1>>", {kF16, kF16}, kF16},
      {"silu_mul_f32", "loom::Chain<loom::Silu, loom::MulWith<1>>", {kF32, kF32}, kF32},
      {"add_bf16", "loom::Chain<loom::AddWith<1>>", {kBf16, kBf16}, kBf16},
      {"mul_f16", "loom::Chain<loom::MulWith<1>>", {kF16, kF16}, kF16},
      {"silu_bf16", "loom::Chain<loom::Silu>", {kBf16}, kBf16},
      {"gelu_tanh_bf16", "loom::Chain<loom::GeluTanh>", {kBf16}, kBf16},
      {"gelu_erf_bf16", "loom::Chain<loom::GeluErf>", {kBf16}, kBf16},
      {"gelu_tanh_f32", "loom::Chain<loom::GeluTanh>", {kF32}, kF32},
      {"gelu_erf_f32", "loom::Chain<loom::GeluErf>", {kF32}, kF32},
      {"cast_bf16_f32", "loom::Chain<>", {kBf16}, kF32},
      {"cast_f32_bf16", "loom::Chain<>", {kF32}, kBf16},
      {"cast_f16_bf16", "loom::Chain<>", {kF16}, kBf16},
      // (a + b) rounded to bf16, then silu, times c: a mid-chain cast over mixed input types.
      {"add_cast_silu_mul", "loom::Chain<loom::AddWith<1>, loom::CastTo<loom::bf16>, loom::Silu, "
                            "loom::MulWith<2>>",
       {kBf16, kBf16, kF32}, kF32},
      // a * gelu_tanh(b) + c: a tree through a sub-chain.
      {"mul_gelu_add", "loom::Chain<loom::MulWithValue<loom::ChainFrom<1, loom::GeluTanh>>, "
                       "loom::AddWith<2>>",
       {kF16, kF16, kF16}, kF16},
  };
}

inline std::vector<NormSpec> testNorms() {
  using enum DType;
  std::vector<NormSpec> norms;
  for (int hidden : kTestHiddenSizes)
    for (NormKind kind :
         {NormKind::kRms, NormKind::kAddRms, NormKind::kLayer, NormKind::kLayerBias})
      norms.push_back({kind, kBf16, kBf16, hidden});
  for (DType type : {kF16, kF32})
    for (int hidden : {576, 4096})
      for (NormKind kind : {NormKind::kRms, NormKind::kAddRms, NormKind::kLayerBias})
        norms.push_back({kind, type, type, hidden});
  for (NormKind kind : {NormKind::kRms, NormKind::kAddRms}) // stories260k keeps f32 weights
    norms.push_back({kind, kBf16, kF32, 2048});
  return norms;
}

inline std::vector<RopeSpec> testRopes() {
  using enum DType;
  return {
      {kBf16, false, 128, 32, llama3Rope()},        // Llama-3 Q
      {kBf16, false, 128, 40, {}},                  // Q and K heads of a packed QKV row
      {kBf16, true, 64, 8, {}},                     // interleaved (GPT-J style)
      {kF32, false, 64, 4, {}},                     // f32 storage
      {kF16, true, 128, 8, llama3Rope()},           // interleaved with scaling
  };
}

/// Softmax/argmax kernels: (isArgmax, in, out, cols, vec override).
struct RowReductionSpec {
  bool isArgmax;
  DType in, out;
  int cols, vec;
  KernelSpec kernel() const { return rowReductionKernel(isArgmax, in, out, cols, vec); }
};

inline std::vector<RowReductionSpec> testRowReductions() {
  using enum DType;
  return {
      {false, kF32, kF32, 32000, 0},  {false, kF32, kF32, 128256, 0},
      {false, kBf16, kBf16, 32000, 0}, {false, kBf16, kF32, 128256, 0},
      {false, kF32, kF32, 64, 0},     {false, kF16, kF16, 576, 0},
      {false, kF32, kF32, 1001, 1},   {true, kF32, kF32, 32000, 0},
      {true, kF32, kF32, 128256, 0},  {true, kBf16, kF32, 128256, 0},
      {true, kF32, kF32, 1001, 1},    {true, kF32, kF32, 64, 0},
      // Wider than any vocabulary in use: one streaming CTA per row still holds.
      {false, kF32, kF32, 200000, 0}, {true, kBf16, kF32, 200000, 0},
  };
}

/// The softmax (isArgmax false) or the argmax kernels of testRowReductions().
inline std::vector<RowReductionSpec> testRowReductions(bool isArgmax) {
  std::vector<RowReductionSpec> specs;
  for (const RowReductionSpec &spec : testRowReductions())
    if (spec.isArgmax == isArgmax)
      specs.push_back(spec);
  return specs;
}

/// The whole table.
inline std::vector<KernelSpec> memoryBoundKernels() {
  std::vector<KernelSpec> kernels;
  for (const NormSpec &norm : testNorms())
    kernels.push_back(normKernel(norm));
  for (const ChainSpec &chain : testChains())
    kernels.push_back(chainKernel(chain));
  for (int hidden : kTestHiddenSizes)
    kernels.push_back(embeddingKernel(DType::kBf16, hidden));
  kernels.push_back(embeddingKernel(DType::kF32, 576));
  for (const RowReductionSpec &reduction : testRowReductions())
    kernels.push_back(reduction.kernel());
  for (const RopeSpec &rope : testRopes())
    kernels.push_back(ropeKernel(rope));
  return kernels;
}

} // namespace loom::testing
