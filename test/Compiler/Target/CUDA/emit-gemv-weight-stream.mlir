// RUN: loom-opt %s --graph-to-cuda=target=sm_80 -o /dev/null | FileCheck %s
// RUN: loom-opt %s --graph-to-cuda=target=sm_90a -o /dev/null | FileCheck %s

// The early weight stream is off (EmitGemm.cpp kStreamWeightsBeforeWait: it broke SmolLM2's
// crowd tests under launch overlap, docs/perf-baseline.md): every GEMV, whether its W is a package
// weight (loom.weights) or a step value, waits at its top, has no loom.reads-before-wait marker
// and builds its epilogue in the call; so do the GEMMs.

// CHECK-LABEL: // ----- kernels/fused_linear_add_0.cu
// CHECK: void fused_linear_add_0({{.*}}) { loom::grid_dependency_sync();
// CHECK-NOT: loom.reads-before-wait

// CHECK-LABEL: // ----- kernels/fused_linear_add_gemv8_0.cu
// CHECK: void fused_linear_add_gemv8_0(const loom::bf16 *x, const loom::bf16 *w, int tokens, const loom::bf16 *residual, loom::bf16 *y) { loom::grid_dependency_sync();
// CHECK-NOT: loom.reads-before-wait
// CHECK: loom::gemv<Config, loom::bf16, loom::NoPrologue, loom::NoGating>(x, w, tokens, 64, 128, loom::NoPrologue{}, loom::epi::makeEpilogue(y, 64, loom::epi::Residual<loom::bf16>{residual, 64}));

// CHECK-LABEL: // ----- kernels/fused_linear_add_gemv_0.cu
// CHECK: void fused_linear_add_gemv_0({{.*}}) { loom::grid_dependency_sync();
// CHECK-NOT: loom.reads-before-wait

// CHECK-LABEL: // ----- kernels/linear_2.cu
// CHECK-LABEL: // ----- kernels/linear_gemv8_2.cu
// CHECK: void linear_gemv8_2(const loom::bf16 *x, const loom::bf16 *w, int tokens, loom::bf16 *y) { loom::grid_dependency_sync();
// CHECK-NOT: loom.reads-before-wait
// CHECK: loom::gemv<Config, loom::bf16, loom::NoPrologue, loom::NoGating>(x, w, tokens, 64, 128, loom::NoPrologue{}, loom::epi::makeEpilogue(y, 64));
// CHECK-LABEL: // ----- manifest.json
func.func @forward(%x: tensor<?x128xbf16> {loom.name = "hidden"}, %r: tensor<?x64xbf16> {loom.name = "residual"},
                   %a: tensor<64x128xbf16> {loom.name = "a"}, %b: tensor<64x128xbf16> {loom.name = "b"})
    -> (tensor<?x64xbf16> {loom.name = "out"}, tensor<?x64xbf16> {loom.name = "out2"})
    attributes {loom.max_tokens = 512 : i64} {
  %w = graph.weight "proj.weight" : tensor<64x128xbf16>
  %y = graph.linear %x, %w : tensor<?x128xbf16>, tensor<64x128xbf16> -> tensor<?x64xbf16>
  %o = graph.add %y, %r : tensor<?x64xbf16>
  %p = graph.mul %a, %b : tensor<64x128xbf16>
  %z = graph.linear %x, %p : tensor<?x128xbf16>, tensor<64x128xbf16> -> tensor<?x64xbf16>
  return %o, %z : tensor<?x64xbf16>, tensor<?x64xbf16>
}
