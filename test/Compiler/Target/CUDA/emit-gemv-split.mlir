// RUN: loom-opt %s --graph-to-cuda=target=sm_90a -o /dev/null | FileCheck %s
// RUN: loom-opt %s --graph-to-cuda=target=sm_80 -o /dev/null | FileCheck %s --check-prefix=SM80

// A GEMV split over K (tile-tiling's k_split, gemv-split.mlir): GemvConfig's SPLIT (after the
// ring depth 0, loom::gemv's choice) and a cluster of SPLIT CTAs along x, whose grid x is the
// tiles times the split; sm_80 has no clusters and emits the plain GEMV.
// CHECK-LABEL: // ----- kernels/fused_linear_add_gemv8_0.cu
// CHECK: extern "C" __global__ __launch_bounds__(512) __cluster_dims__(8, 1, 1) void fused_linear_add_gemv8_0(
// CHECK: using Config = loom::GemvConfig<16, 8, 1, 2, 0, 8>;
// CHECK-NEXT: loom::gemv<Config, loom::bf16, loom::NoPrologue, loom::NoGating>(x, w, tokens, 128, 8192,
// CHECK-LABEL: // ----- kernels/fused_linear_add_gemv_0.cu
// CHECK: __launch_bounds__(512) __cluster_dims__(8, 1, 1) void fused_linear_add_gemv_0(
// CHECK: using Config = loom::GemvConfig<16, 16, 1, 2, 0, 8>;
// CHECK-LABEL: // ----- manifest.json
// CHECK: "grid": [
// CHECK-NEXT: "64",
// CHECK-NEXT: "ceildiv(tokens, 8)",
// CHECK: "name": "fused_linear_add_gemv8_0",
// SM80-LABEL: // ----- kernels/fused_linear_add_gemv8_0.cu
// SM80-NOT: __cluster_dims__
// SM80: using Config = loom::GemvConfig<{{[0-9]+}}, 8, {{[0-9]+}}, {{[0-9]+}}>;
// SM80-LABEL: // ----- manifest.json
// SM80: "grid": [
// SM80-NEXT: "8",
// SM80-NEXT: "ceildiv(tokens, 8)",
// SM80: "name": "fused_linear_add_gemv8_0",
func.func @forward(%x: tensor<?x8192xbf16> {loom.name = "hidden"}, %r: tensor<?x128xbf16> {loom.name = "residual"})
    -> (tensor<?x128xbf16> {loom.name = "out"}) attributes {loom.max_tokens = 512 : i64} {
  %w = graph.weight "proj.weight" : tensor<128x8192xbf16>
  %y = graph.linear %x, %w : tensor<?x8192xbf16>, tensor<128x8192xbf16> -> tensor<?x128xbf16>
  %o = graph.add %y, %r : tensor<?x128xbf16>
  return %o : tensor<?x128xbf16>
}
