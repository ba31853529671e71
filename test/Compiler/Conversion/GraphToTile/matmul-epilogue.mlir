// RUN: loom-opt %s --graph-fuse --convert-graph-to-tile=target=sm_90a | FileCheck %s
// RUN: loom-opt %s --convert-graph-to-tile=target=sm_90a | FileCheck %s

// loom::matmulSimt has no epilogue parts yet, so graph-fuse leaves a matmul alone: with or
// without fusion the matmul and the add after it are two kernels.
// CHECK-LABEL: tile.kernel @matmul_0(
// CHECK-SAME: loom.library = "matmul_simt"
// CHECK-LABEL: tile.kernel @add_1(
func.func @forward(%x: tensor<?x64xbf16>, %r: tensor<?x32xbf16>) -> tensor<?x32xbf16> attributes {loom.max_tokens = 128 : i64} {
  %w = graph.weight "proj.weight_kn" : tensor<64x32xbf16>
  %y = graph.matmul %x, %w : tensor<?x64xbf16>, tensor<64x32xbf16> -> tensor<?x32xbf16>
  %z = graph.add %y, %r : tensor<?x32xbf16>
  return %z : tensor<?x32xbf16>
}
