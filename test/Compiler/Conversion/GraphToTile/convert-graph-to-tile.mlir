// RUN: loom-opt %s --split-input-file --convert-graph-to-tile | FileCheck %s

// An unfused elementwise op: a vector tile of tokens * 64 elements per program.
// CHECK-LABEL: tile.kernel @silu_0(%x: !tile.ptr<bf16>, %tokens: i32, %y: !tile.ptr<bf16>)
// CHECK-SAME: ops = ["graph.silu"]
// CHECK: %[[P:.+]] = tile.program_id 0
// CHECK: %[[N:.+]] = arith.muli %tokens, %{{.+}} : i32
// CHECK: %[[T:.+]] = tile.load %x[%[[P]]] bounds(%[[N]]) {layout = #tile.layout<vector>, shape = ["block"]} : !tile.ptr<bf16> -> tensor<?xf32>
// CHECK: %[[S:.+]] = tile.map <silu> %[[T]]
// CHECK: tile.store %[[S]], %y[%[[P]]]
// CHECK: tile.launch_program
// CHECK-SAME: dims = {tokens = 128 : i64}
// CHECK-SAME: inputs = [{dtype = "bf16", name = "hidden", shape = ["tokens", 64]}]
// CHECK-SAME: outputs = [{buffer = "v0", dtype = "bf16", name = "out0", shape = ["tokens", 64]}]
// CHECK: tile.launch @silu_0 ["input:hidden", "dim:tokens", "buffer:v0"]
func.func @forward(%x: tensor<?x64xbf16> {loom.name = "hidden"}) -> tensor<?x64xbf16>
    attributes {loom.max_tokens = 128 : i64} {
  %y = graph.silu %x : tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}

// -----

// A residual add + rms_norm group: row tiles, f32 statistics, both results stored.
// CHECK-LABEL: tile.kernel @fused_add_rms_norm_0
// CHECK: %[[A:.+]] = tile.load %x[%{{.+}}, %{{.+}}] bounds(%tokens, %{{.+}}) {layout = #tile.layout<row>, shape = ["rows", "64"]}
// CHECK: %[[B:.+]] = tile.load %x1
// CHECK: %[[SUM:.+]] = tile.map <add> %[[A]], %[[B]]
// CHECK: %[[W:.+]] = tile.load %w[%{{.+}}] bounds(%{{.+}}) {layout = #tile.layout<row>, shape = ["64"]} : !tile.ptr<bf16> -> tensor<64xf32>
// CHECK: %[[MS:.+]] = tile.reduce <mean_square> %[[SUM]] {axis = 1 : i64} : tensor<?x64xf32> -> tensor<?x1xf32>
// CHECK: tile.map <rsqrt>
// CHECK: tile.store %[[SUM]], %y[
// CHECK: tile.store %{{.+}}, %y1[
// CHECK: tile.launch @fused_add_rms_norm_0 ["input:arg0", "dim:tokens", "input:arg1", "weight:norm.weight", "buffer:v0", "buffer:v1"]
func.func @forward(%x: tensor<?x64xbf16>, %r: tensor<?x64xbf16>) -> (tensor<?x64xbf16>, tensor<?x64xbf16>)
    attributes {loom.max_tokens = 128 : i64} {
  %w = graph.weight "norm.weight" : tensor<64xbf16>
  %s, %n = graph.fused norm "fused_add_rms_norm_0" (%a = %x, %b = %r, %g = %w)
      : (tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<64xbf16>) -> (tensor<?x64xbf16>, tensor<?x64xbf16>) {
    %0 = graph.add %a, %b : tensor<?x64xbf16>
    %1 = graph.rms_norm %0, %g {eps = 1.0e-5 : f32} : tensor<?x64xbf16>, tensor<64xbf16>
    graph.yield %0, %1 : tensor<?x64xbf16>, tensor<?x64xbf16>
  }
  return %s, %n : tensor<?x64xbf16>, tensor<?x64xbf16>
}

// -----

