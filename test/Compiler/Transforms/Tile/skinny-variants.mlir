// RUN: loom-opt %s --split-input-file --graph-hoist-weights --graph-fuse --convert-graph-to-tile --tile-tiling=target=sm_90a | FileCheck %s
// RUN: loom-opt %s --split-input-file --graph-hoist-weights --graph-fuse --convert-graph-to-tile --tile-tiling=target=sm_80 | FileCheck %s --check-prefix=SM80
// RUN: loom-opt %s --split-input-file --graph-hoist-weights --graph-fuse --convert-graph-to-tile --tile-tiling=target=sm_90 | FileCheck %s --check-prefix=SM90
// RUN: loom-opt %s --split-input-file --graph-hoist-weights --graph-fuse --convert-graph-to-tile "--tile-tiling=target=sm_90a gemv-variants=false" | FileCheck %s --check-prefix=OFF
// RUN: loom-opt %s --split-input-file --graph-hoist-weights --graph-fuse --convert-graph-to-tile "--tile-tiling=target=sm_90a explain=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EXPLAIN

// Llama-3.2-1B's o_proj shape (N = K = 2048) with rows bounded by max tokens (2048): GEMV for
// steps of at most 16 rows, the skinny copy (128 W rows per CTA, 16 column blocks x split 8 =
// 128 CTAs, one cluster of 8 per column block) for 17..128, the GEMM above. On sm_90a the copy is
// the wgmma kernel (2 consumer warpgroups + a producer warp, X and W as TMA descriptors: bm / bn
// are their boxes' rows, X in 64-row boxes; 3 stages of 32 KB leave two CTAs per SM, and barriers
// for the 4 stages of 24 KB a CTA of at most 64 rows runs); on sm_90 the mma.sync one.
// CHECK-LABEL: tile.kernel @linear_0
// CHECK-SAME: consumers = 2
// CHECK-LABEL: tile.kernel @linear_skinny_0
// CHECK-SAME: block = array<i32: 288, 1, 1>
// CHECK-SAME: config = {bm = 64 : i64, bn = 128 : i64, consumers = 2 : i64, max_m = 128 : i64, ring = 3 : i64, split = 8 : i64}
// CHECK-SAME: grid = ["16", "8", "1"]
// CHECK-SAME: loom.max_rows = 128 : i64
// CHECK-SAME: shared_bytes = 99904
// SM90-LABEL: tile.kernel @linear_skinny_0
// SM90-SAME: block = array<i32: 256, 1, 1>
// SM90-SAME: config = {bm = 128 : i64, bn = 128 : i64, max_m = 128 : i64, ring = 3 : i64, split = 8 : i64}
// SM90-SAME: grid = ["16", "8", "1"]
// SM90-SAME: shared_bytes = 197120
// CHECK-LABEL: tile.kernel @linear_gemv_0
// CHECK-SAME: loom.max_rows = 16 : i64
// CHECK-LABEL: tile.launch_program
// CHECK: tile.launch @linear_gemv8_0 [[BINDINGS:\[.*\]]] when "tokens <= 8"
// CHECK-NEXT: tile.launch @linear_gemv_0 [[BINDINGS]] when "tokens > 8 && tokens <= 16"
// CHECK-NEXT: tile.launch @linear_skinny_0 [[BINDINGS]] when "tokens > 16 && tokens <= 128"
// CHECK-NEXT: tile.launch @linear_0 [[BINDINGS]] when "tokens > 128"
// CHECK-NOT: tile.launch
// Thread-block clusters need sm_90: on sm_80 the GEMV and the GEMM only.
// SM80-LABEL: tile.kernel @linear_0
// SM80-NOT: skinny
// SM80: tile.launch @linear_gemv8_0 {{.*}} when "tokens <= 8"
// SM80-NEXT: tile.launch @linear_gemv_0 {{.*}} when "tokens > 8 && tokens <= 16"
// SM80-NEXT: tile.launch @linear_0 {{.*}} when "tokens > 16"
// The switch that turns the GEMV variants off turns this one off too.
// OFF-LABEL: tile.kernel @linear_0
// OFF-NOT: skinny
// OFF: tile.launch @linear_0 {{\[.*\]$}}
// EXPLAIN: remark: skinny variant 'linear_skinny_0' launches when tokens > 16 && tokens <= 128
func.func @forward(%x: tensor<?x2048xbf16>) -> tensor<?x2048xbf16> attributes {loom.max_tokens = 2048 : i64} {
  %w = graph.weight "o_proj.weight" : tensor<2048x2048xbf16>
  %y = graph.linear %x, %w : tensor<?x2048xbf16>, tensor<2048x2048xbf16> -> tensor<?x2048xbf16>
  return %y : tensor<?x2048xbf16>
}

// -----

