// RUN: loom-opt %s --split-input-file --convert-graph-to-tile=target=sm_80 | FileCheck %s --check-prefixes=CHECK,MMA
// RUN: loom-opt %s --split-input-file --convert-graph-to-tile=target=sm_90 | FileCheck %s --check-prefixes=CHECK,MMA
// RUN: loom-opt %s --split-input-file --convert-graph-to-tile | FileCheck %s --check-prefixes=CHECK,MMA
// RUN: loom-opt %s --split-input-file --convert-graph-to-tile=target=sm_90a | FileCheck %s --check-prefixes=CHECK,WGMMA
// RUN: not loom-opt %s --split-input-file --convert-graph-to-tile=target=sm_70 2>&1 | FileCheck %s --check-prefix=BAD

// The prefill kernel of paged attention is the first row of the prefill table the target runs:
// the wgmma kernel (loom/attention_prefill_sm90.cuh: 128 query rows, 12 warps, 128-position
// K/V tiles in a 2-stage ring, 1 KB + (128 + 2·2·128)·128·2 + 8·9 = 164936 bytes of shared
// memory) on sm_90a only; the mma.sync kernel (64 x 64, 4 warps, (64 + 2·64)·128·2 = 49152
// bytes) on sm_80, on sm_90 (no wgmma) and when no target is named.
// CHECK-LABEL: tile.kernel @paged_attention_0(
// MMA-SAME: block = array<i32: 128, 1, 1>, config = {block_size = 16 : i64, bm = 64 : i64, bn = 64 : i64, causal = 1 : i64, head_dim = 128 : i64, heads = 8 : i64, kv_heads = 2 : i64, warps = 4 : i64}, grid = ["8", "ceildiv(tokens, 64) + seqs", "1"], loom.library = "paged_attention_prefill"
// MMA-SAME: shared_bytes = 49152
// WGMMA-SAME: block = array<i32: 384, 1, 1>, config = {block_size = 16 : i64, bm = 128 : i64, bn = 128 : i64, causal = 1 : i64, head_dim = 128 : i64, heads = 8 : i64, kv_heads = 2 : i64, stages = 2 : i64, warps = 12 : i64}, grid = ["8", "ceildiv(tokens, 128) + seqs", "1"], loom.library = "paged_attention_prefill_sm90"
// WGMMA-SAME: shared_bytes = 164936
// MMA-NOT: paged_attention_prefill_sm90
// CHECK-LABEL: tile.kernel @paged_attention_decode_0(
// CHECK-SAME: loom.library = "paged_attention_decode"
// CHECK: tile.launch @paged_attention_0 [{{.+}}] when "prefill"
// CHECK-NEXT: tile.launch @paged_attention_decode_0 [{{.+}}] when "decode"
// BAD: unknown target 'sm_70'
func.func @forward(%q: tensor<?x1024xbf16> {loom.name = "q"}, %seq_starts: tensor<?xi32> {loom.name = "seq_starts", loom.dims = ["seqs+1"]}, %context_lens: tensor<?xi32> {loom.name = "context_lens", loom.dims = ["seqs"]}, %block_tables: tensor<?x?xi32> {loom.name = "block_tables", loom.dims = ["seqs", "blocks_per_seq"]}, %kv: !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 128, elementType = bf16> {loom.name = "kv_cache"})
    -> (tensor<?x1024xbf16> {loom.name = "y"})
    attributes {loom.max_blocks_per_seq = 8 : i64, loom.max_seqs = 4 : i64, loom.max_tokens = 128 : i64} {
  %att = graph.paged_attention %q, %kv, %block_tables, %seq_starts, %context_lens {causal, head_dim = 128 : i64, layer = 0 : i64, num_heads = 8 : i64, num_kv_heads = 2 : i64, scale = 0.088388 : f32} : tensor<?x1024xbf16>, !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 128, elementType = bf16>, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %att : tensor<?x1024xbf16>
}

// -----

// f16, head dim 64, not causal: the same choice per target (the Hopper kernel instantiates both
// head dims and both 16-bit types); shared memory 1 KB + (128 + 512)·64·2 + 72 = 83016 bytes.
// CHECK-LABEL: tile.kernel @paged_attention_0(
// MMA-SAME: causal = 0 : i64, head_dim = 64 : i64
// MMA-SAME: loom.library = "paged_attention_prefill"
// MMA-SAME: shared_bytes = 24576
// WGMMA-SAME: causal = 0 : i64, head_dim = 64 : i64
// WGMMA-SAME: loom.library = "paged_attention_prefill_sm90"
// WGMMA-SAME: shared_bytes = 83016
func.func @forward(%q: tensor<?x256xf16> {loom.name = "q"}, %seq_starts: tensor<?xi32> {loom.name = "seq_starts", loom.dims = ["seqs+1"]}, %context_lens: tensor<?xi32> {loom.name = "context_lens", loom.dims = ["seqs"]}, %block_tables: tensor<?x?xi32> {loom.name = "block_tables", loom.dims = ["seqs", "blocks_per_seq"]}, %kv: !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 4, headDim = 64, elementType = f16> {loom.name = "kv_cache"})
    -> (tensor<?x256xf16> {loom.name = "y"})
    attributes {loom.max_blocks_per_seq = 8 : i64, loom.max_seqs = 4 : i64, loom.max_tokens = 128 : i64} {
  %att = graph.paged_attention %q, %kv, %block_tables, %seq_starts, %context_lens {head_dim = 64 : i64, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 4 : i64, scale = 0.125 : f32} : tensor<?x256xf16>, !graph.kv_cache<layers = 1, blocks = 64, blockSize = 16, kvHeads = 4, headDim = 64, elementType = f16>, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %att : tensor<?x256xf16>
}
