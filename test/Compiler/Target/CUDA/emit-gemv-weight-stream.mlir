// RUN: loom-opt %s --graph-to-cuda=target=sm_80 -o /dev/null | FileCheck %s
// RUN: loom-opt %s --graph-to-cuda=target=sm_90a -o /dev/null | FileCheck %s

// A GEMV whose W is a package weight (loom.weights) streams W before its grid-dependency wait:
// the wrapper has no wait at its top, opens with the loom.reads-before-wait marker naming W's
// parameter, and builds the epilogue after loom::gemv's own wait (deferEpilogue). A GEMV whose W
// is a step value keeps the wait at the top and has no marker; so do the GEMMs.

// CHECK-LABEL: // ----- kernels/fused_linear_add_0.cu
// CHECK: void fused_linear_add_0({{.*}}) { loom::grid_dependency_sync();
// CHECK-NOT: loom.reads-before-wait

// CHECK-LABEL: // ----- kernels/fused_linear_add_gemv8_0.cu
// CHECK: void fused_linear_add_gemv8_0(const loom::bf16 *x, const loom::bf16 *w, int tokens, const loom::bf16 *residual, loom::bf16 *y) {{[{]$}}
// CHECK-NEXT: // loom.reads-before-wait: parameter 1 (w), a package weight no kernel writes, streamed before the grid-dependency wait
// CHECK-NEXT: using Config = loom::GemvConfig<
// CHECK-NEXT: loom::gemv<Config, loom::bf16, loom::NoPrologue, loom::NoGating>(x, w, tokens, 64, 128, loom::NoPrologue{}, loom::deferEpilogue([&] { return loom::epi::makeEpilogue(y, 64, loom::epi::Residual<loom::bf16>{residual, 64}); }));
// CHECK-NOT: grid_dependency_sync

// CHECK-LABEL: // ----- kernels/fused_linear_add_gemv_0.cu
// CHECK: void fused_linear_add_gemv_0({{.*}}) {{[{]$}}
// CHECK-NEXT: // loom.reads-before-wait: parameter 1 (w)

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