// A GEMM with the folded-gain RMSNorm prologue, a bias and SiLU: row_scale -> dot -> maps -> store;
// the weight binds to the derived weight with the gain folded into its columns.
// CHECK-LABEL: tile.kernel @fused_rms_norm_linear_silu_0
// CHECK: %[[PN:.+]] = tile.program_id 1
// CHECK: %[[PM:.+]] = tile.program_id 0
// CHECK: %[[S:.+]] = tile.row_scale %x[%[[PM]]] sizes(%tokens, %{{.+}}) {eps = 9.99999974E-6 : f32}
// CHECK: %[[ACC:.+]] = tile.dot %x[%[[PM]]], %w[%[[PN]]] sizes(%tokens, %{{.+}}, %{{.+}}) scale(%[[S]] : tensor<?x1xf32>)
// CHECK: %[[B:.+]] = tile.load %bias[%[[PN]]] bounds(%{{.+}}) {layout = #tile.layout<row>, shape = ["bn"]}
// CHECK: %[[V:.+]] = tile.map <add> %[[ACC]], %[[B]]
// CHECK: %[[A:.+]] = tile.map <silu> %[[V]]
// CHECK: tile.store %[[A]], %y[%[[PM]], %[[PN]]] bounds(%tokens, %{{.+}}) {layout = #tile.layout<mma>, shape = ["bm", "bn"]}
// CHECK: weights = [{{.*}}{dtype = "bf16", name = "loom.scaled.proj.weight", recipe = {scale = {axis = 1 : i64, of = ["proj.weight", "norm.weight"]}}, shape = [128, 64]}]
// CHECK: tile.launch @fused_rms_norm_linear_silu_0 ["input:arg0", "weight:loom.scaled.proj.weight", "dim:tokens", "weight:proj.bias", "buffer:v0"]
func.func @forward(%x: tensor<?x64xbf16>) -> tensor<?x128xbf16> attributes {loom.max_tokens = 128 : i64} {
  %g = graph.weight "norm.weight" : tensor<64xbf16>
  %w = graph.weight "proj.weight" : tensor<128x64xbf16>
  %b = graph.weight "proj.bias" : tensor<128xbf16>
  %y = graph.fused gemm "fused_rms_norm_linear_silu_0" (%xa = %x, %ga = %g, %wa = %w, %ba = %b)
      : (tensor<?x64xbf16>, tensor<64xbf16>, tensor<128x64xbf16>, tensor<128xbf16>) -> tensor<?x128xbf16>
      attributes {prologue = #graph.gemm_prologue<row_scale_folded_gain>} {
    %0 = graph.rms_norm %xa, %ga {eps = 1.0e-5 : f32} : tensor<?x64xbf16>, tensor<64xbf16>
    %1 = graph.linear %0, %wa, %ba : tensor<?x64xbf16>, tensor<128x64xbf16>, tensor<128xbf16> -> tensor<?x128xbf16>
    %2 = graph.silu %1 : tensor<?x128xbf16>
    graph.yield %2 : tensor<?x128xbf16>
  }
  return %y : tensor<?x128xbf16>
}

// -----

// A plain linear has no prologue and no epilogue maps.
// CHECK-LABEL: tile.kernel @linear_0
// CHECK-NOT: tile.row_scale
// CHECK: tile.dot
// CHECK-NOT: tile.map
// CHECK: tile.store
func.func @forward(%x: tensor<?x64xbf16>) -> tensor<?x32xbf16> attributes {loom.max_tokens = 16 : i64} {
  %w = graph.weight "proj.weight" : tensor<32x64xbf16>
  %y = graph.linear %x, %w : tensor<?x64xbf16>, tensor<32x64xbf16> -> tensor<?x32xbf16>
  return %y : tensor<?x32xbf16>
}

// -----

// Gathers, softmax and argmax are row kernels; liveness lets later buffers reuse offset 0.
// CHECK-LABEL: tile.kernel @embedding_0(%table: !tile.ptr<bf16>, %ids: !tile.ptr<i32>, %tokens: i32, %error: !tile.ptr<i32>, %y: !tile.ptr<bf16>)
// CHECK: %[[I:.+]] = tile.load %ids[%{{.+}}] bounds(%tokens) {layout = #tile.layout<row>, shape = ["rows"]} : !tile.ptr<i32> -> tensor<?xi32>
// CHECK: tile.gather %table[%[[I]]] vocab(%{{.+}}) errors(%error) : !tile.ptr<bf16>, tensor<?xi32>, !tile.ptr<i32> -> tensor<?x64xbf16>
// CHECK-LABEL: tile.kernel @softmax_1
// CHECK: tile.reduce <max>
// CHECK: tile.map <sub>
// CHECK: tile.map <exp>
// CHECK: tile.reduce <sum>
// CHECK: tile.map <div>
// CHECK-LABEL: tile.kernel @argmax_2
// CHECK: %[[AM:.+]] = tile.reduce <argmax> %{{.+}} {axis = 1 : i64} : tensor<?x64xf32> -> tensor<?x1xi32>
// CHECK: tile.store %[[AM]], %y[%{{.+}}, %{{.+}}] bounds(%tokens, %{{.+}}) {layout = #tile.layout<row>, shape = ["rows", "1"]}
// The buffers are graph-plan-memory's; the error record of bad ids follows its 32768-byte arena.
// CHECK: arena_bytes = 33024 : i64
// CHECK-SAME: {bytes = 16384 : i64, dtype = "bf16", live = [0, 1], name = "v0", offset = 0 : i64
// CHECK-SAME: {bytes = 16384 : i64, dtype = "bf16", live = [1, 2], name = "v1", offset = 16384 : i64
// CHECK-SAME: {bytes = 512 : i64, dtype = "i32", live = [2, 3], name = "v2", offset = 0 : i64
// CHECK-SAME: {bytes = 16 : i64, dtype = "i32", live = [0, 3], name = "errors", offset = 32768 : i64, shape = [4]}
// CHECK: tile.launch @embedding_0 ["weight:embed.weight", "input:arg0", "dim:tokens", "buffer:errors", "buffer:v0"]
func.func @forward(%ids: tensor<?xi32>) -> tensor<?xi32> attributes {loom.max_tokens = 128 : i64} {
  %t = graph.weight "embed.weight" : tensor<1000x64xbf16>
  %h = graph.embedding %t, %ids : tensor<1000x64xbf16>, tensor<?xi32> -> tensor<?x64xbf16>
  %p = graph.softmax %h : tensor<?x64xbf16>
  %a = graph.argmax %p : tensor<?x64xbf16> -> tensor<?xi32>
  return %a : tensor<?xi32>
}

