// RUN: loom-opt %s --split-input-file --graph-hoist-weights --graph-fuse --convert-graph-to-tile --tile-tiling=target=sm_90a | FileCheck %s
// RUN: loom-opt %s --split-input-file --graph-hoist-weights --graph-fuse --convert-graph-to-tile --tile-tiling=target=sm_80 | FileCheck %s --check-prefix=SM80

// The decode GEMV's K split over a cluster (CostModel.cpp gemvSplit, measured on the H100:
// docs/perf-gemm.md session 9). W of 128 x 8192 is 8 tiles of 16 rows, 8 busy SMs of 132: split
// 8 (64 CTAs) streams it at the copy rate; sm_80 has no clusters and keeps split 1.
// CHECK-LABEL: tile.kernel @linear_gemv_0
// CHECK-SAME: config = {bm = 16 : i64, bn = 16 : i64, k_split = 8 : i64, max_m = 16 : i64, row_tiles = 1 : i64, unroll = 2 : i64, warps = 16 : i64}
// CHECK-SAME: grid = ["64", "ceildiv(tokens, 16)", "1"]
// CHECK-LABEL: tile.kernel @linear_gemv8_0
// CHECK-SAME: k_split = 8 : i64, max_m = 8 : i64
// CHECK-SAME: grid = ["64", "ceildiv(tokens, 8)", "1"]
// SM80-LABEL: tile.kernel @linear_gemv_0
// SM80-NOT: k_split
// SM80-SAME: grid = ["8", "ceildiv(tokens, 16)", "1"]
// SM80-LABEL: tile.kernel @linear_gemv8_0
// SM80-NOT: k_split
// SM80: tile.launch_program
func.func @forward(%x: tensor<?x8192xbf16>) -> tensor<?x128xbf16> attributes {loom.max_tokens = 2048 : i64} {
  %w = graph.weight "proj.weight" : tensor<128x8192xbf16>
  %y = graph.linear %x, %w : tensor<?x8192xbf16>, tensor<128x8192xbf16> -> tensor<?x128xbf16>
  return %y : tensor<?x128xbf16>
}

// -----

// 16 tiles of K = 16384: the model has split 4 (64 CTAs) at the copy rate already and ties 8 with
// it, so the smaller wins (measured, docs/perf-gemm.md run 3: split 8 was ~0.3 us faster).
// CHECK-LABEL: tile.kernel @linear_gemv8_0
// CHECK-SAME: k_split = 4 : i64
// CHECK-SAME: grid = ["64", "ceildiv(tokens, 8)", "1"]
func.func @forward(%x: tensor<?x16384xbf16>) -> tensor<?x256xbf16> attributes {loom.max_tokens = 2048 : i64} {
  %w = graph.weight "proj.weight" : tensor<256x16384xbf16>
  %y = graph.linear %x, %w : tensor<?x16384xbf16>, tensor<256x16384xbf16> -> tensor<?x256xbf16>
  return %y : tensor<?x256xbf16>
}

// -----

// Where a split does not pay it is not taken, and the kernels are those of split 1: Llama-3.2-1B's
// QKV (192 CTAs: a split evens out the second partial wave but costs more, measured 6.5 -> 7.4 us),
// o_proj and down (128 CTAs), and 32 tiles of K = 8192 (the stream at 32 busy SMs is 0.6 us slower
// than at the copy rate, less than the cluster's 1 us).
// CHECK-NOT: k_split
// CHECK-LABEL: tile.kernel @linear_gemv_0
// CHECK-SAME: grid = ["192", "ceildiv(tokens, 16)", "1"]
// CHECK-NOT: k_split
// CHECK-LABEL: tile.kernel @linear_gemv8_3
// CHECK-SAME: grid = ["32", "ceildiv(tokens, 8)", "1"]
// CHECK-NOT: k_split
// CHECK: tile.launch_program
func.func @forward(%x: tensor<?x2048xbf16>, %h: tensor<?x8192xbf16>) -> (tensor<?x3072xbf16>, tensor<?x2048xbf16>, tensor<?x2048xbf16>, tensor<?x512xbf16>) attributes {loom.max_tokens = 2048 : i64} {
  %wqkv = graph.weight "qkv.weight" : tensor<3072x2048xbf16>
  %qkv = graph.linear %x, %wqkv : tensor<?x2048xbf16>, tensor<3072x2048xbf16> -> tensor<?x3072xbf16>
  %wo = graph.weight "o.weight" : tensor<2048x2048xbf16>
  %o = graph.linear %x, %wo : tensor<?x2048xbf16>, tensor<2048x2048xbf16> -> tensor<?x2048xbf16>
  %wd = graph.weight "down.weight" : tensor<2048x8192xbf16>
  %d = graph.linear %h, %wd : tensor<?x8192xbf16>, tensor<2048x8192xbf16> -> tensor<?x2048xbf16>
  %wn = graph.weight "narrow.weight" : tensor<512x8192xbf16>
  %n = graph.linear %h, %wn : tensor<?x8192xbf16>, tensor<512x8192xbf16> -> tensor<?x512xbf16>
  return %qkv, %o, %d, %n : tensor<?x3072xbf16>, tensor<?x2048xbf16>, tensor<?x2048xbf16>, tensor<?x512xbf16>
}
