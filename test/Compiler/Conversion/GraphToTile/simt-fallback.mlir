// RUN: loom-opt %s --split-input-file --convert-graph-to-tile=target=sm_90a --tile-tiling=target=sm_90a --tile-lower-to-tensor-cores=target=sm_90a | FileCheck %s
// RUN: loom-opt %s --split-input-file --convert-graph-to-tile=target=sm_90a --tile-tiling="target=sm_90a explain=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: loom-opt %s --split-input-file --convert-graph-to-tile=target=sm_80 --tile-tiling=target=sm_80 --tile-lower-to-tensor-cores=target=sm_80 | FileCheck %s --check-prefix=SM80

// The CUDA-core fallbacks (loom/gemm_simt.cuh, loom/attention_simt.cuh) are chosen only where no
// tensor-core kernel can be legal, and each says why (loom.fallback; a remark with explain).

// f32 operands: no MMA atom, so the SIMT GEMM (decode-sized rows: 16 x 64 tiles of 1 x 4 per
// thread, 256 threads, static shared memory only) and its pseudo atom.
// REMARK: remark: runs the CUDA-core fallback: no MMA atom for sm_90a with f32 operands
// CHECK-LABEL: tile.kernel @linear_0
// CHECK-SAME: block = array<i32: 256, 1, 1>
// CHECK-SAME: config = {bk = 16 : i64, bm = 16 : i64, bn = 64 : i64, simt = 1 : i64, tm = 1 : i64, tn = 4 : i64}
// CHECK-SAME: grid = ["ceildiv(seqs, 16) * 8", "1", "1"]
// CHECK-SAME: loom.fallback = "no MMA atom for sm_90a with f32 operands"
// CHECK-SAME: shared_bytes = 0 : i64
// CHECK: tile.dot {{.*}}atom = "simt.fma.f32"
// SM80-LABEL: tile.kernel @linear_0
// SM80-SAME: loom.fallback = "no MMA atom for sm_80 with f32 operands"
func.func @forward(%x: tensor<?x64xf32> {loom.dims = ["seqs"]}) -> tensor<?x512xf32> attributes {loom.max_seqs = 8 : i64} {
  %w = graph.weight "lm_head.weight" : tensor<512x64xf32>
  %y = graph.linear %x, %w : tensor<?x64xf32>, tensor<512x64xf32> -> tensor<?x512xf32>
  return %y : tensor<?x512xf32>
}

// -----

// bf16 with K = 172 (stories260k's down projection): an atom exists, but rows of 344 bytes are
// not 16-byte aligned; prefill-sized rows take 64 x 64 tiles of 4 x 4 per thread.
// REMARK: remark: runs the CUDA-core fallback: K (172) is not a multiple of 8
// CHECK-LABEL: tile.kernel @linear_0
// CHECK-SAME: config = {bk = 16 : i64, bm = 64 : i64, bn = 64 : i64, simt = 1 : i64, tm = 4 : i64, tn = 4 : i64}
// CHECK-SAME: grid = ["ceildiv(tokens, 64) * 1", "1", "1"]
// CHECK-SAME: loom.fallback = "K (172) is not a multiple of 8, so rows of X and W are not 16-byte aligned"
// CHECK: tile.dot {{.*}}atom = "simt.fma.f32"
// CHECK-NOT: tile.kernel @linear_gemv
func.func @forward(%x: tensor<?x172xbf16>) -> tensor<?x64xbf16> attributes {loom.max_tokens = 256 : i64} {
  %w = graph.weight "down.weight" : tensor<64x172xbf16>
  %y = graph.linear %x, %w : tensor<?x172xbf16>, tensor<64x172xbf16> -> tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}

// -----

// bf16 with N = 36 and K = 64: the N rule alone.
// CHECK-LABEL: tile.kernel @linear_0
// CHECK-SAME: loom.fallback = "N (36) is not a multiple of 8, so rows of W and Y are not 16-byte aligned"
func.func @forward(%x: tensor<?x64xbf16>) -> tensor<?x36xbf16> attributes {loom.max_tokens = 256 : i64} {
  %w = graph.weight "proj.weight" : tensor<36x64xbf16>
  %y = graph.linear %x, %w : tensor<?x64xbf16>, tensor<36x64xbf16> -> tensor<?x36xbf16>
  return %y : tensor<?x36xbf16>
}

// -----

// An aligned bf16 GEMM keeps the tensor cores: no fallback, a real MMA atom.
// CHECK-LABEL: tile.kernel @linear_0
// CHECK-NOT: loom.fallback
// CHECK-NOT: simt
// CHECK: tile.dot {{.*}}atom = "wgmma.m64nNk16.bf16"
// REMARK-NOT: remark: runs the CUDA-core fallback: {{.*}}256
func.func @forward(%x: tensor<?x256xbf16>) -> tensor<?x256xbf16> attributes {loom.max_tokens = 256 : i64} {
  %w = graph.weight "proj.weight" : tensor<256x256xbf16>
  %y = graph.linear %x, %w : tensor<?x256xbf16>, tensor<256x256xbf16> -> tensor<?x256xbf16>
  return %y : tensor<?x256xbf16>
}

