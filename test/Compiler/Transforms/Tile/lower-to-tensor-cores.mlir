// RUN: loom-opt %s --split-input-file --convert-graph-to-tile --tile-tiling=target=sm_80 --tile-lower-to-tensor-cores=target=sm_80 | FileCheck %s --check-prefix=SM80
// RUN: loom-opt %s --split-input-file --convert-graph-to-tile --tile-tiling=target=sm_90a --tile-lower-to-tensor-cores=target=sm_90a | FileCheck %s --check-prefix=SM90A

// sm_80: mma.sync m16n8k16 and a stages x (bm + bn) x bk ring; sm_90a: wgmma with a TMA ring of
// 64-column stages.
// SM80-LABEL: tile.kernel @linear_0
// SM80: %[[RING:.+]] = tile.alloc_shared : !tile.shared<bf16, [4, 192, 64]>
// SM80: tile.dot %x[%{{.+}}], %w[%{{.+}}] sizes(%tokens, %{{.+}}, %{{.+}}) staging(%[[RING]] : !tile.shared<bf16, [4, 192, 64]>) {atom = "mma.sync.m16n8k16.bf16"}
// SM90A-LABEL: tile.kernel @linear_0
// SM90A: %[[RING:.+]] = tile.alloc_shared : !tile.shared<bf16, [4, 384, 64]>
// SM90A: tile.dot {{.+}} staging(%[[RING]] : !tile.shared<bf16, [4, 384, 64]>) {atom = "wgmma.m64nNk16.bf16"}
func.func @forward(%x: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> attributes {loom.max_tokens = 4096 : i64} {
  %w = graph.weight "proj.weight" : tensor<4096x4096xbf16>
  %y = graph.linear %x, %w : tensor<?x4096xbf16>, tensor<4096x4096xbf16> -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}

// -----

// The RMSNorm prologue (tile.row_scale) runs on both GEMM families: mma.sync on sm_80, the wgmma
// GEMM with its TMA ring on sm_90a (loom::RmsNormPrologue in gemm_sm90.cuh).
// SM80-LABEL: tile.kernel @fused_rms_norm_linear_0
// SM80: tile.dot {{.+}} scale(%{{.+}} : tensor<?x1xf32>) staging({{.+}}) {atom = "mma.sync.m16n8k16.bf16"}
// SM90A-LABEL: tile.kernel @fused_rms_norm_linear_0
// SM90A-NOT: mma.sync
// SM90A: %[[SCALE:.+]] = tile.row_scale %x
// SM90A: tile.dot {{.+}} scale(%[[SCALE]] : tensor<?x1xf32>) staging({{.+}}) {atom = "wgmma.m64nNk16.bf16"}
func.func @forward(%x: tensor<?x256xbf16>) -> tensor<?x256xbf16> attributes {loom.max_tokens = 1024 : i64} {
  %g = graph.weight "norm.weight" : tensor<256xbf16>
  %w = graph.weight "proj.weight" : tensor<256x256xbf16>
  %y = graph.fused gemm "fused_rms_norm_linear_0" (%xa = %x, %ga = %g, %wa = %w)
      : (tensor<?x256xbf16>, tensor<256xbf16>, tensor<256x256xbf16>) -> tensor<?x256xbf16>
      attributes {prologue = #graph.gemm_prologue<row_scale_folded_gain>} {
    %0 = graph.rms_norm %xa, %ga {eps = 1.0e-5 : f32} : tensor<?x256xbf16>, tensor<256xbf16>
    %1 = graph.linear %0, %wa : tensor<?x256xbf16>, tensor<256x256xbf16> -> tensor<?x256xbf16>
    graph.yield %1 : tensor<?x256xbf16>
  }
  return %y : tensor<?x256xbf16>
}

// -----

// GEMV (decode) streams W without a shared-memory ring but still runs on mma.sync.
// SM80-LABEL: tile.kernel @linear_0
// SM80-NOT: tile.alloc_shared
// SM80: {atom = "mma.sync.m16n8k16.bf16"}
func.func @forward(%x: tensor<?x2048xbf16> {loom.dims = ["seqs"]}) -> tensor<?x8192xbf16> attributes {loom.max_seqs = 8 : i64} {
  %w = graph.weight "lm_head.weight" : tensor<8192x2048xbf16>
  %y = graph.linear %x, %w : tensor<?x2048xbf16>, tensor<8192x2048xbf16> -> tensor<?x8192xbf16>
  return %y : tensor<?x8192xbf16>
}
