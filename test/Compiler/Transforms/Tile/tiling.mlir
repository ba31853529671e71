// RUN: loom-opt %s --split-input-file --convert-graph-to-tile --tile-tiling=target=sm_80 | FileCheck %s --check-prefix=SM80
// RUN: loom-opt %s --split-input-file --convert-graph-to-tile --tile-tiling=target=sm_90a | FileCheck %s --check-prefix=SM90A

// A prefill-sized GEMM: mma.sync tiles on sm_80 (launch shape from GemmConfig's contract; scored over
// 32..4096 rows, the rows its GEMV copy leaves it: 128x64 keeps more CTAs busy below 1k rows);
// sm_90a takes the tuning table's measured 128x256 wgmma tile for 4096x4096. (Its decode GEMV
// variant, linear_gemv_0, is checked in gemv-variants.mlir.)
// SM80-LABEL: tile.kernel @linear_0
// SM80-SAME: block = array<i32: 128, 1, 1>
// SM80-SAME: config = {bk = 64 : i64, bm = 128 : i64, bn = 64 : i64, stages = 4 : i64, warps_m = 2 : i64, warps_n = 2 : i64}
// SM80-SAME: grid = ["ceildiv(tokens, 128) * 64", "1", "1"]
// SM80-SAME: shared_bytes = 98304 : i64
// SM90A-LABEL: tile.kernel @linear_0
// SM90A-SAME: block = array<i32: 384, 1, 1>
// SM90A-SAME: config = {bm = 128 : i64, bn = 256 : i64, consumers = 2 : i64, group_m = 8 : i64, stages = 4 : i64}
// SM90A-SAME: grid = ["min(ceildiv(tokens, 128) * 16, 132)", "1", "1"]
// SM90A-SAME: shared_bytes = 214080 : i64
func.func @forward(%x: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> attributes {loom.max_tokens = 4096 : i64} {
  %w = graph.weight "proj.weight" : tensor<4096x4096xbf16>
  %y = graph.linear %x, %w : tensor<?x4096xbf16>, tensor<4096x4096xbf16> -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}

// -----

// A decode-sized GEMM (at most 8 rows): the GEMV family, grid over N and the rows. 512 CTAs of
// 16 rows need several waves on the A100's 108 SMs whatever the warps; 4 warps of two 16-row
// tiles make 256 CTAs that are all resident at once (4 per SM) with 48 KB in flight per SM.
// SM80-LABEL: tile.kernel @linear_0
// SM80-SAME: config = {bm = 8 : i64, bn = 32 : i64, max_m = 8 : i64, row_tiles = 2 : i64, unroll = 2 : i64, warps = 4 : i64}
// SM80-SAME: grid = ["256", "ceildiv(seqs, 8)", "1"]
// SM80-SAME: shared_bytes = 0 : i64
// SM90A-LABEL: tile.kernel @linear_0
// SM90A-SAME: max_m = 8
func.func @forward(%x: tensor<?x2048xbf16> {loom.dims = ["seqs"]}) -> tensor<?x8192xbf16> attributes {loom.max_seqs = 8 : i64} {
  %w = graph.weight "lm_head.weight" : tensor<8192x2048xbf16>
  %y = graph.linear %x, %w : tensor<?x2048xbf16>, tensor<8192x2048xbf16> -> tensor<?x8192xbf16>
  return %y : tensor<?x8192xbf16>
}

// -----

// Rows stay in registers (at most 8 packets of 8 per thread): 4096 / 64 = 64 threads per row.
// SM80-LABEL: tile.kernel @rms_norm_0
// SM80-SAME: block = array<i32: 256, 1, 1>
// SM80-SAME: config = {rows = 4 : i64, threads_per_row = 64 : i64, vec = 8 : i64}
// SM80-SAME: grid = ["ceildiv(tokens, 4)", "1", "1"]
func.func @forward(%x: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> attributes {loom.max_tokens = 4096 : i64} {
  %w = graph.weight "norm.weight" : tensor<4096xbf16>
  %y = graph.rms_norm %x, %w {eps = 1.0e-5 : f32} : tensor<?x4096xbf16>, tensor<4096xbf16>
  return %y : tensor<?x4096xbf16>
}

// -----

// An elementwise chain: 16-byte packets of bf16 (vec 8), 256 threads; a grid that fills the
// machine needs no unrolling.
// SM80-LABEL: tile.kernel @fused_silu_mul_0
// SM80-SAME: config = {block = 2048 : i64, threads = 256 : i64, unroll = 1 : i64, vec = 8 : i64}
// SM80-SAME: grid = ["ceildiv(tokens * 11008, 2048)", "1", "1"]
func.func @forward(%g: tensor<?x11008xbf16>, %u: tensor<?x11008xbf16>) -> tensor<?x11008xbf16> attributes {loom.max_tokens = 4096 : i64} {
  %y = graph.fused elementwise "fused_silu_mul_0" (%a = %g, %b = %u) : (tensor<?x11008xbf16>, tensor<?x11008xbf16>) -> tensor<?x11008xbf16> {
    %0 = graph.silu %a : tensor<?x11008xbf16>
    %1 = graph.mul %0, %b : tensor<?x11008xbf16>
    graph.yield %1 : tensor<?x11008xbf16>
  }
  return %y : tensor<?x11008xbf16>
}
