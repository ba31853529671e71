// RUN: loom-opt %s --split-input-file --graph-fuse --convert-graph-to-tile | FileCheck %s

// graph-to-tile lists the parameters bound to package weights in the kernel's loom.weights: the
// GEMM's W (a graph.weight, or the derived weight with a folded norm gain), never a function
// input or a buffer a kernel of the step writes.

// CHECK-LABEL: tile.kernel @fused_linear_add_0(%x: !tile.ptr<bf16>, %w: !tile.ptr<bf16>, %tokens: i32, %residual: !tile.ptr<bf16>, %y: !tile.ptr<bf16>)
// CHECK-SAME: loom.weights = ["w"]
// CHECK: tile.launch @fused_linear_add_0 ["input:hidden", "weight:proj.weight", "dim:tokens", "input:residual", "buffer:v0"]
func.func @forward(%x: tensor<?x128xbf16> {loom.name = "hidden"}, %r: tensor<?x64xbf16> {loom.name = "residual"})
    -> tensor<?x64xbf16> attributes {loom.max_tokens = 512 : i64} {
  %w = graph.weight "proj.weight" : tensor<64x128xbf16>
  %y = graph.linear %x, %w : tensor<?x128xbf16>, tensor<64x128xbf16> -> tensor<?x64xbf16>
  %o = graph.add %y, %r : tensor<?x64xbf16>
  return %o : tensor<?x64xbf16>
}

// -----

// W is a function input (the caller's tensor, which a previous step or kernel may write): not listed.
// CHECK-LABEL: tile.kernel @linear_0(%x: !tile.ptr<bf16>, %w: !tile.ptr<bf16>, %tokens: i32, %y: !tile.ptr<bf16>)
// CHECK-NOT: loom.weights
// CHECK: tile.launch @linear_0 ["input:hidden", "input:other", "dim:tokens", "buffer:v0"]
func.func @forward(%x: tensor<?x128xbf16> {loom.name = "hidden"}, %b: tensor<64x128xbf16> {loom.name = "other"})
    -> tensor<?x64xbf16> attributes {loom.max_tokens = 512 : i64} {
  %y = graph.linear %x, %b : tensor<?x128xbf16>, tensor<64x128xbf16> -> tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}

// -----

// W is computed in the step (the product of two inputs): its storage is a kernel's output, not listed;
// the RMSNorm-prologue GEMM's W is the derived weight (gain folded in), listed.
// CHECK-LABEL: tile.kernel @fused_rms_norm_linear_0(
// CHECK-SAME: loom.weights = ["w"]
// CHECK: tile.kernel @mul_1(
// CHECK-NOT: loom.weights
// CHECK: tile.kernel @linear_2(%x: !tile.ptr<bf16>, %w: !tile.ptr<bf16>, %tokens: i32, %y: !tile.ptr<bf16>)
// CHECK-NOT: loom.weights
// CHECK: tile.launch @fused_rms_norm_linear_0 ["input:hidden", "weight:loom.scaled.proj.weight", "dim:tokens", "buffer:v0"]
// CHECK: tile.launch @linear_2 ["input:hidden", "buffer:v1", "dim:tokens", "buffer:v2"]
func.func @forward(%x: tensor<?x128xbf16> {loom.name = "hidden"}, %a: tensor<64x128xbf16> {loom.name = "a"},
                   %b: tensor<64x128xbf16> {loom.name = "b"})
    -> (tensor<?x64xbf16>, tensor<?x64xbf16>) attributes {loom.max_tokens = 512 : i64} {
  %g = graph.weight "norm.weight" : tensor<128xbf16>
  %w = graph.weight "proj.weight" : tensor<64x128xbf16>
  %n = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x128xbf16>, tensor<128xbf16>
  %y = graph.linear %n, %w : tensor<?x128xbf16>, tensor<64x128xbf16> -> tensor<?x64xbf16>
  %p = graph.mul %a, %b : tensor<64x128xbf16>
  %z = graph.linear %x, %p : tensor<?x128xbf16>, tensor<64x128xbf16> -> tensor<?x64xbf16>
  return %y, %z : tensor<?x64xbf16>, tensor<?x64xbf16>
}