// -----

// stories260k's attention: f32 KV, head_dim 8, GQA 8:4. rope + kv_append takes f32 rows; paged
// attention falls back to the SIMT kernel, one CTA per (token, head), for every step (no guard).
// REMARK: remark: runs the CUDA-core fallback: no tensor-core prefill kernel takes head_dim 8 with f32 KV
// CHECK-LABEL: tile.kernel @rope_kv_append_1(
// CHECK-SAME: head_dim = 8 : i64, heads = 8 : i64, interleaved = 0 : i64, kv_heads = 4 : i64
// CHECK-SAME: loom.library = "rope_kv_append"
// CHECK-LABEL: tile.kernel @paged_attention_2(
// CHECK-SAME: block = array<i32: 128, 1, 1>, config = {block_size = 16 : i64, causal = 1 : i64, head_dim = 8 : i64, heads = 8 : i64, kv_heads = 4 : i64, warps = 4 : i64}, grid = ["tokens", "8", "1"], loom.fallback = "no tensor-core prefill kernel takes head_dim 8 with f32 KV (they take head dims 64 and 128, bf16 or f16)"
// CHECK-SAME: loom.library = "paged_attention_simt"
// CHECK-NOT: paged_attention_decode
// CHECK: tile.launch @rope_kv_append_1
// CHECK-NEXT: tile.launch @paged_attention_2 ["buffer:v0", "int:128", {{.*}}]{{$}}
func.func @forward(%x: tensor<?x64xf32> {loom.name = "x"}, %positions: tensor<?xi32> {loom.name = "positions"}, %slots: tensor<?xi32> {loom.name = "slots"}, %seq_starts: tensor<?xi32> {loom.name = "seq_starts", loom.dims = ["seqs+1"]}, %context_lens: tensor<?xi32> {loom.name = "context_lens", loom.dims = ["seqs"]}, %block_tables: tensor<?x?xi32> {loom.name = "block_tables", loom.dims = ["seqs", "blocks_per_seq"]}, %kv: !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 4, headDim = 8, elementType = f32> {loom.name = "kv_cache"})
    -> (tensor<?x64xf32> {loom.name = "y"}, !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 4, headDim = 8, elementType = f32>)
    attributes {loom.max_blocks_per_seq = 8 : i64, loom.max_seqs = 4 : i64, loom.max_tokens = 128 : i64} {
  %wqkv = graph.weight "qkv" : tensor<128x64xf32>
  %qkv = graph.linear %x, %wqkv : tensor<?x64xf32>, tensor<128x64xf32> -> tensor<?x128xf32>
  %q, %k, %v = graph.split %qkv {axis = 1 : i64} : tensor<?x128xf32> -> tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
  %qr = graph.rope %q, %positions {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.000000e+04 : f32} : tensor<?x64xf32>, tensor<?xi32>
  %kr = graph.rope %k, %positions {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.000000e+04 : f32} : tensor<?x32xf32>, tensor<?xi32>
  %kv1 = graph.kv_append %kv, %kr, %v, %slots {layer = 0 : i64} : !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 4, headDim = 8, elementType = f32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?xi32>
  %att = graph.paged_attention %qr, %kv1, %block_tables, %seq_starts, %context_lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 8 : i64, num_kv_heads = 4 : i64, scale = 0.353553385 : f32} : tensor<?x64xf32>, !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 4, headDim = 8, elementType = f32>, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %att, %kv1 : tensor<?x64xf32>, !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 4, headDim = 8, elementType = f32>
}

// -----

// bf16, head_dim 32: only the head dim rules the tensor cores out.
// CHECK-LABEL: tile.kernel @paged_attention_0(
// CHECK-SAME: loom.fallback = "no tensor-core prefill kernel takes head_dim 32 with bf16 KV (they take head dims 64 and 128, bf16 or f16)"
// CHECK-SAME: loom.library = "paged_attention_simt"
func.func @forward(%q: tensor<?x128xbf16> {loom.name = "q"}, %seq_starts: tensor<?xi32> {loom.name = "seq_starts", loom.dims = ["seqs+1"]}, %context_lens: tensor<?xi32> {loom.name = "context_lens", loom.dims = ["seqs"]}, %block_tables: tensor<?x?xi32> {loom.name = "block_tables", loom.dims = ["seqs", "blocks_per_seq"]}, %kv: !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 32, elementType = bf16> {loom.name = "kv_cache"})
    -> (tensor<?x128xbf16> {loom.name = "y"})
    attributes {loom.max_blocks_per_seq = 8 : i64, loom.max_seqs = 4 : i64, loom.max_tokens = 128 : i64} {
  %att = graph.paged_attention %q, %kv, %block_tables, %seq_starts, %context_lens {causal, head_dim = 32 : i64, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 0.1767767 : f32} : tensor<?x128xbf16>, !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 32, elementType = bf16>, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %att : tensor<?x128xbf16>
}
