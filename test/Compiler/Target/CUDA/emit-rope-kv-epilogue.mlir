// RUN: loom-opt %s --graph-to-cuda=target=sm_80 -o /dev/null | FileCheck %s --check-prefixes=CHECK,SM80
// RUN: loom-opt %s --graph-to-cuda=target=sm_90a -o /dev/null | FileCheck %s --check-prefixes=CHECK,SM90A
// RUN: loom-opt %s --graph-to-cuda="target=sm_90a rope-pairs=false" -o /dev/null | FileCheck %s --check-prefix=OFF

// The Llama layer of emit-llama-layer.mlir (tokens bounded by 128: on sm_90a the skinny GEMM) through the default pipeline: graph-rope-pairs
// permutes the q/k rows of the merged QKV weight per head (its manifest recipe) and makes the
// ropes interleaved, so graph-fuse takes split -> rope(q), rope(k) -> kv_append into the QKV
// GEMM and every variant of that GEMM (GEMV <= 16 rows, mma.sync GEMM / wgmma skinny GEMM)
// stores through loom::epi::makeRopeKvAppend; no rope_kv_append kernel is left, and paged
// attention reads the rotated q from its own [tokens, 256] buffer (row stride 256).
// With rope-pairs=false the ropes stay rotate_half and the library kernel remains.

// CHECK-LABEL: // ----- kernels/fused_rms_norm_linear_split_rope_rope_kv_append_0.cu
// CHECK: #include "loom/epilogue_rope_kv.cuh"
// SM80: void fused_rms_norm_linear_split_rope_rope_kv_append_0(const loom::bf16 *x, const loom::bf16 *w, int tokens, loom::bf16 *q, const int *positions, const int *slots, loom::bf16 *k_cache, loom::bf16 *v_cache, int layer, int cache_blocks, float theta, float factor, float low_freq_factor, float high_freq_factor, float original_max_position)
// SM90A: void fused_rms_norm_linear_split_rope_rope_kv_append_0({{.*}} x, {{.*}} w, int tokens, loom::bf16 *q, const int *positions, const int *slots, loom::bf16 *k_cache, loom::bf16 *v_cache, int layer, int cache_blocks, float theta, float factor, float low_freq_factor, float high_freq_factor, float original_max_position)
// SM80: loom::gemm<Config, loom::bf16, loom::RmsNormPrologue, loom::NoGating>(x, w, tokens, 512, 256, loom::RmsNormPrologue{9.99999975e-06f}, loom::epi::makeRopeKvAppend<loom::bf16, 64, 256, 128, 16>(q, positions, slots, k_cache, v_cache, layer, cache_blocks, loom::RopeFrequencies{theta, factor, low_freq_factor, high_freq_factor, original_max_position}));
// SM90A: loom::sm90::gemmSkinnySm90<Config, loom::RmsNormPrologue, loom::NoGating>(x, w, tokens, 512, 256, loom::RmsNormPrologue{9.99999975e-06f}, loom::sm90::deferEpilogue([&] { return loom::epi::makeRopeKvAppend<loom::bf16, 64, 256, 128, 16>(q, positions, slots, k_cache, v_cache, layer, cache_blocks, loom::RopeFrequencies{theta, factor, low_freq_factor, high_freq_factor, original_max_position}); }));
// CHECK-LABEL: // ----- kernels/fused_rms_norm_linear_split_rope_rope_kv_append_gemv_0.cu
// CHECK: loom::gemv<Config, loom::bf16, loom::RmsNormPrologue, loom::NoGating>(x, w, tokens, 512, 256, loom::RmsNormPrologue{9.99999975e-06f}, loom::epi::makeRopeKvAppend<loom::bf16, 64, 256, 128, 16>(q, positions, slots, k_cache, v_cache, layer, cache_blocks, loom::RopeFrequencies{theta, factor, low_freq_factor, high_freq_factor, original_max_position}));
// CHECK-NOT: kernels/rope_kv_append
// CHECK-LABEL: // ----- manifest.json
// CHECK: "name": "q_row_stride",
// CHECK-NEXT: "value": 256
// CHECK: "name": "loom.qkv.0",
// CHECK-NEXT: "recipe": {
// CHECK-NEXT: "concat": {
// CHECK-NEXT: "axis": 0,
// CHECK-NEXT: "of": [
// CHECK-NEXT: {
// CHECK-NEXT: "reshape": {
// CHECK-NEXT: "of": [
// CHECK-NEXT: {
// CHECK-NEXT: "transpose": {
// CHECK-NEXT: "of": [
// CHECK-NEXT: {
// CHECK-NEXT: "reshape": {
// CHECK-NEXT: "of": [
// CHECK-NEXT: "model.layers.0.self_attn.q_proj.weight"
// CHECK-NEXT: ],
// CHECK-NEXT: "shape": [
// CHECK-NEXT: 4,
// CHECK-NEXT: 2,
// CHECK-NEXT: 32,
// CHECK-NEXT: 256
// CHECK: "permutation": [
// CHECK-NEXT: 0,
// CHECK-NEXT: 2,
// CHECK-NEXT: 1,
// CHECK-NEXT: 3
// CHECK: "model.layers.0.self_attn.k_proj.weight"
// CHECK-NEXT: ],
// CHECK-NEXT: "shape": [
// CHECK-NEXT: 2,
// CHECK-NEXT: 2,
// CHECK-NEXT: 32,
// CHECK-NEXT: 256
// CHECK: "model.layers.0.self_attn.v_proj.weight"
// CHECK-NEXT: ]

