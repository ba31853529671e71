// LinearTestKernels: every GEMM / decode-GEMV instantiation the GPU tests launch, as one table, so
// the CPU test can prove each compiles with NVRTC for sm_80 and sm_90a without a GPU.
#pragma once

#include "test/gpu/Kernels/Gemm/LinearKernelSource.h"

#include <stdexcept>

namespace loom::testing {

inline const std::vector<LinearKernelSpec> &linearTestKernels() {
  using P = EpiloguePart;
  static const std::vector<LinearKernelSpec> kernels = [] {
    std::vector<LinearKernelSpec> specs;
    auto add = [&](std::string name) -> LinearKernelSpec & {
      LinearKernelSpec spec;
      spec.name = std::move(name);
      return specs.emplace_back(std::move(spec));
    };
    auto gemm = [&](std::string name, GemmTile tile) -> LinearKernelSpec & {
      LinearKernelSpec &spec = add(std::move(name));
      spec.gemmTile = tile;
      return spec;
    };
    auto gemv = [&](std::string name, GemvTile tile) -> LinearKernelSpec & {
      LinearKernelSpec &spec = add(std::move(name));
      spec.gemv = true;
      spec.gemvTile = tile;
      return spec;
    };
    const GemmTile big{128, 128, 32, 2, 2, 4}, wide{128, 256, 32, 2, 4, 3};
    const GemmTile small{64, 64, 64, 2, 2, 3}, gatedTile{128, 64, 32, 2, 2, 4};
    const GemmTile gatedWide{128, 128, 32, 2, 4, 4};
    gemm("gemm_bf16_128x128x32", big);
    gemm("gemm_bf16_128x256x32", wide);
    gemm("gemm_bf16_64x64x64", small);
    auto &f16 = gemm("gemm_f16_f32out", big);
    f16.input = "f16";
    f16.output = "float";
    gemm("gemm_bias_gelutanh_residual", big).parts = {P::kBias, P::kGeluTanh, P::kResidual};
    gemm("gemm_bias_geluerf", small).parts = {P::kBias, P::kGeluErf};
    auto &silu = gemm("gemm_silu_f16out", small);
    silu.parts = {P::kSilu};
    silu.output = "f16";
    gemm("gemm_gated_silu", gatedWide).gated = true;
    gemm("gemm_rmsnorm", big).rmsNorm = true;
    auto &normGated = gemm("gemm_rmsnorm_gated", gatedTile);
    normGated.rmsNorm = true;
    normGated.gated = true;

    gemv("gemv_bf16_m16", {8, 16, 1, 2});
    gemv("gemv_bf16_m8_2warps", {2, 8, 1, 4});
    gemv("gemv_bf16_m8_rows2", {8, 8, 2, 2});
    auto &gemvF16 = gemv("gemv_f16_f32out", {4, 16, 1, 4});
    gemvF16.input = "f16";
    gemvF16.output = "float";
    gemv("gemv_bias_geluerf_residual", {8, 16, 1, 2}).parts = {P::kBias, P::kGeluErf,
                                                              P::kResidual};
    gemv("gemv_gated_silu", {8, 16, 1, 2}).gated = true;
    auto &gemvNorm = gemv("gemv_rmsnorm_gated", {8, 8, 1, 2});
    gemvNorm.rmsNorm = true;
    gemvNorm.gated = true;
    gemv("gemv_rmsnorm_bias_silu", {8, 16, 2, 2}).rmsNorm = true;
    specs.back().parts = {P::kBias, P::kSilu};
    // The compiled model's decode tiles (16 warps, MAX_M 16; loom::GemvConfig::stages picks a
    // ring of 3 for o_proj/down (+ residual), 2 for QKV (RMSNorm prologue) and gate/up (gated).
    gemv("gemv_model_rmsnorm", {16, 16, 1, 2}).rmsNorm = true;
    gemv("gemv_model_residual", {16, 16, 1, 2}).parts = {P::kResidual};
    auto &modelGated = gemv("gemv_model_rmsnorm_gated", {16, 16, 1, 2});
    modelGated.rmsNorm = true;
    modelGated.gated = true;
    // The compiled model's MAX_M 8 copies (steps of at most 8 rows, the cost model's choices for
    // Llama-3.2-1B): QKV 8 warps, o_proj/down 16 warps, gate/up 4 warps.
    gemv("gemv_model8_rmsnorm", {8, 8, 1, 2}).rmsNorm = true;
    gemv("gemv_model8_residual", {16, 8, 1, 2}).parts = {P::kResidual};
    auto &model8Gated = gemv("gemv_model8_rmsnorm_gated", {4, 8, 1, 2});
    model8Gated.rmsNorm = true;
    model8Gated.gated = true;
    // Split K over a cluster (sm_90): 2, 3 (odd), 4 and 8 ranks; at K = 1000 split 8 leaves ranks
    // without a K step, and K is no multiple of any rank's share.
    gemv("gemv_split2_m8", {8, 8, 1, 2, 2});
    gemv("gemv_split3_m16_rows2", {8, 16, 2, 2, 3});
    auto &splitF16 = gemv("gemv_split2_f16_f32out", {4, 16, 1, 4, 2});
    splitF16.input = "f16";
    splitF16.output = "float";
    gemv("gemv_split2_rmsnorm", {8, 8, 1, 2, 2}).rmsNorm = true;
    auto &splitNormGated = gemv("gemv_split4_rmsnorm_gated", {4, 8, 1, 2, 4});
    splitNormGated.rmsNorm = true;
    splitNormGated.gated = true;
    gemv("gemv_split2_gated_silu", {8, 16, 1, 2, 2}).gated = true;
    gemv("gemv_split8_residual", {8, 8, 1, 2, 8}).parts = {P::kResidual};
    gemv("gemv_split4_bias_geluerf_residual", {8, 8, 1, 2, 4}).parts = {P::kBias, P::kGeluErf, P::kResidual};

    // The skinny linear (loom/gemm_skinny.cuh, sm_90 clusters): the model's decode shapes at 17..128
    // rows, split 1 (no cluster), 5 (uneven K ranges) and 8; every prologue, gating and epilogue.
    auto skinny = [&](std::string name, SkinnyTile tile) -> LinearKernelSpec & {
      LinearKernelSpec &spec = add(std::move(name));
      spec.skinny = true;
      spec.skinnyTile = tile;
      return spec;
    };
    skinny("skinny_bf16_split8", {128, 8});
    skinny("skinny_bf16_split1", {128, 1});
    skinny("skinny_bf16_m64_split5_2stages", {64, 5, 2});
    skinny("skinny_bf16_m64_4stages", {64, 8, 4});
    auto &skinnyF16 = skinny("skinny_f16_f32out", {128, 4});
    skinnyF16.input = "f16";
    skinnyF16.output = "float";
    skinny("skinny_residual", {128, 8}).parts = {P::kResidual};
    skinny("skinny_bias_geluerf_residual", {128, 2}).parts = {P::kBias, P::kGeluErf, P::kResidual};
    skinny("skinny_rmsnorm", {128, 5}).rmsNorm = true;
    auto &skinnyGated = skinny("skinny_rmsnorm_gated", {128, 1});
    skinnyGated.rmsNorm = true;
    skinnyGated.gated = true;
    skinny("skinny_gated_split4", {128, 4}).gated = true;
    // The wgmma skinny linear (loom/gemm_sm90_skinny.cuh, sm_90a, bf16): the same cases.
    auto wgmma = [&](std::string name, int maxM, int split, int stages) -> LinearKernelSpec & {
      return skinny(std::move(name), {maxM, split, stages, true});
    };
    wgmma("skinny_wg_split8", 128, 8, 3);
    wgmma("skinny_wg_split1", 128, 1, 3);
    wgmma("skinny_wg_m64_split5_4stages", 64, 5, 4);
    wgmma("skinny_wg_residual", 128, 8, 3).parts = {P::kResidual};
    wgmma("skinny_wg_bias_geluerf_residual", 128, 2, 3).parts = {P::kBias, P::kGeluErf, P::kResidual};
    wgmma("skinny_wg_rmsnorm", 128, 5, 3).rmsNorm = true;
    auto &wgGated = wgmma("skinny_wg_rmsnorm_gated", 128, 1, 3);
    wgGated.rmsNorm = true;
    wgGated.gated = true;
    auto &wgGated64 = wgmma("skinny_wg_m64_rmsnorm_gated_split4", 64, 4, 4);
    wgGated64.rmsNorm = true;
    wgGated64.gated = true;
    wgmma("skinny_wg_gated_split4", 128, 4, 3).gated = true;
    return specs;
  }();
  return kernels;
}

/// The table entry called `name`; throws (a test bug) when there is none.
inline const LinearKernelSpec &linearTestKernel(const std::string &name) {
  for (const LinearKernelSpec &spec : linearTestKernels())
    if (spec.name == name)
      return spec;
  throw std::invalid_argument("no test kernel " + name);
}

} // namespace loom::testing