// The split follows the shape, not the model: QKV (N = 3072: 24 column blocks) fills the SMs
// with 5 K ranges (wgmma: 64-column blocks, balanced to 4 ranges of 8; mma.sync: 128-column
// chunks, 4 of them get some); the merged gate/up (F = 8192, 64 outputs per CTA: 128 column blocks) takes none and,
// without clusters, 4 stages (one CTA per SM); down (K = 8192) takes 8. The prologue, gating and
// epilogue stay on the copy.
// CHECK-LABEL: tile.kernel @fused_rms_norm_linear_0
// CHECK-LABEL: tile.kernel @fused_rms_norm_linear_skinny_0
// CHECK-SAME: split = 4
// CHECK-SAME: grid = ["24", "4", "1"]
// CHECK: tile.row_scale
// CHECK-LABEL: tile.kernel @fused_rms_norm_linear_split_silu_mul_1
// CHECK-LABEL: tile.kernel @fused_rms_norm_linear_split_silu_mul_skinny_1
// CHECK-SAME: bn = 128
// CHECK-SAME: ring = 4
// CHECK-SAME: split = 1
// CHECK-SAME: grid = ["128", "1", "1"]
// CHECK-SAME: shared_bytes = 132688
// SM90-LABEL: tile.kernel @fused_rms_norm_linear_skinny_0
// SM90-SAME: split = 4
// SM90-SAME: grid = ["24", "4", "1"]
// SM90-LABEL: tile.kernel @fused_rms_norm_linear_split_silu_mul_skinny_1
// SM90-SAME: bn = 64
// SM90-SAME: split = 1
// CHECK: tile.dot {{.*}}loom.gating = "silu"
// CHECK-LABEL: tile.kernel @fused_linear_add_2
// CHECK-LABEL: tile.kernel @fused_linear_add_skinny_2
// CHECK-SAME: split = 8
// CHECK-SAME: grid = ["16", "8", "1"]
// CHECK: tile.map <add>
// CHECK-LABEL: tile.launch_program
// CHECK: when "tokens > 16 && tokens <= 128"
// CHECK-NEXT: when "tokens > 128"
func.func @forward(%x: tensor<?x2048xbf16>) -> (tensor<?x3072xbf16>, tensor<?x2048xbf16>) attributes {loom.max_tokens = 2048 : i64} {
  %g = graph.weight "norm.weight" : tensor<2048xbf16>
  %n = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x2048xbf16>, tensor<2048xbf16>
  %wqkv = graph.weight "qkv.weight" : tensor<3072x2048xbf16>
  %qkv = graph.linear %n, %wqkv : tensor<?x2048xbf16>, tensor<3072x2048xbf16> -> tensor<?x3072xbf16>
  %g2 = graph.weight "post_norm.weight" : tensor<2048xbf16>
  %n2 = graph.rms_norm %x, %g2 {eps = 1.0e-5 : f32} : tensor<?x2048xbf16>, tensor<2048xbf16>
  %wg = graph.weight "gate.weight" : tensor<8192x2048xbf16>
  %wu = graph.weight "up.weight" : tensor<8192x2048xbf16>
  %wgu = graph.concat %wg, %wu {axis = 0 : i64} : (tensor<8192x2048xbf16>, tensor<8192x2048xbf16>) -> tensor<16384x2048xbf16>
  %gu = graph.linear %n2, %wgu : tensor<?x2048xbf16>, tensor<16384x2048xbf16> -> tensor<?x16384xbf16>
  %gate, %up = graph.split %gu {axis = 1 : i64} : tensor<?x16384xbf16> -> tensor<?x8192xbf16>, tensor<?x8192xbf16>
  %s = graph.silu %gate : tensor<?x8192xbf16>
  %m = graph.mul %s, %up : tensor<?x8192xbf16>
  %wd = graph.weight "down.weight" : tensor<2048x8192xbf16>
  %d = graph.linear %m, %wd : tensor<?x8192xbf16>, tensor<2048x8192xbf16> -> tensor<?x2048xbf16>
  %y = graph.add %x, %d : tensor<?x2048xbf16>
  return %qkv, %y : tensor<?x3072xbf16>, tensor<?x2048xbf16>
}

// -----

// Rows bounded by 64 (max tokens 64): the GEMM itself is tiled as a skinny GEMM (max_m 64), and
// only the GEMV copies are added.
// CHECK-LABEL: tile.kernel @linear_0
// CHECK-SAME: max_m = 64
// CHECK-SAME: split = 8
// CHECK-NOT: skinny_0
// CHECK: tile.launch @linear_gemv8_0 {{.*}} when "tokens <= 8"
// CHECK-NEXT: tile.launch @linear_gemv_0 {{.*}} when "tokens > 8 && tokens <= 16"
// CHECK-NEXT: tile.launch @linear_0 {{.*}} when "tokens > 16"
func.func @forward(%x: tensor<?x2048xbf16>) -> tensor<?x2048xbf16> attributes {loom.max_tokens = 64 : i64} {
  %w = graph.weight "o_proj.weight" : tensor<2048x2048xbf16>
  %y = graph.linear %x, %w : tensor<?x2048xbf16>, tensor<2048x2048xbf16> -> tensor<?x2048xbf16>
  return %y : tensor<?x2048xbf16>
}