// OFF-NOT: makeRopeKvAppend
// OFF: kernels/rope_kv_append_2.cu
// OFF: loom::ropeKvAppend<loom::bf16, loom::RopeStyle::kRotateHalf, 4, 2, 64, 16, 4>
func.func @forward(%tokens: tensor<?xi32> {loom.name = "tokens", loom.dims = ["tokens"]}, %positions: tensor<?xi32> {loom.name = "positions", loom.dims = ["tokens"]}, %slots: tensor<?xi32> {loom.name = "slots", loom.dims = ["tokens"]}, %seq_starts: tensor<?xi32> {loom.name = "seq_starts", loom.dims = ["seqs+1"]}, %context_lens: tensor<?xi32> {loom.name = "context_lens", loom.dims = ["seqs"]}, %block_tables: tensor<?x?xi32> {loom.name = "block_tables", loom.dims = ["seqs", "blocks_per_seq"]}, %logit_rows: tensor<?xi32> {loom.name = "logit_rows", loom.dims = ["seqs"]}, %kv: !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16> {loom.name = "kv_cache"})
    -> (tensor<?x512xf32> {loom.name = "logits"}, !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>)
    attributes {loom.max_blocks_per_seq = 8 : i64, loom.max_seqs = 4 : i64, loom.max_tokens = 128 : i64} {
  %emb = graph.weight "model.embed_tokens.weight" : tensor<512x256xbf16>
  %h = graph.embedding %emb, %tokens : tensor<512x256xbf16>, tensor<?xi32> -> tensor<?x256xbf16>
  %g1 = graph.weight "model.layers.0.input_layernorm.weight" : tensor<256xbf16>
  %n1 = graph.rms_norm %h, %g1 {eps = 1.0e-5 : f32} : tensor<?x256xbf16>, tensor<256xbf16>
  %wq = graph.weight "model.layers.0.self_attn.q_proj.weight" : tensor<256x256xbf16>
  %wk = graph.weight "model.layers.0.self_attn.k_proj.weight" : tensor<128x256xbf16>
  %wv = graph.weight "model.layers.0.self_attn.v_proj.weight" : tensor<128x256xbf16>
  %wqkv = graph.concat %wq, %wk, %wv {axis = 0 : i64} : (tensor<256x256xbf16>, tensor<128x256xbf16>, tensor<128x256xbf16>) -> tensor<512x256xbf16>
  %qkv = graph.linear %n1, %wqkv : tensor<?x256xbf16>, tensor<512x256xbf16> -> tensor<?x512xbf16>
  %q, %k, %v = graph.split %qkv {axis = 1 : i64} : tensor<?x512xbf16> -> tensor<?x256xbf16>, tensor<?x128xbf16>, tensor<?x128xbf16>
  %qr = graph.rope %q, %positions {head_dim = 64 : i64, style = #graph.rope_style<rotate_half>, theta = 1.000000e+04 : f32} : tensor<?x256xbf16>, tensor<?xi32>
  %kr = graph.rope %k, %positions {head_dim = 64 : i64, style = #graph.rope_style<rotate_half>, theta = 1.000000e+04 : f32} : tensor<?x128xbf16>, tensor<?xi32>
  %kv1 = graph.kv_append %kv, %kr, %v, %slots {layer = 0 : i64} : !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?xi32>
  %att = graph.paged_attention %qr, %kv1, %block_tables, %seq_starts, %context_lens {causal, head_dim = 64 : i64, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 1.250000e-01 : f32} : tensor<?x256xbf16>, !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  %wo = graph.weight "model.layers.0.self_attn.o_proj.weight" : tensor<256x256xbf16>
  %o = graph.linear %att, %wo : tensor<?x256xbf16>, tensor<256x256xbf16> -> tensor<?x256xbf16>
  %h2 = graph.add %h, %o : tensor<?x256xbf16>
  %g2 = graph.weight "model.layers.0.post_attention_layernorm.weight" : tensor<256xbf16>
  %n2 = graph.rms_norm %h2, %g2 {eps = 1.0e-5 : f32} : tensor<?x256xbf16>, tensor<256xbf16>
  %wg = graph.weight "model.layers.0.mlp.gate_proj.weight" : tensor<512x256xbf16>
  %wu = graph.weight "model.layers.0.mlp.up_proj.weight" : tensor<512x256xbf16>
  %wgu = graph.concat %wg, %wu {axis = 0 : i64} : (tensor<512x256xbf16>, tensor<512x256xbf16>) -> tensor<1024x256xbf16>
  %gu = graph.linear %n2, %wgu : tensor<?x256xbf16>, tensor<1024x256xbf16> -> tensor<?x1024xbf16>
  %gate, %up = graph.split %gu {axis = 1 : i64} : tensor<?x1024xbf16> -> tensor<?x512xbf16>, tensor<?x512xbf16>
  %s = graph.silu %gate : tensor<?x512xbf16>
  %m = graph.mul %s, %up : tensor<?x512xbf16>
  %wd = graph.weight "model.layers.0.mlp.down_proj.weight" : tensor<256x512xbf16>
  %d = graph.linear %m, %wd : tensor<?x512xbf16>, tensor<256x512xbf16> -> tensor<?x256xbf16>
  %h3 = graph.add %h2, %d : tensor<?x256xbf16>
  %gf = graph.weight "model.norm.weight" : tensor<256xbf16>
  %nf = graph.rms_norm %h3, %gf {eps = 1.0e-5 : f32} : tensor<?x256xbf16>, tensor<256xbf16>
  %last = graph.embedding %nf, %logit_rows : tensor<?x256xbf16>, tensor<?xi32> -> tensor<?x256xbf16>
  %head = graph.weight "lm_head.weight" : tensor<512x256xbf16>
  %l = graph.linear %last, %head : tensor<?x256xbf16>, tensor<512x256xbf16> -> tensor<?x512xbf16>
  %logits = graph.cast %l : tensor<?x512xbf16> to tensor<?x512xf32>
  return %logits, %kv1 : tensor<?x512xf32>, !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>
}
