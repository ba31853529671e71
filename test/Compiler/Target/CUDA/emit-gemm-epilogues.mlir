// RUN: loom-opt %s --split-input-file --graph-to-cuda=target=sm_80 -o /dev/null | FileCheck %s --check-prefixes=CHECK,SM80
// RUN: loom-opt %s --split-input-file --graph-to-cuda=target=sm_90a -o /dev/null | FileCheck %s --check-prefixes=CHECK,SM90A

// Every GEMM epilogue of issue 4 (bias, activation, residual add, SiLU·mul gating, cast) as the
// emitted call of each target's GEMM family: mma.sync loom::gemm on sm_80, the wgmma + TMA
// loom::sm90::gemmBf16Sm90 on sm_90a (the parts are loom/epilogue.cuh types; the device side is
// checked by LoomSm90EpilogueGpuTests and LoomLinearGpuTests).

// bias + GELU(tanh) + residual: three parts in graph order, one kernel (no separate elementwise).
// Sources print in path order, so a separate add_<n>.cu (or cast_<n>.cu below) would come before
// the fused kernel: those CHECK-NOTs sit above the label, the others below it.
// CHECK-NOT: {{^}}// {{-+}} kernels/add
// CHECK-LABEL: {{^}}// {{-+}} kernels/fused_linear_gelu_add_0.cu
// SM80: loom::gemm<Config, loom::bf16, loom::NoPrologue, loom::NoGating>(x, w, tokens, 320, 512, loom::NoPrologue{}, loom::epi::makeEpilogue(y, 320, loom::epi::Bias<loom::bf16>{bias}, loom::epi::GeluTanh{}, loom::epi::Residual<loom::bf16>{residual, 320}));
// SM90A: extern "C" __global__ __launch_bounds__(384, 1) void fused_linear_gelu_add_0(const __grid_constant__ loom::sm90::TmaDescriptor x, const __grid_constant__ loom::sm90::TmaDescriptor w, int tokens, const loom::bf16 *bias, const loom::bf16 *residual, loom::bf16 *y) {
// SM90A: loom::sm90::gemmBf16Sm90<Config, loom::NoGating>(x, w, tokens, 320, 512, loom::epi::makeEpilogue(y, 320, loom::epi::Bias<loom::bf16>{bias}, loom::epi::GeluTanh{}, loom::epi::Residual<loom::bf16>{residual, 320}));
// CHECK-NOT: {{^}}// {{-+}} kernels/gelu
func.func @forward(%x: tensor<?x512xbf16> {loom.name = "x"}, %r: tensor<?x320xbf16> {loom.name = "residual"})
    -> (tensor<?x320xbf16> {loom.name = "y"}) attributes {loom.max_tokens = 8192 : i64} {
  %w = graph.weight "proj.weight" : tensor<320x512xbf16>
  %b = graph.weight "proj.bias" : tensor<320xbf16>
  %l = graph.linear %x, %w, %b : tensor<?x512xbf16>, tensor<320x512xbf16>, tensor<320xbf16> -> tensor<?x320xbf16>
  %g = graph.gelu %l {approximate = #graph.gelu_approximation<tanh>} : tensor<?x320xbf16>
  %y = graph.add %g, %r : tensor<?x320xbf16>
  return %y : tensor<?x320xbf16>
}

// -----

// Exact (erf) GELU.
// CHECK-LABEL: {{^}}// {{-+}} kernels/fused_linear_gelu_0.cu
// SM80: loom::gemm<Config, loom::bf16, loom::NoPrologue, loom::NoGating>(x, w, tokens, 320, 512, loom::NoPrologue{}, loom::epi::makeEpilogue(y, 320, loom::epi::GeluErf{}));
// SM90A: loom::sm90::gemmBf16Sm90<Config, loom::NoGating>(x, w, tokens, 320, 512, loom::epi::makeEpilogue(y, 320, loom::epi::GeluErf{}));
func.func @forward(%x: tensor<?x512xbf16> {loom.name = "x"}) -> (tensor<?x320xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %w = graph.weight "proj.weight" : tensor<320x512xbf16>
  %l = graph.linear %x, %w : tensor<?x512xbf16>, tensor<320x512xbf16> -> tensor<?x320xbf16>
  %y = graph.gelu %l : tensor<?x320xbf16>
  return %y : tensor<?x320xbf16>
}

// -----

// Merged gate/up weights with SiLU·mul: the gating type, N = 320 outputs from 640 weight rows.
// CHECK-LABEL: {{^}}// {{-+}} kernels/fused_linear_split_silu_mul_0.cu
// SM80: loom::gemm<Config, loom::bf16, loom::NoPrologue, loom::Gated<loom::Silu>>(x, w, tokens, 320, 512, loom::NoPrologue{}, loom::epi::makeEpilogue(y, 320));
// SM90A: loom::sm90::gemmBf16Sm90<Config, loom::Gated<loom::Silu>>(x, w, tokens, 320, 512, loom::epi::makeEpilogue(y, 320));
// CHECK-NOT: {{^}}// {{-+}} kernels/silu
// CHECK-NOT: {{^}}// {{-+}} kernels/mul
func.func @forward(%x: tensor<?x512xbf16> {loom.name = "x"}) -> (tensor<?x320xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %g = graph.weight "mlp.gate_proj.weight" : tensor<320x512xbf16>
  %u = graph.weight "mlp.up_proj.weight" : tensor<320x512xbf16>
  %w = graph.concat %g, %u {axis = 0 : i64} : (tensor<320x512xbf16>, tensor<320x512xbf16>) -> tensor<640x512xbf16>
  %gu = graph.linear %x, %w : tensor<?x512xbf16>, tensor<640x512xbf16> -> tensor<?x640xbf16>
  %gate, %up = graph.split %gu {axis = 1 : i64} : tensor<?x640xbf16> -> tensor<?x320xbf16>, tensor<?x320xbf16>
  %s = graph.silu %gate : tensor<?x320xbf16>
  %y = graph.mul %s, %up : tensor<?x320xbf16>
  return %y : tensor<?x320xbf16>
}

// -----

// A cast to f32 is the store's type (an LM head's logits), not a part.
// CHECK-NOT: {{^}}// {{-+}} kernels/cast
// CHECK-LABEL: {{^}}// {{-+}} kernels/fused_linear_cast_0.cu
// SM90A: void fused_linear_cast_0(const __grid_constant__ loom::sm90::TmaDescriptor x, const __grid_constant__ loom::sm90::TmaDescriptor w, int tokens, float *y) {
// SM90A: loom::sm90::gemmBf16Sm90<Config, loom::NoGating>(x, w, tokens, 320, 512, loom::epi::makeEpilogue(y, 320));
// SM80: void fused_linear_cast_0(const loom::bf16 *x, const loom::bf16 *w, int tokens, float *y) {
func.func @forward(%x: tensor<?x512xbf16> {loom.name = "x"}) -> (tensor<?x320xf32> {loom.name = "logits"})
    attributes {loom.max_tokens = 8192 : i64} {
  %w = graph.weight "lm_head.weight" : tensor<320x512xbf16>
  %l = graph.linear %x, %w : tensor<?x512xbf16>, tensor<320x512xbf16> -> tensor<?x320xbf16>
  %y = graph.cast %l : tensor<?x320xbf16> to tensor<?x320xf32>
  return %y : tensor<?x320xf32>
}

// -----

// N = 300 is not a multiple of 8: no tensor-core GEMM on either target, the CUDA-core fallback
// takes the same epilogue.
// CHECK-LABEL: {{^}}// {{-+}} kernels/fused_linear_add_0.cu
// CHECK-NOT: gemm_sm90.cuh
// CHECK: loom::gemmSimt<Config, loom::bf16, loom::NoPrologue, loom::NoGating>(x, w, tokens, 300, 512, loom::NoPrologue{}, loom::epi::makeEpilogue(y, 300, loom::epi::Residual<loom::bf16>{residual, 300}));
func.func @forward(%x: tensor<?x512xbf16> {loom.name = "x"}, %r: tensor<?x300xbf16> {loom.name = "residual"})
    -> (tensor<?x300xbf16> {loom.name = "y"}) attributes {loom.max_tokens = 8192 : i64} {
  %w = graph.weight "proj.weight" : tensor<300x512xbf16>
  %l = graph.linear %x, %w : tensor<?x512xbf16>, tensor<300x512xbf16> -> tensor<?x300xbf16>
  %y = graph.add %l, %r : tensor<?x300xbf16>
  return %y : tensor<?x300xbf16>
}

// -----

// RMSNorm -> linear (a Llama layer's QKV): the norm's gain is folded into W and its row scale is
// the GEMM's prologue on both families — loom::gemm's RmsNormPrologue on sm_80, the last argument
// of the wgmma GEMM on sm_90a; no separate rms_norm kernel.
// CHECK-LABEL: {{^}}// {{-+}} kernels/fused_rms_norm_linear_0.cu
// SM80: loom::gemm<Config, loom::bf16, loom::RmsNormPrologue, loom::NoGating>(x, w, tokens, 320, 512, loom::RmsNormPrologue{9.99999975e-06f}, loom::epi::makeEpilogue(y, 320));
// SM90A: #include "loom/gemm_sm90.cuh"
// SM90A-NOT: loom::gemm<
// SM90A: loom::sm90::gemmBf16Sm90<Config, loom::NoGating>(x, w, tokens, 320, 512, loom::epi::makeEpilogue(y, 320), loom::RmsNormPrologue{9.99999975e-06f});
// CHECK-NOT: {{^}}// {{-+}} kernels/rms_norm
func.func @forward(%x: tensor<?x512xbf16> {loom.name = "x"}) -> (tensor<?x320xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %n = graph.weight "input_layernorm.weight" : tensor<512xbf16>
  %w = graph.weight "self_attn.qkv.weight" : tensor<320x512xbf16>
  %h = graph.rms_norm %x, %n {eps = 1.0e-5 : f32} : tensor<?x512xbf16>, tensor<512xbf16>
  %y = graph.linear %h, %w : tensor<?x512xbf16>, tensor<320x512xbf16> -> tensor<?x320xbf16>
  return %y : tensor<?x320xbf16>
}

// -----

// RMSNorm -> merged gate/up with SiLU·mul: prologue and gating in one wgmma kernel on sm_90a.
// CHECK-LABEL: {{^}}// {{-+}} kernels/fused_rms_norm_linear_split_silu_mul_0.cu
// SM80: loom::gemm<Config, loom::bf16, loom::RmsNormPrologue, loom::Gated<loom::Silu>>(x, w, tokens, 320, 512, loom::RmsNormPrologue{9.99999975e-06f}, loom::epi::makeEpilogue(y, 320));
// SM90A: loom::sm90::gemmBf16Sm90<Config, loom::Gated<loom::Silu>>(x, w, tokens, 320, 512, loom::epi::makeEpilogue(y, 320), loom::RmsNormPrologue{9.99999975e-06f});
// CHECK-NOT: {{^}}// {{-+}} kernels/rms_norm
func.func @forward(%x: tensor<?x512xbf16> {loom.name = "x"}) -> (tensor<?x320xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %n = graph.weight "post_attention_layernorm.weight" : tensor<512xbf16>
  %g = graph.weight "mlp.gate_proj.weight" : tensor<320x512xbf16>
  %u = graph.weight "mlp.up_proj.weight" : tensor<320x512xbf16>
  %h = graph.rms_norm %x, %n {eps = 1.0e-5 : f32} : tensor<?x512xbf16>, tensor<512xbf16>
  %w = graph.concat %g, %u {axis = 0 : i64} : (tensor<320x512xbf16>, tensor<320x512xbf16>) -> tensor<640x512xbf16>
  %gu = graph.linear %h, %w : tensor<?x512xbf16>, tensor<640x512xbf16> -> tensor<?x640xbf16>
  %gate, %up = graph.split %gu {axis = 1 : i64} : tensor<?x640xbf16> -> tensor<?x320xbf16>, tensor<?x320xbf16>
  %s = graph.silu %gate : tensor<?x320xbf16>
  %y = graph.mul %s, %up : tensor<?x320xbf16>
  return %y : tensor<?x320xbf16>
}
