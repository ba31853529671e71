// RUN: loom-opt %s --split-input-file --graph-plan-memory | FileCheck %s
// RUN: loom-opt %s --split-input-file --graph-hoist-weights --graph-fuse --graph-plan-memory \
// RUN:   | python3 %S/check_buffer_plan.py --smaller-than-sum llama_layer | FileCheck %s --check-prefix=PLAN

// Exact plan: largest first, best fit. a and e (1024 B) share offset 0 (never live together);
// b lives to the end at 1024; c reuses a's place; d finds no gap below b and goes to 1536.
// The reshape aliases c, extending its life to the gelu; 100-byte f is aligned to 256.
// CHECK-LABEL: func @small
// CHECK-SAME: loom.arena_alignment = 256 : i64, loom.arena_bytes = 2048 : i64
// CHECK-SAME: loom.buffer_plan = [
// CHECK-SAME: {bytes = 1024 : i64, first = 0 : i64, id = "v0", last = 1 : i64, offset = 0 : i64, shape = ["tokens", "64"]},
// CHECK-SAME: {bytes = 512 : i64, first = 1 : i64, id = "v1", last = 7 : i64, offset = 1024 : i64, shape = ["tokens", "64"]},
// CHECK-SAME: {bytes = 512 : i64, first = 2 : i64, id = "v2", last = 4 : i64, offset = 0 : i64, shape = ["tokens", "64"]},
// CHECK-SAME: {bytes = 512 : i64, first = 4 : i64, id = "v3", last = 5 : i64, offset = 1536 : i64, shape = ["tokens", "8", "8"]},
// CHECK-SAME: {bytes = 1024 : i64, first = 5 : i64, id = "v4", last = 7 : i64, offset = 0 : i64, shape = ["tokens", "8", "8"]},
// CHECK-SAME: {bytes = 100 : i64, first = 6 : i64, id = "v5", last = 7 : i64, offset = 1536 : i64, shape = ["1", "25"]}]
// CHECK: graph.silu %arg0 {loom.buffers = ["v0"]}
// CHECK: graph.cast %{{.+}} {loom.buffers = ["v1"]}
// CHECK: graph.silu %{{.+}} {loom.buffers = ["v2"]}
// CHECK: graph.reshape %{{.+}} {loom.buffers = ["v2"]}
// CHECK: graph.gelu %{{.+}} {loom.buffers = ["v3"]}
// CHECK: graph.cast %{{.+}} {loom.buffers = ["v4"]}
// CHECK: graph.silu %arg1 {loom.buffers = ["v5"]}
func.func @small(%x: tensor<?x64xf32> {loom.dims = ["tokens", "64"]}, %y: tensor<1x25xf32>)
    -> (tensor<?x8x8xf32>, tensor<?x64xbf16>, tensor<1x25xf32>) attributes {loom.max_tokens = 4 : i64} {
  %a = graph.silu %x : tensor<?x64xf32>
  %b = graph.cast %a : tensor<?x64xf32> to tensor<?x64xbf16>
  %c = graph.silu %b : tensor<?x64xbf16>
  %r = graph.reshape %c : tensor<?x64xbf16> to tensor<?x8x8xbf16>
  %d = graph.gelu %r : tensor<?x8x8xbf16>
  %e = graph.cast %d : tensor<?x8x8xbf16> to tensor<?x8x8xf32>
  %f = graph.silu %y : tensor<1x25xf32>
  return %e, %b, %f : tensor<?x8x8xf32>, tensor<?x64xbf16>, tensor<1x25xf32>
}

// -----

// Bounds: dim names with an offset, embedding rows from the ids, the largest operand bound
// otherwise; weights, arguments and the KV cache get no buffer.
// CHECK-LABEL: func @bounds
// CHECK-SAME: loom.arena_bytes = 4608 : i64
// CHECK-SAME: loom.buffer_plan = [
// CHECK-SAME: {bytes = 4096 : i64, first = 1 : i64, id = "v0", last = 2 : i64, offset = 0 : i64, shape = ["tokens", "8"]},
// CHECK-SAME: {bytes = 288 : i64, first = 2 : i64, id = "v1", last = 3 : i64, offset = 4096 : i64, shape = ["seqs+1", "8"]},
// CHECK-SAME: {bytes = 36 : i64, first = 3 : i64, id = "v2", last = 4 : i64, offset = 0 : i64, shape = ["seqs+1"]}]
// CHECK: graph.weight "table"
// CHECK-NOT: loom.buffers
// CHECK-SAME: : tensor<100x8xf32>
func.func @bounds(%tokens: tensor<?xi32> {loom.dims = ["tokens"]}, %starts: tensor<?xi32> {loom.dims = ["seqs+1"]},
                  %kv: !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = f32>)
    -> (tensor<?xi32>, !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = f32>)
    attributes {loom.max_tokens = 128 : i64, loom.max_seqs = 8 : i64} {
  %t = graph.weight "table" : tensor<100x8xf32>
  %h = graph.embedding %t, %tokens : tensor<100x8xf32>, tensor<?xi32> -> tensor<?x8xf32>
  %rows = graph.embedding %h, %starts : tensor<?x8xf32>, tensor<?xi32> -> tensor<?x8xf32>
  %ids = graph.argmax %rows : tensor<?x8xf32> -> tensor<?xi32>
  return %ids, %kv : tensor<?xi32>, !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = f32>
}

// -----

