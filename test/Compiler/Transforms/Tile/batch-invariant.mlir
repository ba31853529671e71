// RUN: loom-opt %s --graph-hoist-weights --graph-fuse --convert-graph-to-tile --cse "--tile-tiling=target=sm_90a batch-invariant=true" | FileCheck %s
// RUN: loom-opt %s --graph-hoist-weights --graph-fuse --convert-graph-to-tile --cse "--tile-tiling=target=sm_90a batch-invariant=true" | FileCheck %s --check-prefix=NONE
// RUN: loom-opt %s "--graph-to-tile=target=sm_80 batch-invariant=true" | FileCheck %s --check-prefix=NONE
// RUN: loom-opt %s --graph-hoist-weights --graph-fuse --convert-graph-to-tile --cse "--tile-tiling=target=sm_90a batch-invariant=true explain=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EXPLAIN
// RUN: loom-opt %s --graph-hoist-weights --graph-fuse --convert-graph-to-tile --cse --tile-tiling=target=sm_90a | FileCheck %s --check-prefix=DEFAULT
// RUN: loom-opt %s "--graph-to-cuda=target=sm_90a batch-invariant=true" -o /dev/null | FileCheck %s --check-prefix=MANIFEST
// RUN: loom-opt %s --graph-to-cuda=target=sm_90a -o /dev/null | FileCheck %s --check-prefix=NOFLAG

// A Llama layer (as in emit-llama-layer.mlir) compiled batch-invariant: every op has one kernel
// and every launch runs on every step, so a row reduces in the same order at every batch size
// and chunking — no decode GEMV copies guarded on the row count, and paged attention's prefill
// kernel serves decode steps too (its split-KV decode branch is erased). The
// default program, for contrast, picks kernels by the step's shape.
// CHECK-LABEL: tile.kernel @fused_rms_norm_linear_0
// CHECK-LABEL: tile.kernel @paged_attention_3
// CHECK-LABEL: tile.launch_program
// CHECK: tile.launch @embedding_0 {{\[.*\]$}}
// CHECK-NEXT: tile.launch @fused_rms_norm_linear_0 {{\[.*\]$}}
// CHECK-NEXT: tile.launch @rope_kv_append_2 {{\[.*\]$}}
// CHECK-NEXT: tile.launch @paged_attention_3 {{\[.*\]$}}
// CHECK-NEXT: tile.launch @fused_linear_add_1 {{\[.*\]$}}
// CHECK-NEXT: tile.launch @fused_rms_norm_linear_split_silu_mul_2 {{\[.*\]$}}
// CHECK-NEXT: tile.launch @fused_linear_add_3 {{\[.*\]$}}
// NONE-NOT: gemv
// NONE-NOT: loom.max_rows
// NONE-NOT: paged_attention_decode
// NONE-NOT: when
// EXPLAIN: remark: batch-invariant: 'paged_attention_decode_3' (decode-only branch) erased; the prefill kernel runs every step
// EXPLAIN: note: see current operation: tile.launch @paged_attention_decode_3 {{.*}} when "decode"
// EXPLAIN-NOT: decode GEMV variant
// The manifest says so (the runtime checks it against EngineConfig::batchInvariant).
// MANIFEST: "batch_invariant": true
// NOFLAG-NOT: "batch_invariant"
// DEFAULT: tile.launch @fused_rms_norm_linear_gemv8_0 {{.*}} when "tokens <= 8"
// DEFAULT-NEXT: tile.launch @fused_rms_norm_linear_gemv_0 {{.*}} when "tokens > 8 && tokens <= 16"
// DEFAULT: tile.launch @paged_attention_3 {{.*}} when "prefill"
// DEFAULT-NEXT: tile.launch @paged_attention_decode_3 {{.*}} when "decode"
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
