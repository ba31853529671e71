// RUN: loom-opt %s --split-input-file --tile-emit-cuda --verify-diagnostics -o /dev/null

// Errors of the wgmma skinny GEMM's wrapper (EmitGemmSkinnySm90.cpp) on the tiled sm_90a QKV GEMM of
// rope-kv-epilogue.mlir (128 rows: the skinny GEMM) with one thing missing each: no literal 0
// reaches SkinnySm90Config or its shared-memory static_assert.

// Its config lost the ring depth.
module {
  // expected-error @+1 {{the wgmma skinny GEMM's config has no 'ring'}}
  tile.kernel @fused_rms_norm_linear_split_rope_rope_kv_append_0(%x: !tile.ptr<bf16>, %w: !tile.ptr<bf16>, %tokens: i32, %bias: !tile.ptr<bf16>, %q: !tile.ptr<bf16>, %positions: !tile.ptr<i32>, %slots: !tile.ptr<i32>, %k_cache: !tile.ptr<bf16>, %v_cache: !tile.ptr<bf16>, %layer: i32, %cache_blocks: i32, %theta: f32, %factor: f32, %low_freq_factor: f32, %high_freq_factor: f32, %original_max_position: f32) attributes {block = array<i32: 288, 1, 1>, config = {bm = 64 : i64, bn = 128 : i64, consumers = 2 : i64, max_m = 128 : i64, split = 4 : i64}, grid = ["4", "4", "1"], ops = ["graph.rms_norm", "graph.linear", "graph.split", "graph.rope", "graph.rope", "graph.kv_append"], param_names = ["x", "w", "tokens", "bias", "q", "positions", "slots", "k_cache", "v_cache", "layer", "cache_blocks", "theta", "factor", "low_freq_factor", "high_freq_factor", "original_max_position"], shared_bytes = 99904 : i64} {
    %c256_i32 = arith.constant 256 : i32
    %c512_i32 = arith.constant 512 : i32
    %0 = tile.program_id 1
    %1 = tile.program_id 0
    %2 = tile.row_scale %x[%1] sizes(%tokens, %c256_i32) {eps = 9.99999974E-6 : f32} : !tile.ptr<bf16> -> tensor<?x1xf32>
    %3 = tile.dot %x[%1], %w[%0] sizes(%tokens, %c512_i32, %c256_i32) scale(%2 : tensor<?x1xf32>) {atom = "wgmma.m64nNk16.bf16"} : !tile.ptr<bf16>, !tile.ptr<bf16> -> tensor<?x?xf32>
    %4 = tile.load %bias[%0] bounds(%c512_i32) {layout = #tile.layout<row>, shape = ["bn"]} : !tile.ptr<bf16> -> tensor<?xf32>
    %5 = tile.map <add> %3, %4 : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
    tile.store %5, %q[%1, %0] bounds(%tokens, %c512_i32) {layout = #tile.layout<mma>, loom.rope_kv = {block_size = 16 : i64, head_dim = 64 : i64, kv_width = 128 : i64, q_width = 256 : i64}, shape = ["bm", "bn"]} : tensor<?x?xf32>, !tile.ptr<bf16>
    tile.return
  }
  tile.launch_program attributes {arena_bytes = 135424 : i64, buffers = [{bytes = 65536 : i64, dtype = "bf16", live = [0, 1], name = "v0", offset = 0 : i64, shape = ["tokens", 256]}, {bytes = 65536 : i64, dtype = "bf16", live = [1, 2], name = "v1", offset = 65536 : i64, shape = ["tokens", 256]}, {bytes = 65536 : i64, dtype = "bf16", live = [2, 3], name = "v2", offset = 0 : i64, shape = ["tokens", 256]}, {bytes = 4096 : i64, dtype = "f32", live = [1, 1], name = "v3", offset = 131072 : i64, scratch = "partial_out", shape = [1024]}, {bytes = 128 : i64, dtype = "f32", live = [1, 1], name = "v4", offset = 135168 : i64, scratch = "partial_stats", shape = [32]}], dims = {blocks_per_seq = 8 : i64, seqs = 4 : i64, tokens = 128 : i64}, inputs = [{dtype = "bf16", name = "x", shape = ["tokens", 256]}, {dtype = "i32", name = "positions", shape = ["tokens"]}, {dtype = "i32", name = "slots", shape = ["tokens"]}, {dtype = "i32", name = "seq_starts", shape = ["seqs+1"]}, {dtype = "i32", name = "context_lens", shape = ["seqs"]}, {dtype = "i32", name = "block_tables", shape = ["seqs", "blocks_per_seq"]}], kv_cache = {block_size = 16 : i64, blocks = 64 : i64, dtype = "bf16", head_dim = 64 : i64, kv_heads = 2 : i64, layers = 2 : i64}, outputs = [{buffer = "v2", dtype = "bf16", name = "y", shape = ["tokens", 256]}], weights = [{dtype = "bf16", name = "norm", shape = [256]}, {dtype = "bf16", name = "qkv", shape = [512, 256]}, {dtype = "bf16", name = "qkv.bias", shape = [512]}, {dtype = "bf16", name = "o", shape = [256, 256]}, {dtype = "bf16", name = "loom.scaled.qkv", recipe = {scale = {axis = 1 : i64, of = ["qkv", "norm"]}}, shape = [512, 256]}]} {
    tile.launch @fused_rms_norm_linear_split_rope_rope_kv_append_0 ["input:x", "weight:loom.scaled.qkv", "dim:tokens", "weight:qkv.bias", "buffer:v0", "input:positions", "input:slots", "kv_k:", "kv_v:", "int:1", "int:64", "float:5.00000000e+05", "float:3.20000000e+01", "float:1.00000000e+00", "float:4.00000000e+00", "float:8.19200000e+03"]
  }
}

// -----

// The kernel has no shared bytes (tile-tiling did not run).
module {
  // expected-error @+1 {{the wgmma skinny GEMM needs its launch's block and shared bytes (run tile-tiling)}}
  tile.kernel @fused_rms_norm_linear_split_rope_rope_kv_append_0(%x: !tile.ptr<bf16>, %w: !tile.ptr<bf16>, %tokens: i32, %bias: !tile.ptr<bf16>, %q: !tile.ptr<bf16>, %positions: !tile.ptr<i32>, %slots: !tile.ptr<i32>, %k_cache: !tile.ptr<bf16>, %v_cache: !tile.ptr<bf16>, %layer: i32, %cache_blocks: i32, %theta: f32, %factor: f32, %low_freq_factor: f32, %high_freq_factor: f32, %original_max_position: f32) attributes {block = array<i32: 288, 1, 1>, config = {bm = 64 : i64, bn = 128 : i64, consumers = 2 : i64, max_m = 128 : i64, ring = 3 : i64, split = 4 : i64}, grid = ["4", "4", "1"], ops = ["graph.rms_norm", "graph.linear", "graph.split", "graph.rope", "graph.rope", "graph.kv_append"], param_names = ["x", "w", "tokens", "bias", "q", "positions", "slots", "k_cache", "v_cache", "layer", "cache_blocks", "theta", "factor", "low_freq_factor", "high_freq_factor", "original_max_position"]} {
    %c256_i32 = arith.constant 256 : i32
    %c512_i32 = arith.constant 512 : i32
    %0 = tile.program_id 1
    %1 = tile.program_id 0
    %2 = tile.row_scale %x[%1] sizes(%tokens, %c256_i32) {eps = 9.99999974E-6 : f32} : !tile.ptr<bf16> -> tensor<?x1xf32>
    %3 = tile.dot %x[%1], %w[%0] sizes(%tokens, %c512_i32, %c256_i32) scale(%2 : tensor<?x1xf32>) {atom = "wgmma.m64nNk16.bf16"} : !tile.ptr<bf16>, !tile.ptr<bf16> -> tensor<?x?xf32>
    %4 = tile.load %bias[%0] bounds(%c512_i32) {layout = #tile.layout<row>, shape = ["bn"]} : !tile.ptr<bf16> -> tensor<?xf32>
    %5 = tile.map <add> %3, %4 : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
    tile.store %5, %q[%1, %0] bounds(%tokens, %c512_i32) {layout = #tile.layout<mma>, loom.rope_kv = {block_size = 16 : i64, head_dim = 64 : i64, kv_width = 128 : i64, q_width = 256 : i64}, shape = ["bm", "bn"]} : tensor<?x?xf32>, !tile.ptr<bf16>
    tile.return
  }
  tile.launch_program attributes {arena_bytes = 135424 : i64, buffers = [{bytes = 65536 : i64, dtype = "bf16", live = [0, 1], name = "v0", offset = 0 : i64, shape = ["tokens", 256]}, {bytes = 65536 : i64, dtype = "bf16", live = [1, 2], name = "v1", offset = 65536 : i64, shape = ["tokens", 256]}, {bytes = 65536 : i64, dtype = "bf16", live = [2, 3], name = "v2", offset = 0 : i64, shape = ["tokens", 256]}, {bytes = 4096 : i64, dtype = "f32", live = [1, 1], name = "v3", offset = 131072 : i64, scratch = "partial_out", shape = [1024]}, {bytes = 128 : i64, dtype = "f32", live = [1, 1], name = "v4", offset = 135168 : i64, scratch = "partial_stats", shape = [32]}], dims = {blocks_per_seq = 8 : i64, seqs = 4 : i64, tokens = 128 : i64}, inputs = [{dtype = "bf16", name = "x", shape = ["tokens", 256]}, {dtype = "i32", name = "positions", shape = ["tokens"]}, {dtype = "i32", name = "slots", shape = ["tokens"]}, {dtype = "i32", name = "seq_starts", shape = ["seqs+1"]}, {dtype = "i32", name = "context_lens", shape = ["seqs"]}, {dtype = "i32", name = "block_tables", shape = ["seqs", "blocks_per_seq"]}], kv_cache = {block_size = 16 : i64, blocks = 64 : i64, dtype = "bf16", head_dim = 64 : i64, kv_heads = 2 : i64, layers = 2 : i64}, outputs = [{buffer = "v2", dtype = "bf16", name = "y", shape = ["tokens", 256]}], weights = [{dtype = "bf16", name = "norm", shape = [256]}, {dtype = "bf16", name = "qkv", shape = [512, 256]}, {dtype = "bf16", name = "qkv.bias", shape = [512]}, {dtype = "bf16", name = "o", shape = [256, 256]}, {dtype = "bf16", name = "loom.scaled.qkv", recipe = {scale = {axis = 1 : i64, of = ["qkv", "norm"]}}, shape = [512, 256]}]} {
    tile.launch @fused_rms_norm_linear_split_rope_rope_kv_append_0 ["input:x", "weight:loom.scaled.qkv", "dim:tokens", "weight:qkv.bias", "buffer:v0", "input:positions", "input:slots", "kv_k:", "kv_v:", "int:1", "int:64", "float:5.00000000e+05", "float:3.20000000e+01", "float:1.00000000e+00", "float:4.00000000e+00", "float:8.19200000e+03"]
  }
}
