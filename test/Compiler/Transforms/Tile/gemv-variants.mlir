// RUN: loom-opt %s --split-input-file --graph-hoist-weights --graph-fuse --convert-graph-to-tile --tile-tiling=target=sm_90a | FileCheck %s
// RUN: loom-opt %s --split-input-file --graph-hoist-weights --graph-fuse --convert-graph-to-tile --tile-tiling=target=sm_80 | FileCheck %s --check-prefix=SM80
// RUN: loom-opt %s --split-input-file --graph-hoist-weights --graph-fuse --convert-graph-to-tile "--tile-tiling=target=sm_90a gemv-variants=false" | FileCheck %s --check-prefix=OFF
// RUN: loom-opt %s --split-input-file --graph-hoist-weights --graph-fuse --convert-graph-to-tile "--tile-tiling=target=sm_90a explain=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EXPLAIN

// A linear whose rows are bounded by max tokens (4096): the wgmma GEMM stays for steps of more
// than 128 rows, a GEMV copy of MAX_M 8 launches on steps of at most 8 rows and one capped at 16
// on steps of 9..16, just before it (the skinny copy between them: skinny-variants.mlir).
// CHECK-LABEL: tile.kernel @linear_0
// CHECK-SAME: consumers = 2
// CHECK-SAME: grid = ["min(ceildiv(tokens, 128) * 16, 132)", "1", "1"]
// CHECK-NOT: loom.max_rows
// CHECK-LABEL: tile.kernel @linear_skinny_0
// CHECK-LABEL: tile.kernel @linear_gemv_0
// CHECK-SAME: block = array<i32: 256, 1, 1>
// CHECK-SAME: config = {bm = 16 : i64, bn = 16 : i64, max_m = 16 : i64, row_tiles = 1 : i64, unroll = 2 : i64, warps = 8 : i64}
// CHECK-SAME: grid = ["256", "ceildiv(tokens, 16)", "1"]
// CHECK-SAME: loom.max_rows = 16 : i64
// CHECK: tile.dot
// CHECK-LABEL: tile.kernel @linear_gemv8_0
// CHECK-SAME: block = array<i32: 256, 1, 1>
// CHECK-SAME: config = {bm = 8 : i64, bn = 16 : i64, max_m = 8 : i64, row_tiles = 1 : i64, unroll = 2 : i64, warps = 8 : i64}
// CHECK-SAME: grid = ["256", "ceildiv(tokens, 8)", "1"]
// CHECK-SAME: loom.max_rows = 8 : i64
// CHECK: tile.dot
// CHECK-LABEL: tile.launch_program
// CHECK: tile.launch @linear_gemv8_0 [[BINDINGS:\[.*\]]] when "tokens <= 8"
// CHECK-NEXT: tile.launch @linear_gemv_0 [[BINDINGS]] when "tokens > 8 && tokens <= 16"
// CHECK-NEXT: tile.launch @linear_skinny_0 [[BINDINGS]] when "tokens > 16 && tokens <= 128"
// CHECK-NEXT: tile.launch @linear_0 [[BINDINGS]] when "tokens > 128"
// CHECK-NOT: tile.launch
// SM80-LABEL: tile.kernel @linear_0
// SM80-SAME: warps_m = 2
// SM80-LABEL: tile.kernel @linear_gemv_0
// SM80-SAME: max_m = 16
// SM80-LABEL: tile.kernel @linear_gemv8_0
// SM80-SAME: max_m = 8
// SM80: tile.launch @linear_gemv8_0 {{.*}} when "tokens <= 8"
// SM80-NEXT: tile.launch @linear_gemv_0 {{.*}} when "tokens > 8 && tokens <= 16"
// SM80-NEXT: tile.launch @linear_0 {{.*}} when "tokens > 16"
// OFF-LABEL: tile.kernel @linear_0
// OFF-NOT: gemv
// OFF: tile.launch @linear_0 {{\[.*\]$}}
// EXPLAIN: remark: decode GEMV variant (max_m 8) 'linear_gemv8_0' launches when tokens <= 8
// EXPLAIN: remark: decode GEMV variant 'linear_gemv_0' launches when tokens > 8 && tokens <= 16
func.func @forward(%x: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> attributes {loom.max_tokens = 4096 : i64} {
  %w = graph.weight "proj.weight" : tensor<4096x4096xbf16>
  %y = graph.linear %x, %w : tensor<?x4096xbf16>, tensor<4096x4096xbf16> -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}

// -----

// The layer's fused GEMMs keep their prologue, gating and epilogue in the GEMV copy: the folded
// RMSNorm gain (row scale, derived weight), the merged gate/up with SiLU, the residual add.
// CHECK-LABEL: tile.kernel @fused_rms_norm_linear_split_silu_mul_0
// CHECK-LABEL: tile.kernel @fused_rms_norm_linear_split_silu_mul_gemv_0
// CHECK-SAME: max_m = 16
// CHECK: tile.row_scale
// CHECK: tile.dot {{.*}}loom.gating = "silu"
// CHECK-LABEL: tile.kernel @fused_linear_add_1
// CHECK-LABEL: tile.kernel @fused_linear_add_gemv_1
// CHECK-SAME: max_m = 16
// CHECK: tile.dot
// CHECK: tile.map <add>
// CHECK-LABEL: tile.launch_program
// CHECK: tile.launch @fused_rms_norm_linear_split_silu_mul_gemv8_0 [[GATED:\[.*\]]] when "tokens <= 8"
// CHECK-NEXT: tile.launch @fused_rms_norm_linear_split_silu_mul_gemv_0 [[GATED]] when "tokens > 8 && tokens <= 16"
// CHECK-NEXT: tile.launch @fused_rms_norm_linear_split_silu_mul_skinny_0 [[GATED]] when "tokens > 16 && tokens <= 128"
// CHECK-NEXT: tile.launch @fused_rms_norm_linear_split_silu_mul_0 [[GATED]] when "tokens > 128"
// CHECK-NEXT: tile.launch @fused_linear_add_gemv8_1 [[DOWN:\[.*\]]] when "tokens <= 8"
// CHECK-NEXT: tile.launch @fused_linear_add_gemv_1 [[DOWN]] when "tokens > 8 && tokens <= 16"
// CHECK-NEXT: tile.launch @fused_linear_add_skinny_1 [[DOWN]] when "tokens > 16 && tokens <= 128"
// CHECK-NEXT: tile.launch @fused_linear_add_1 [[DOWN]] when "tokens > 128"
func.func @forward(%x: tensor<?x256xbf16>) -> tensor<?x256xbf16> attributes {loom.max_tokens = 2048 : i64} {
  %g = graph.weight "norm.weight" : tensor<256xbf16>
  %n = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x256xbf16>, tensor<256xbf16>
  %wg = graph.weight "gate.weight" : tensor<512x256xbf16>
  %wu = graph.weight "up.weight" : tensor<512x256xbf16>
  %wgu = graph.concat %wg, %wu {axis = 0 : i64} : (tensor<512x256xbf16>, tensor<512x256xbf16>) -> tensor<1024x256xbf16>
  %gu = graph.linear %n, %wgu : tensor<?x256xbf16>, tensor<1024x256xbf16> -> tensor<?x1024xbf16>
  %gate, %up = graph.split %gu {axis = 1 : i64} : tensor<?x1024xbf16> -> tensor<?x512xbf16>, tensor<?x512xbf16>
  %s = graph.silu %gate : tensor<?x512xbf16>
  %m = graph.mul %s, %up : tensor<?x512xbf16>
  %wd = graph.weight "down.weight" : tensor<256x512xbf16>
  %d = graph.linear %m, %wd : tensor<?x512xbf16>, tensor<256x512xbf16> -> tensor<?x256xbf16>
  %y = graph.add %x, %d : tensor<?x256xbf16>
  return %y : tensor<?x256xbf16>
}

// -----

// Rows bounded by 16 already: a GEMV of MAX_M 16 itself, with only the MAX_M 8 copy for steps
// of at most 8 rows.
// CHECK-LABEL: tile.kernel @linear_0
// CHECK-SAME: max_m = 16
// CHECK-NOT: gemv_0
// CHECK-LABEL: tile.kernel @linear_gemv8_0
// CHECK-SAME: max_m = 8
// CHECK-NOT: gemv_0
// CHECK: tile.launch @linear_gemv8_0 {{\[.*\]}} when "seqs <= 8"
// CHECK-NEXT: tile.launch @linear_0 {{\[.*\]}} when "seqs > 8"
// EXPLAIN: remark: decode GEMV variant (max_m 8) 'linear_gemv8_0' launches when seqs <= 8
// EXPLAIN: remark: no decode GEMV variant: its rows are bounded by 16, so it is a GEMV of at most 16 rows already
func.func @forward(%x: tensor<?x2048xbf16> {loom.dims = ["seqs"]}) -> tensor<?x8192xbf16> attributes {loom.max_seqs = 16 : i64} {
  %w = graph.weight "lm_head.weight" : tensor<8192x2048xbf16>
  %y = graph.linear %x, %w : tensor<?x2048xbf16>, tensor<8192x2048xbf16> -> tensor<?x8192xbf16>
  return %y : tensor<?x8192xbf16>
}

// -----

// N not a multiple of 8: loom/gemv.cuh cannot load its rows, so the GEMM alone runs every step.
// CHECK-LABEL: tile.kernel @linear_0
// CHECK-NOT: gemv
// CHECK: tile.launch @linear_0 {{\[.*\]$}}
// EXPLAIN: remark: no decode GEMV variant: N (1001) is not a multiple of 8, so rows of W and Y are not 16-byte aligned
func.func @forward(%x: tensor<?x256xbf16>) -> tensor<?x1001xbf16> attributes {loom.max_tokens = 512 : i64} {
  %w = graph.weight "head.weight" : tensor<1001x256xbf16>
  %y = graph.linear %x, %w : tensor<?x256xbf16>, tensor<1001x256xbf16> -> tensor<?x1001xbf16>
  return %y : tensor<?x1001xbf16>
}

// -----

// The GEMV copy's CTA size follows the waves on the H100's 132 SMs (CostModel.cpp): a GEMV whose
// CTAs all fit on the SMs at once skips a wave's turnaround. 3072 outputs = 192 CTAs of 16 rows:
// 8 warps (2 CTAs per SM) run them as one wave where 16 warps need 1.45; a merged gate/up of
// 2 x 8192 rows = 512 CTAs: 4 warps (4 per SM with the gated registers); 2048 outputs = 128 CTAs
// fit as 16 warps, the most loads in flight per SM.
// The MAX_M 8 copies follow the same waves (the gated one at one row tile: 512 CTAs, four per SM).
// CHECK-LABEL: tile.kernel @linear_gemv_0
// CHECK-SAME: block = array<i32: 256, 1, 1>
// CHECK-SAME: warps = 8
// CHECK-SAME: grid = ["192", "ceildiv(tokens, 16)", "1"]
// CHECK-LABEL: tile.kernel @linear_gemv8_0
// CHECK-SAME: block = array<i32: 256, 1, 1>
// CHECK-SAME: max_m = 8 : i64, row_tiles = 1 : i64, unroll = 2 : i64, warps = 8
// CHECK-SAME: grid = ["192", "ceildiv(tokens, 8)", "1"]
// CHECK-LABEL: tile.kernel @linear_gemv_1
// CHECK-SAME: block = array<i32: 512, 1, 1>
// CHECK-SAME: warps = 16
// CHECK-SAME: grid = ["128", "ceildiv(tokens, 16)", "1"]
// CHECK-LABEL: tile.kernel @linear_gemv8_1
// CHECK-SAME: block = array<i32: 512, 1, 1>
// CHECK-SAME: max_m = 8 : i64, row_tiles = 1 : i64, unroll = 2 : i64, warps = 16
// CHECK-SAME: grid = ["128", "ceildiv(tokens, 8)", "1"]
// CHECK-LABEL: tile.kernel @fused_linear_split_silu_mul_gemv_0
// CHECK-SAME: block = array<i32: 128, 1, 1>
// CHECK-SAME: warps = 4
// CHECK-SAME: grid = ["512", "ceildiv(tokens, 16)", "1"]
// CHECK-LABEL: tile.kernel @fused_linear_split_silu_mul_gemv8_0
// CHECK-SAME: block = array<i32: 128, 1, 1>
// CHECK-SAME: max_m = 8 : i64, row_tiles = 1 : i64, unroll = 2 : i64, warps = 4
// CHECK-SAME: grid = ["512", "ceildiv(tokens, 8)", "1"]
func.func @forward(%x: tensor<?x2048xbf16>) -> (tensor<?x3072xbf16>, tensor<?x2048xbf16>, tensor<?x8192xbf16>) attributes {loom.max_tokens = 2048 : i64} {
  %wqkv = graph.weight "qkv.weight" : tensor<3072x2048xbf16>
  %qkv = graph.linear %x, %wqkv : tensor<?x2048xbf16>, tensor<3072x2048xbf16> -> tensor<?x3072xbf16>
  %wo = graph.weight "o.weight" : tensor<2048x2048xbf16>
  %o = graph.linear %x, %wo : tensor<?x2048xbf16>, tensor<2048x2048xbf16> -> tensor<?x2048xbf16>
  %wgu = graph.weight "gate_up.weight" : tensor<16384x2048xbf16>
  %gu = graph.linear %x, %wgu : tensor<?x2048xbf16>, tensor<16384x2048xbf16> -> tensor<?x16384xbf16>
  %gate, %up = graph.split %gu {axis = 1 : i64} : tensor<?x16384xbf16> -> tensor<?x8192xbf16>, tensor<?x8192xbf16>
  %s = graph.silu %gate : tensor<?x8192xbf16>
  %m = graph.mul %s, %up : tensor<?x8192xbf16>
  return %qkv, %o, %m : tensor<?x3072xbf16>, tensor<?x2048xbf16>, tensor<?x8192xbf16>
}

// -----

// Rows fixed at 4096 (a static-shape graph): a copy guarded `4096 <= 16` could never launch, so
// the GEMM gets none and runs every step unguarded.
// CHECK-LABEL: tile.kernel @linear_0
// CHECK-NOT: gemv
// CHECK: tile.launch @linear_0 {{\[.*\]$}}
// EXPLAIN: remark: no decode GEMV variant (max_m 8): its rows are fixed at 4096, so a copy guarded `4096 <= 8` could never launch
// EXPLAIN: remark: no decode GEMV variant: its rows are fixed at 4096, so a copy guarded `4096 <= 16` could never launch
func.func @forward(%x: tensor<4096x256xbf16>) -> tensor<4096x256xbf16> {
  %w = graph.weight "proj.weight" : tensor<256x256xbf16>
  %y = graph.linear %x, %w : tensor<4096x256xbf16>, tensor<256x256xbf16> -> tensor<4096x256xbf16>
  return %y : tensor<4096x256xbf16>
}
