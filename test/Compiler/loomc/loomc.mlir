// RUN: loomc %s --target=sm_80 --emit=fused | FileCheck %s --check-prefix=FUSED
// RUN: loomc %s --target=sm_80 --emit=tile | FileCheck %s --check-prefix=TILE
// RUN: rm -rf %t && loomc %s --target=sm_80 --emit=package -o %t
// RUN: FileCheck %s --check-prefix=MANIFEST < %t/manifest.json
// RUN: FileCheck %s --check-prefix=SOURCE < %t/kernels/fused_linear_gelu_0.cu
// RUN: loomc %s --target=sm_80 --emit=ptx | FileCheck %s --check-prefix=PTX80
// RUN: loomc %s --target=sm_90a --emit=ptx | FileCheck %s --check-prefix=PTX90A
// RUN: loomc %s --target=sm_80 --emit=cuda --report -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

// FUSED: graph.fused gemm "fused_linear_gelu_0"
// TILE: tile.kernel @fused_linear_gelu_0
// TILE: tile.dot {{.+}} {atom = "mma.sync.m16n8k16.bf16"}
// TILE: tile.launch_program

// MANIFEST: "format": "loom-package"
// MANIFEST: "name": "fused_linear_gelu_0"
// MANIFEST: "params": [
// MANIFEST-NEXT: {
// MANIFEST-NEXT: "kind": "input",
// MANIFEST-NEXT: "name": "x",
// MANIFEST-NEXT: "ref": "x"
// MANIFEST: "kind": "dim",
// MANIFEST-NEXT: "name": "tokens",
// MANIFEST-NEXT: "ref": "tokens"
// MANIFEST: "source": "kernels/fused_linear_gelu_0.cu"
// MANIFEST: "version": 1

// SOURCE: #include "loom/gemm.cuh"
// SOURCE: loom::epi::GeluTanh{}

// PTX80: .target sm_80
// PTX80: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX90A: .target sm_90a
// PTX90A: wgmma.mma_async.sync.aligned.m64n{{[0-9]+}}k16.f32.bf16.bf16

// REPORT: kernel {{.+}} atom {{.+}} regs {{.+}} roofline
// REPORT: fused_linear_gelu_0 linear,gelu bk={{[0-9]+}} bm={{[0-9]+}} {{.+}} mma.sync.m16n8k16.bf16 {{[0-9]+}} {{[1-9][0-9]*}}
// REPORT: roofline total on sm_80
func.func @forward(%x: tensor<?x256xbf16> {loom.name = "x"}) -> (tensor<?x512xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 1024 : i64} {
  %w = graph.weight "fc.weight" : tensor<512x256xbf16>
  %h = graph.linear %x, %w : tensor<?x256xbf16>, tensor<512x256xbf16> -> tensor<?x512xbf16>
  %y = graph.gelu %h {approximate = #graph.gelu_approximation<tanh>} : tensor<?x512xbf16>
  return %y : tensor<?x512xbf16>
}
