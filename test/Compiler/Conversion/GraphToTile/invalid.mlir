// RUN: loom-opt %s --split-input-file --convert-graph-to-tile --verify-diagnostics

func.func @forward(%q: tensor<?x64xbf16>, %k: tensor<?x64xbf16>, %v: tensor<?x64xbf16>, %s: tensor<?xi32> {loom.dims = ["seqs"]})
    -> tensor<?x64xbf16> attributes {loom.max_tokens = 16 : i64, loom.max_seqs = 4 : i64} {
  // expected-error @+1 {{group 'attention_0' of kind attention has no tile lowering (ops: graph.attention)}}
  %o = graph.attention %q, %k, %v, %s {causal, head_dim = 64 : i64, num_heads = 1 : i64, num_kv_heads = 1 : i64, scale = 0.125 : f32} : tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?xi32>
  return %o : tensor<?x64xbf16>
}

// -----

func.func @forward(%x: tensor<?x64xbf16>) -> tensor<?x64xbf16> attributes {loom.max_tokens = 16 : i64} {
  %w = graph.weight "w" : tensor<64x64xbf16>
  // expected-error @+1 {{has no tile lowering for graph.transpose in a other group (ops: graph.transpose)}}
  %t = graph.transpose %w {permutation = array<i64: 1, 0>} : tensor<64x64xbf16> -> tensor<64x64xbf16>
  %y = graph.linear %x, %t : tensor<?x64xbf16>, tensor<64x64xbf16> -> tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}

// -----

// The normalize_tiles prologue has no device-library GEMM.
func.func @forward(%x: tensor<?x64xbf16>, %g: tensor<64xbf16>) -> tensor<?x32xbf16> attributes {loom.max_tokens = 16 : i64} {
  %w = graph.weight "proj.weight" : tensor<32x64xbf16>
  // expected-error @+1 {{cannot lower graph.rms_norm in GEMM group 'fused_rms_norm_linear_0' (ops: graph.rms_norm, graph.linear): only the row_scale_folded_gain prologue has a device-library GEMM}}
  %y = graph.fused gemm "fused_rms_norm_linear_0" (%xa = %x, %ga = %g, %wa = %w)
      : (tensor<?x64xbf16>, tensor<64xbf16>, tensor<32x64xbf16>) -> tensor<?x32xbf16>
      attributes {prologue = #graph.gemm_prologue<normalize_tiles>} {
    %0 = graph.rms_norm %xa, %ga {eps = 1.0e-5 : f32} : tensor<?x64xbf16>, tensor<64xbf16>
    %1 = graph.linear %0, %wa : tensor<?x64xbf16>, tensor<32x64xbf16> -> tensor<?x32xbf16>
    graph.yield %1 : tensor<?x32xbf16>
  }
  return %y : tensor<?x32xbf16>
}

// -----

func.func @forward(%x: tensor<?x64xbf16>) -> tensor<?x64xbf16> {
  // expected-error @+1 {{dim 'tokens' has no bound (a loom.max_tokens function attribute)}}
  %y = graph.silu %x : tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}
