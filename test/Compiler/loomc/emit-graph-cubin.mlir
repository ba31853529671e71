// RUN: loomc %s --target=sm_80 --emit=graph | FileCheck %s --check-prefix=GRAPH
// RUN: rm -rf %t && loomc %s --target=sm_90a --emit=cubin -o %t && ls %t | FileCheck %s --check-prefix=CUBIN
// RUN: od -A n -t x1 -N 4 %t/fused_linear_gelu_add_0.cubin | FileCheck %s --check-prefix=ELF

// loomc's --emit=graph (the input as parsed and verified, nothing fused yet) and --emit=cubin (one
// NVRTC cubin per kernel, here for sm_90a: no GPU needed).

// GRAPH-LABEL: func.func @forward
// GRAPH: graph.linear
// GRAPH-NEXT: graph.gelu
// GRAPH-NEXT: graph.add
// GRAPH-NOT: graph.fused

// CUBIN: fused_linear_gelu_add_0.cubin
// CUBIN: fused_linear_gelu_add_gemv_0.cubin
// CUBIN-NOT: .cu{{$}}

// An ELF file: 0x7f 'E' 'L' 'F'.
// ELF: 7f 45 4c 46
func.func @forward(%x: tensor<?x512xbf16> {loom.name = "x"}, %r: tensor<?x320xbf16> {loom.name = "residual"})
    -> (tensor<?x320xbf16> {loom.name = "y"}) attributes {loom.max_tokens = 8192 : i64} {
  %w = graph.weight "proj.weight" : tensor<320x512xbf16>
  %b = graph.weight "proj.bias" : tensor<320xbf16>
  %l = graph.linear %x, %w, %b : tensor<?x512xbf16>, tensor<320x512xbf16>, tensor<320xbf16> -> tensor<?x320xbf16>
  %g = graph.gelu %l {approximate = #graph.gelu_approximation<tanh>} : tensor<?x320xbf16>
  %y = graph.add %g, %r : tensor<?x320xbf16>
  return %y : tensor<?x320xbf16>
}