// -----

// The attention of a Llama layer: the packed QKV projection's pieces are views of its buffer;
// rope(q), rope(k) and kv_append become one rope_kv_append kernel over that buffer, and
// paged_attention reads q in place with the packed row stride (512). No kernel copies a piece.
// paged_attention has two branches: the prefill kernel on prefill steps, the split-K decode
// kernel on decode steps, which merges its splits itself. With at most 4 sequences of 2 KV heads
// every decode step is a small batch (4 x 2 x 4 CTAs per 256-token column fit 132 SMs), so its
// grid always takes 64-token splits (4 blocks, the Config's): two f32 scratch buffers alive at
// that group only (4 seqs x 4 heads x ceildiv(8 blocks, 4 per split) = 32 partials: 32 x 64 +
// 32 x 2 floats) and i32 split counters (4 seqs x 2 KV heads) alive through the step.
// CHECK-LABEL: tile.kernel @linear_0(
// CHECK-LABEL: tile.kernel @rope_kv_append_1(%qkv: !tile.ptr<bf16>, %positions: !tile.ptr<i32>, %slots: !tile.ptr<i32>, %k_cache: !tile.ptr<bf16>, %v_cache: !tile.ptr<bf16>, %tokens: i32, %layer: i32, %cache_blocks: i32, %theta: f32, %factor: f32, %low_freq_factor: f32, %high_freq_factor: f32, %original_max_position: f32)
// CHECK-SAME: block = array<i32: 128, 1, 1>, config = {block_size = 16 : i64, head_dim = 64 : i64, heads = 4 : i64, interleaved = 0 : i64, kv_heads = 2 : i64, rows = 4 : i64}, grid = ["ceildiv(tokens, 4)", "1", "1"], loom.library = "rope_kv_append", ops = ["graph.rope", "graph.rope", "graph.kv_append"]
// CHECK-NEXT: tile.return
// CHECK-LABEL: tile.kernel @paged_attention_2(%q: !tile.ptr<bf16>, %q_row_stride: i32, %k_cache: !tile.ptr<bf16>, %v_cache: !tile.ptr<bf16>, %out: !tile.ptr<bf16>, %seq_starts: !tile.ptr<i32>, %context_lens: !tile.ptr<i32>, %block_tables: !tile.ptr<i32>, %seqs: i32, %blocks_per_seq: i32, %layer: i32, %cache_blocks: i32, %scale: f32)
// CHECK-SAME: config = {block_size = 16 : i64, bm = 64 : i64, bn = 64 : i64, causal = 1 : i64, head_dim = 64 : i64, heads = 4 : i64, kv_heads = 2 : i64, warps = 4 : i64}, grid = ["4", "ceildiv(tokens, 64) + seqs", "1"], loom.library = "paged_attention_prefill"
// CHECK-SAME: shared_bytes = 24576
// CHECK-LABEL: tile.kernel @paged_attention_decode_2(%q: !tile.ptr<bf16>, %q_row_stride: i32, %k_cache: !tile.ptr<bf16>, %v_cache: !tile.ptr<bf16>, %context_lens: !tile.ptr<i32>, %block_tables: !tile.ptr<i32>, %blocks_per_seq: i32, %layer: i32, %cache_blocks: i32, %scale: f32, %partial_out: !tile.ptr<f32>, %partial_stats: !tile.ptr<f32>, %split_counters: !tile.ptr<i32>, %out: !tile.ptr<bf16>)
// CHECK-SAME: block = array<i32: 128, 1, 1>, config = {block_size = 16 : i64, blocks_per_split = 4 : i64, head_dim = 64 : i64, heads = 4 : i64, kv_heads = 2 : i64}, grid = ["ceildiv(blocks_per_seq, 4)", "2", "seqs"], loom.library = "paged_attention_decode"
// CHECK-SAME: shared_bytes = 0
// CHECK-NOT: paged_attention_combine
// CHECK-LABEL: tile.kernel @linear_3(
// CHECK-NOT: tile.kernel @split
// CHECK: tile.launch_program attributes {arena_bytes = 205312 : i64, buffers = [{bytes = 131072 : i64, dtype = "bf16", live = [0, 2], name = "v0", offset = 0 : i64, shape = ["tokens", 512]}, {bytes = 65536 : i64, dtype = "bf16", live = [2, 3], name = "v1"
// CHECK-SAME: {bytes = 8192 : i64, dtype = "f32", live = [2, 2], name = "v3", offset = 196608 : i64, scratch = "partial_out", shape = [2048]}, {bytes = 256 : i64, dtype = "f32", live = [2, 2], name = "v4", offset = 204800 : i64, scratch = "partial_stats", shape = [64]}, {bytes = 32 : i64, dtype = "i32", live = [0, 4], name = "v5", offset = 205056 : i64, scratch = "split_counters", shape = [8]}]
// CHECK-NEXT: tile.launch @linear_0 ["input:x", "weight:qkv", "dim:tokens", "buffer:v0"]
// CHECK-NEXT: tile.launch @rope_kv_append_1 ["buffer:v0", "input:positions", "input:slots", "kv_k:", "kv_v:", "dim:tokens", "int:1", "int:64", "float:5.00000000e+05", "float:0.00000000e+00", "float:0.00000000e+00", "float:0.00000000e+00", "float:0.00000000e+00"]
// CHECK-NEXT: tile.launch @paged_attention_2 ["buffer:v0", "int:512", "kv_k:", "kv_v:", "buffer:v1", "input:seq_starts", "input:context_lens", "input:block_tables", "dim:seqs", "dim:blocks_per_seq", "int:1", "int:64", "float:1.25000000e-01"] when "prefill"
// CHECK-NEXT: tile.launch @paged_attention_decode_2 ["buffer:v0", "int:512", "kv_k:", "kv_v:", "input:context_lens", "input:block_tables", "dim:blocks_per_seq", "int:1", "int:64", "float:1.25000000e-01", "buffer:v3", "buffer:v4", "buffer:v5", "buffer:v1"] when "decode"
// CHECK-NEXT: tile.launch @linear_3 ["buffer:v1", "weight:o", "dim:tokens", "buffer:v2"]
func.func @forward(%x: tensor<?x256xbf16> {loom.name = "x"}, %positions: tensor<?xi32> {loom.name = "positions"}, %slots: tensor<?xi32> {loom.name = "slots"}, %seq_starts: tensor<?xi32> {loom.name = "seq_starts", loom.dims = ["seqs+1"]}, %context_lens: tensor<?xi32> {loom.name = "context_lens", loom.dims = ["seqs"]}, %block_tables: tensor<?x?xi32> {loom.name = "block_tables", loom.dims = ["seqs", "blocks_per_seq"]}, %kv: !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16> {loom.name = "kv_cache"})
    -> (tensor<?x256xbf16> {loom.name = "y"}, !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>)
    attributes {loom.max_blocks_per_seq = 8 : i64, loom.max_seqs = 4 : i64, loom.max_tokens = 128 : i64} {
  %wqkv = graph.weight "qkv" : tensor<512x256xbf16>
  %qkv = graph.linear %x, %wqkv : tensor<?x256xbf16>, tensor<512x256xbf16> -> tensor<?x512xbf16>
  %q, %k, %v = graph.split %qkv {axis = 1 : i64} : tensor<?x512xbf16> -> tensor<?x256xbf16>, tensor<?x128xbf16>, tensor<?x128xbf16>
  %qr = graph.rope %q, %positions {head_dim = 64 : i64, style = #graph.rope_style<rotate_half>, theta = 5.000000e+05 : f32} : tensor<?x256xbf16>, tensor<?xi32>
  %kr = graph.rope %k, %positions {head_dim = 64 : i64, style = #graph.rope_style<rotate_half>, theta = 5.000000e+05 : f32} : tensor<?x128xbf16>, tensor<?xi32>
  %kv1 = graph.kv_append %kv, %kr, %v, %slots {layer = 1 : i64} : !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?xi32>
  %att = graph.paged_attention %qr, %kv1, %block_tables, %seq_starts, %context_lens {causal, head_dim = 64 : i64, layer = 1 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 1.250000e-01 : f32} : tensor<?x256xbf16>, !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  %wo = graph.weight "o" : tensor<256x256xbf16>
  %o = graph.linear %att, %wo : tensor<?x256xbf16>, tensor<256x256xbf16> -> tensor<?x256xbf16>
  return %o, %kv1 : tensor<?x256xbf16>, !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>
}

// -----

// Llama-3.2-1B's attention (32 query heads, 8 KV heads, head dim 64) with up to 64 sequences: the
// decode grid takes 64-token splits (4 blocks) on steps of at most 0.25 x 132 / 8 = 4 sequences,
// 256-token ones (16 blocks) up to 2 x 132 / 8 = 33 and 512-token ones (32 blocks, the Config's)
// above, through one grid expression; the partials are sized for the widest grid of the three
// (33 seqs x 2 splits > 64 x 1 > 4 x 8: 66 per head, x 32 heads).
// CHECK-LABEL: tile.kernel @paged_attention_decode_0(
// CHECK-SAME: config = {block_size = 16 : i64, blocks_per_split = 32 : i64, head_dim = 64 : i64, heads = 32 : i64, kv_heads = 8 : i64}, grid = ["ceildiv(blocks_per_seq, 4 + 12 * min(1, max(0, seqs - 4)) + 16 * min(1, max(0, seqs - 33)))", "8", "seqs"]
// CHECK: scratch = "partial_out", shape = [135168]}, {{.*}} scratch = "partial_stats", shape = [4224]}, {{.*}} scratch = "split_counters", shape = [512]}
func.func @forward(%q: tensor<?x2048xbf16> {loom.name = "q"}, %seq_starts: tensor<?xi32> {loom.name = "seq_starts", loom.dims = ["seqs+1"]}, %context_lens: tensor<?xi32> {loom.name = "context_lens", loom.dims = ["seqs"]}, %block_tables: tensor<?x?xi32> {loom.name = "block_tables", loom.dims = ["seqs", "blocks_per_seq"]}, %kv: !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 8, headDim = 64, elementType = bf16> {loom.name = "kv_cache"})
    -> (tensor<?x2048xbf16> {loom.name = "y"})
    attributes {loom.max_blocks_per_seq = 32 : i64, loom.max_seqs = 64 : i64, loom.max_tokens = 128 : i64} {
  %att = graph.paged_attention %q, %kv, %block_tables, %seq_starts, %context_lens {causal, head_dim = 64 : i64, layer = 0 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 1.250000e-01 : f32} : tensor<?x2048xbf16>, !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 8, headDim = 64, elementType = bf16>, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %att : tensor<?x2048xbf16>
}

// -----

// 24 query heads share one KV head: loom/attention_decode.cuh has no configuration for that
// group (a warp holds 8 heads, 3 head groups do not divide 4 warps), so the prefill kernel runs
// every step, unguarded, and the plan has no scratch.
// CHECK-LABEL: tile.kernel @paged_attention_0(
// CHECK-NOT: paged_attention_decode
// CHECK-NOT: scratch
// CHECK: tile.launch @paged_attention_0 [
// CHECK-NOT: when "
// CHECK-NOT: paged_attention_combine
func.func @forward(%q: tensor<?x1536xbf16> {loom.name = "q"}, %seq_starts: tensor<?xi32> {loom.name = "seq_starts", loom.dims = ["seqs+1"]}, %context_lens: tensor<?xi32> {loom.name = "context_lens", loom.dims = ["seqs"]}, %block_tables: tensor<?x?xi32> {loom.name = "block_tables", loom.dims = ["seqs", "blocks_per_seq"]}, %kv: !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 1, headDim = 64, elementType = bf16> {loom.name = "kv_cache"})
    -> (tensor<?x1536xbf16> {loom.name = "y"})
    attributes {loom.max_blocks_per_seq = 8 : i64, loom.max_seqs = 4 : i64, loom.max_tokens = 128 : i64} {
  %att = graph.paged_attention %q, %kv, %block_tables, %seq_starts, %context_lens {causal, head_dim = 64 : i64, layer = 0 : i64, num_heads = 24 : i64, num_kv_heads = 1 : i64, scale = 1.250000e-01 : f32} : tensor<?x1536xbf16>, !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 1, headDim = 64, elementType = bf16>, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %att : tensor<?x1536xbf16>
}
