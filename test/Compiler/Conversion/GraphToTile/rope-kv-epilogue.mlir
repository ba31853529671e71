// RUN: loom-opt %s --graph-fuse --convert-graph-to-tile | FileCheck %s

// The QKV projection of a Llama/Qwen2 layer after graph-rope-pairs (interleaved ropes, Llama-3
// scaling, a q/k/v bias): RMSNorm prologue, linear, split, rope(q), rope(k) and kv_append are one
// GEMM kernel. Its dot covers all 512 columns, the bias is an epilogue map, and the store goes to
// the rotated q (its own [tokens, 256] buffer, v0) marked loom.rope_kv with the parameters the
// epilogue reads: positions, slots, the cache pools, layer 1, 64 cache blocks and the frequencies.
// paged_attention reads q from v0 with row stride 256; no rope_kv_append kernel is left.
// CHECK-LABEL: tile.kernel @fused_rms_norm_linear_split_rope_rope_kv_append_0(%x: !tile.ptr<bf16>, %w: !tile.ptr<bf16>, %tokens: i32, %bias: !tile.ptr<bf16>, %q: !tile.ptr<bf16>, %positions: !tile.ptr<i32>, %slots: !tile.ptr<i32>, %k_cache: !tile.ptr<bf16>, %v_cache: !tile.ptr<bf16>, %layer: i32, %cache_blocks: i32, %theta: f32, %factor: f32, %low_freq_factor: f32, %high_freq_factor: f32, %original_max_position: f32)
// CHECK-SAME: ops = ["graph.rms_norm", "graph.linear", "graph.split", "graph.rope", "graph.rope", "graph.kv_append"]
// CHECK: %[[N:.+]] = arith.constant 512 : i32
// CHECK: %[[DOT:.+]] = tile.dot %x[%[[PM:.+]]], %w[%[[PN:.+]]] sizes(%tokens, %[[N]], %{{.+}}) scale(
// CHECK: %[[B:.+]] = tile.load %bias[%[[PN]]] bounds(%[[N]])
// CHECK: %[[Y:.+]] = tile.map <add> %[[DOT]], %[[B]]
// CHECK: tile.store %[[Y]], %q[%[[PM]], %[[PN]]] bounds(%tokens, %[[N]]) {layout = #tile.layout<mma>, loom.rope_kv = {block_size = 16 : i64, head_dim = 64 : i64, kv_width = 128 : i64, q_width = 256 : i64}, shape = ["bm", "bn"]}
// CHECK-NOT: rope_kv_append
// CHECK: {bytes = 65536 : i64, dtype = "bf16", live = [0, 1], name = "v0", offset = 0 : i64, shape = ["tokens", 256]}
// CHECK: tile.launch @fused_rms_norm_linear_split_rope_rope_kv_append_0 ["input:x", "weight:loom.scaled.qkv", "dim:tokens", "weight:qkv.bias", "buffer:v0", "input:positions", "input:slots", "kv_k:", "kv_v:", "int:1", "int:64", "float:5.00000000e+05", "float:3.20000000e+01", "float:1.00000000e+00", "float:4.00000000e+00", "float:8.19200000e+03"]
// CHECK-NEXT: tile.launch @paged_attention_1 ["buffer:v0", "int:256", "kv_k:", "kv_v:"
func.func @forward(%x: tensor<?x256xbf16> {loom.name = "x"}, %positions: tensor<?xi32> {loom.name = "positions"}, %slots: tensor<?xi32> {loom.name = "slots"}, %seq_starts: tensor<?xi32> {loom.name = "seq_starts", loom.dims = ["seqs+1"]}, %context_lens: tensor<?xi32> {loom.name = "context_lens", loom.dims = ["seqs"]}, %block_tables: tensor<?x?xi32> {loom.name = "block_tables", loom.dims = ["seqs", "blocks_per_seq"]}, %kv: !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16> {loom.name = "kv_cache"})
    -> (tensor<?x256xbf16> {loom.name = "y"}, !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>)
    attributes {loom.max_blocks_per_seq = 8 : i64, loom.max_seqs = 4 : i64, loom.max_tokens = 128 : i64} {
  %g = graph.weight "norm" : tensor<256xbf16>
  %n = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x256xbf16>, tensor<256xbf16>
  %wqkv = graph.weight "qkv" : tensor<512x256xbf16>
  %bqkv = graph.weight "qkv.bias" : tensor<512xbf16>
  %qkv = graph.linear %n, %wqkv, %bqkv : tensor<?x256xbf16>, tensor<512x256xbf16>, tensor<512xbf16> -> tensor<?x512xbf16>
  %q, %k, %v = graph.split %qkv {axis = 1 : i64} : tensor<?x512xbf16> -> tensor<?x256xbf16>, tensor<?x128xbf16>, tensor<?x128xbf16>
  %qr = graph.rope %q, %positions {head_dim = 64 : i64, high_freq_factor = 4.000000e+00 : f32, low_freq_factor = 1.000000e+00 : f32, original_max_position = 8192 : i64, scaling_factor = 3.200000e+01 : f32, style = #graph.rope_style<interleaved>, theta = 5.000000e+05 : f32} : tensor<?x256xbf16>, tensor<?xi32>
  %kr = graph.rope %k, %positions {head_dim = 64 : i64, high_freq_factor = 4.000000e+00 : f32, low_freq_factor = 1.000000e+00 : f32, original_max_position = 8192 : i64, scaling_factor = 3.200000e+01 : f32, style = #graph.rope_style<interleaved>, theta = 5.000000e+05 : f32} : tensor<?x128xbf16>, tensor<?xi32>
  %kv1 = graph.kv_append %kv, %kr, %v, %slots {layer = 1 : i64} : !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?xi32>
  %att = graph.paged_attention %qr, %kv1, %block_tables, %seq_starts, %context_lens {causal, head_dim = 64 : i64, layer = 1 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 1.250000e-01 : f32} : tensor<?x256xbf16>, !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  %wo = graph.weight "o" : tensor<256x256xbf16>
  %o = graph.linear %att, %wo : tensor<?x256xbf16>, tensor<256x256xbf16> -> tensor<?x256xbf16>
  return %o, %kv1 : tensor<?x256xbf16>, !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>
}