// A Llama-shaped layer after hoisting and fusion: the checker proves that no two buffers live at
// the same time overlap and that reuse makes the arena smaller than the sum of the buffers.
// (split pieces and rope results alias the packed QKV buffer: 9 buffers, not 14; program-order
// placement beats largest-first here: 524288 bytes, not 655360.)
// PLAN: small: 4 buffers, no overlap
// PLAN: bounds: 3 buffers, no overlap
// PLAN: llama_layer: 9 buffers, no overlap, arena 524288 < sum 1215744
// CHECK-LABEL: func @llama_layer
// CHECK-SAME: loom.arena_bytes
!kv = !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>
func.func @llama_layer(%tokens: tensor<?xi32> {loom.dims = ["tokens"]}, %positions: tensor<?xi32> {loom.dims = ["tokens"]},
                   %slots: tensor<?xi32> {loom.dims = ["tokens"]}, %seq_starts: tensor<?xi32> {loom.dims = ["seqs+1"]},
                   %context_lens: tensor<?xi32> {loom.dims = ["seqs"]}, %block_tables: tensor<?x?xi32> {loom.dims = ["seqs", "blocks_per_seq"]},
                   %logit_rows: tensor<?xi32> {loom.dims = ["seqs"]}, %kv: !kv) -> (tensor<?x1000xf32>, !kv)
    attributes {loom.max_tokens = 256 : i64, loom.max_seqs = 8 : i64, loom.max_blocks_per_seq = 16 : i64} {
  %emb = graph.weight "model.embed_tokens.weight" : tensor<1000x256xbf16>
  %h0 = graph.embedding %emb, %tokens : tensor<1000x256xbf16>, tensor<?xi32> -> tensor<?x256xbf16>
  %g1 = graph.weight "model.layers.0.input_layernorm.weight" : tensor<256xbf16>
  %n1 = graph.rms_norm %h0, %g1 {eps = 1.0e-5 : f32} : tensor<?x256xbf16>, tensor<256xbf16>
  %wq = graph.weight "model.layers.0.self_attn.q_proj.weight" : tensor<256x256xbf16>
  %wk = graph.weight "model.layers.0.self_attn.k_proj.weight" : tensor<128x256xbf16>
  %wv = graph.weight "model.layers.0.self_attn.v_proj.weight" : tensor<128x256xbf16>
  %wqkv = graph.concat %wq, %wk, %wv {axis = 0 : i64} : (tensor<256x256xbf16>, tensor<128x256xbf16>, tensor<128x256xbf16>) -> tensor<512x256xbf16>
  %qkv = graph.linear %n1, %wqkv : tensor<?x256xbf16>, tensor<512x256xbf16> -> tensor<?x512xbf16>
  %q, %k, %v = graph.split %qkv {axis = 1 : i64} : tensor<?x512xbf16> -> tensor<?x256xbf16>, tensor<?x128xbf16>, tensor<?x128xbf16>
  %qr = graph.rope %q, %positions {head_dim = 64 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x256xbf16>, tensor<?xi32>
  %kr = graph.rope %k, %positions {head_dim = 64 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x128xbf16>, tensor<?xi32>
  %kv1 = graph.kv_append %kv, %kr, %v, %slots {layer = 0 : i64} : !kv, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?xi32>
  %att = graph.paged_attention %qr, %kv1, %block_tables, %seq_starts, %context_lens {causal, head_dim = 64 : i64, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 0.125 : f32} : tensor<?x256xbf16>, !kv, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  %wo = graph.weight "model.layers.0.self_attn.o_proj.weight" : tensor<256x256xbf16>
  %o = graph.linear %att, %wo : tensor<?x256xbf16>, tensor<256x256xbf16> -> tensor<?x256xbf16>
  %h1 = graph.add %h0, %o : tensor<?x256xbf16>
  %g2 = graph.weight "model.layers.0.post_attention_layernorm.weight" : tensor<256xbf16>
  %n2 = graph.rms_norm %h1, %g2 {eps = 1.0e-5 : f32} : tensor<?x256xbf16>, tensor<256xbf16>
  %wg = graph.weight "model.layers.0.mlp.gate_proj.weight" : tensor<512x256xbf16>
  %wu = graph.weight "model.layers.0.mlp.up_proj.weight" : tensor<512x256xbf16>
  %wgu = graph.concat %wg, %wu {axis = 0 : i64} : (tensor<512x256xbf16>, tensor<512x256xbf16>) -> tensor<1024x256xbf16>
  %gu = graph.linear %n2, %wgu : tensor<?x256xbf16>, tensor<1024x256xbf16> -> tensor<?x1024xbf16>
  %gate, %up = graph.split %gu {axis = 1 : i64} : tensor<?x1024xbf16> -> tensor<?x512xbf16>, tensor<?x512xbf16>
  %sg = graph.silu %gate : tensor<?x512xbf16>
  %m = graph.mul %sg, %up : tensor<?x512xbf16>
  %wd = graph.weight "model.layers.0.mlp.down_proj.weight" : tensor<256x512xbf16>
  %d = graph.linear %m, %wd : tensor<?x512xbf16>, tensor<256x512xbf16> -> tensor<?x256xbf16>
  %h2 = graph.add %h1, %d : tensor<?x256xbf16>
  %gf = graph.weight "model.norm.weight" : tensor<256xbf16>
  %nf = graph.rms_norm %h2, %gf {eps = 1.0e-5 : f32} : tensor<?x256xbf16>, tensor<256xbf16>
  %rows = graph.embedding %nf, %logit_rows : tensor<?x256xbf16>, tensor<?xi32> -> tensor<?x256xbf16>
  %wl = graph.weight "lm_head.weight" : tensor<1000x256xbf16>
  %lg = graph.linear %rows, %wl : tensor<?x256xbf16>, tensor<1000x256xbf16> -> tensor<?x1000xbf16>
  %lf = graph.cast %lg : tensor<?x1000xbf16> to tensor<?x1000xf32>
  return %lf, %kv1 : tensor<?x1000xf32>, !kv
}
