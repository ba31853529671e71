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

// expected-error @+1 {{dimension 'tokens' has no bound: the function needs a loom.max_tokens attribute}}
func.func @forward(%x: tensor<?x64xbf16>) -> tensor<?x64xbf16> {
  %y = graph.silu %x : tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}

// -----

// A split piece is a column slice of its source: a GEMM cannot read it in place.
func.func @forward(%x: tensor<?x64xbf16>) -> tensor<?x32xbf16> attributes {loom.max_tokens = 16 : i64} {
  %w = graph.weight "w" : tensor<64x64xbf16>
  %wo = graph.weight "o" : tensor<32x32xbf16>
  %y = graph.linear %x, %w : tensor<?x64xbf16>, tensor<64x64xbf16> -> tensor<?x64xbf16>
  %a, %b = graph.split %y {axis = 1 : i64} : tensor<?x64xbf16> -> tensor<?x32xbf16>, tensor<?x32xbf16>
  // expected-error @+1 {{reads columns [32, 64) of a 64-column tensor, and a piece that needs storage of its own has no tile lowering for graph.split (only rope + kv_append and paged attention read pieces of a packed QKV projection in place)}}
  %o = graph.linear %b, %wo : tensor<?x32xbf16>, tensor<32x32xbf16> -> tensor<?x32xbf16>
  return %o : tensor<?x32xbf16>
}

// -----

// A rope that no kv_append kernel performs would launch nothing.
func.func @forward(%x: tensor<?x128xbf16>, %p: tensor<?xi32>) -> tensor<?x128xbf16> attributes {loom.max_tokens = 16 : i64} {
  // expected-error @+1 {{lowers only rotating q and k in place inside the kv_append of a packed QKV projection}}
  %r = graph.rope %x, %p {head_dim = 64 : i64, style = #graph.rope_style<rotate_half>, theta = 1.000000e+04 : f32} : tensor<?x128xbf16>, tensor<?xi32>
  %y = graph.silu %r : tensor<?x128xbf16>
  return %y : tensor<?x128xbf16>
}

// -----

// kv_append of K and V that are not the k | v slices after q of one packed projection.
func.func @forward(%k: tensor<?x128xbf16>, %v: tensor<?x128xbf16>, %p: tensor<?xi32>, %slots: tensor<?xi32>,
                   %kv: !graph.kv_cache<layers = 1, blocks = 8, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>)
    -> !graph.kv_cache<layers = 1, blocks = 8, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16> attributes {loom.max_tokens = 16 : i64} {
  // expected-error @+1 {{cannot lower group 'kv_append_0' (ops: graph.kv_append): kv_append lowers only as rope(q), rope(k), kv_append(rope(k), v) over the pieces of one graph.split (a packed QKV projection)}}
  %c = graph.kv_append %kv, %k, %v, %slots {layer = 0 : i64} : !graph.kv_cache<layers = 1, blocks = 8, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?xi32>
  return %c : !graph.kv_cache<layers = 1, blocks = 8, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>
}

// -----

// A split piece returned by the function would need a buffer of its own (a copy kernel).
func.func @forward(%x: tensor<?x64xbf16>) -> tensor<?x32xbf16> attributes {loom.max_tokens = 16 : i64} {
  %w = graph.weight "w" : tensor<64x64xbf16>
  %y = graph.linear %x, %w : tensor<?x64xbf16>, tensor<64x64xbf16> -> tensor<?x64xbf16>
  %a, %b = graph.split %y {axis = 1 : i64} : tensor<?x64xbf16> -> tensor<?x32xbf16>, tensor<?x32xbf16>
  // expected-error @+1 {{result 0 is columns [32, 64) of a 64-column tensor, and a piece that needs storage of its own has no tile lowering for graph.split}}
  return %b : tensor<?x32xbf16>
}

// -----

// A rotate_half rope pairs columns i and i + head_dim/2, never two adjacent columns of one epilogue call.
!cache = !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>
func.func @forward(%x: tensor<?x256xbf16>, %positions: tensor<?xi32>, %kpositions: tensor<?xi32>, %slots: tensor<?xi32>, %kv: !cache)
    -> (tensor<?x256xbf16>, !cache) attributes {loom.max_tokens = 128 : i64} {
  %w = graph.weight "qkv" : tensor<512x256xbf16>
  // expected-error @+1 {{cannot lower the rope + KV-append tail of GEMM group 'fused_linear_split_rope_rope_kv_append_0': its ropes must be interleaved (one epilogue call holds two adjacent columns)}}
  %r:2 = graph.fused gemm "fused_linear_split_rope_rope_kv_append_0" (%xa = %x, %wa = %w, %pa = %positions, %kpa = %kpositions, %ca = %kv, %sa = %slots)
      : (tensor<?x256xbf16>, tensor<512x256xbf16>, tensor<?xi32>, tensor<?xi32>, !cache, tensor<?xi32>) -> (tensor<?x256xbf16>, !cache) {
    %y = graph.linear %xa, %wa : tensor<?x256xbf16>, tensor<512x256xbf16> -> tensor<?x512xbf16>
    %q, %k, %v = graph.split %y {axis = 1 : i64} : tensor<?x512xbf16> -> tensor<?x256xbf16>, tensor<?x128xbf16>, tensor<?x128xbf16>
    %qr = graph.rope %q, %pa {head_dim = 64 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x256xbf16>, tensor<?xi32>
    %kr = graph.rope %k, %pa {head_dim = 64 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x128xbf16>, tensor<?xi32>
    %c = graph.kv_append %ca, %kr, %v, %sa {layer = 1 : i64} : !cache, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?xi32>
    graph.yield %qr, %c : tensor<?x256xbf16>, !cache
  }
  return %r#0, %r#1 : tensor<?x256xbf16>, !cache
}

// -----

// The key's rope has another theta: one epilogue would rotate q with k's frequencies.
!cache = !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>
func.func @forward(%x: tensor<?x256xbf16>, %positions: tensor<?xi32>, %kpositions: tensor<?xi32>, %slots: tensor<?xi32>, %kv: !cache)
    -> (tensor<?x256xbf16>, !cache) attributes {loom.max_tokens = 128 : i64} {
  %w = graph.weight "qkv" : tensor<512x256xbf16>
  // expected-error @+1 {{cannot lower the rope + KV-append tail of GEMM group 'fused_linear_split_rope_rope_kv_append_0': q and k must be rotated with the same positions and attributes}}
  %r:2 = graph.fused gemm "fused_linear_split_rope_rope_kv_append_0" (%xa = %x, %wa = %w, %pa = %positions, %kpa = %kpositions, %ca = %kv, %sa = %slots)
      : (tensor<?x256xbf16>, tensor<512x256xbf16>, tensor<?xi32>, tensor<?xi32>, !cache, tensor<?xi32>) -> (tensor<?x256xbf16>, !cache) {
    %y = graph.linear %xa, %wa : tensor<?x256xbf16>, tensor<512x256xbf16> -> tensor<?x512xbf16>
    %q, %k, %v = graph.split %y {axis = 1 : i64} : tensor<?x512xbf16> -> tensor<?x256xbf16>, tensor<?x128xbf16>, tensor<?x128xbf16>
    %qr = graph.rope %q, %pa {head_dim = 64 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x256xbf16>, tensor<?xi32>
    %kr = graph.rope %k, %pa {head_dim = 64 : i64, style = #graph.rope_style<interleaved>, theta = 5.0e5 : f32} : tensor<?x128xbf16>, tensor<?xi32>
    %c = graph.kv_append %ca, %kr, %v, %sa {layer = 1 : i64} : !cache, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?xi32>
    graph.yield %qr, %c : tensor<?x256xbf16>, !cache
  }
  return %r#0, %r#1 : tensor<?x256xbf16>, !cache
}

// -----

// The key's rope reads other positions: one epilogue would rotate k at q's positions.
!cache = !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>
func.func @forward(%x: tensor<?x256xbf16>, %positions: tensor<?xi32>, %kpositions: tensor<?xi32>, %slots: tensor<?xi32>, %kv: !cache)
    -> (tensor<?x256xbf16>, !cache) attributes {loom.max_tokens = 128 : i64} {
  %w = graph.weight "qkv" : tensor<512x256xbf16>
  // expected-error @+1 {{cannot lower the rope + KV-append tail of GEMM group 'fused_linear_split_rope_rope_kv_append_0': q and k must be rotated with the same positions and attributes}}
  %r:2 = graph.fused gemm "fused_linear_split_rope_rope_kv_append_0" (%xa = %x, %wa = %w, %pa = %positions, %kpa = %kpositions, %ca = %kv, %sa = %slots)
      : (tensor<?x256xbf16>, tensor<512x256xbf16>, tensor<?xi32>, tensor<?xi32>, !cache, tensor<?xi32>) -> (tensor<?x256xbf16>, !cache) {
    %y = graph.linear %xa, %wa : tensor<?x256xbf16>, tensor<512x256xbf16> -> tensor<?x512xbf16>
    %q, %k, %v = graph.split %y {axis = 1 : i64} : tensor<?x512xbf16> -> tensor<?x256xbf16>, tensor<?x128xbf16>, tensor<?x128xbf16>
    %qr = graph.rope %q, %pa {head_dim = 64 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x256xbf16>, tensor<?xi32>
    %kr = graph.rope %k, %kpa {head_dim = 64 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x128xbf16>, tensor<?xi32>
    %c = graph.kv_append %ca, %kr, %v, %sa {layer = 1 : i64} : !cache, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?xi32>
    graph.yield %qr, %c : tensor<?x256xbf16>, !cache
  }
  return %r#0, %r#1 : tensor<?x256xbf16>, !cache
}

// -----

// The ropes rotate 32-wide heads in a 64-wide cache: the epilogue pairs by the cache's head_dim.
!cache = !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>
func.func @forward(%x: tensor<?x256xbf16>, %positions: tensor<?xi32>, %kpositions: tensor<?xi32>, %slots: tensor<?xi32>, %kv: !cache)
    -> (tensor<?x256xbf16>, !cache) attributes {loom.max_tokens = 128 : i64} {
  %w = graph.weight "qkv" : tensor<512x256xbf16>
  // expected-error @+1 {{cannot lower the rope + KV-append tail of GEMM group 'fused_linear_split_rope_rope_kv_append_0': the ropes' head_dim (32) must be the kv_cache's (64)}}
  %r:2 = graph.fused gemm "fused_linear_split_rope_rope_kv_append_0" (%xa = %x, %wa = %w, %pa = %positions, %kpa = %kpositions, %ca = %kv, %sa = %slots)
      : (tensor<?x256xbf16>, tensor<512x256xbf16>, tensor<?xi32>, tensor<?xi32>, !cache, tensor<?xi32>) -> (tensor<?x256xbf16>, !cache) {
    %y = graph.linear %xa, %wa : tensor<?x256xbf16>, tensor<512x256xbf16> -> tensor<?x512xbf16>
    %q, %k, %v = graph.split %y {axis = 1 : i64} : tensor<?x512xbf16> -> tensor<?x256xbf16>, tensor<?x128xbf16>, tensor<?x128xbf16>
    %qr = graph.rope %q, %pa {head_dim = 32 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x256xbf16>, tensor<?xi32>
    %kr = graph.rope %k, %pa {head_dim = 32 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x128xbf16>, tensor<?xi32>
    %c = graph.kv_append %ca, %kr, %v, %sa {layer = 1 : i64} : !cache, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?xi32>
    graph.yield %qr, %c : tensor<?x256xbf16>, !cache
  }
  return %r#0, %r#1 : tensor<?x256xbf16>, !cache
}

// -----

// The group also yields v: the epilogue stores only the rotated q and the cache.
!cache = !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>
func.func @forward(%x: tensor<?x256xbf16>, %positions: tensor<?xi32>, %slots: tensor<?xi32>, %kv: !cache)
    -> (tensor<?x256xbf16>, !cache, tensor<?x128xbf16>) attributes {loom.max_tokens = 128 : i64} {
  %w = graph.weight "qkv" : tensor<512x256xbf16>
  // expected-error @+1 {{cannot lower the rope + KV-append tail of GEMM group 'fused_linear_split_rope_rope_kv_append_0': the group must yield exactly the rotated q and the kv_cache}}
  %r:3 = graph.fused gemm "fused_linear_split_rope_rope_kv_append_0" (%xa = %x, %wa = %w, %pa = %positions, %ca = %kv, %sa = %slots)
      : (tensor<?x256xbf16>, tensor<512x256xbf16>, tensor<?xi32>, !cache, tensor<?xi32>) -> (tensor<?x256xbf16>, !cache, tensor<?x128xbf16>) {
    %y = graph.linear %xa, %wa : tensor<?x256xbf16>, tensor<512x256xbf16> -> tensor<?x512xbf16>
    %q, %k, %v = graph.split %y {axis = 1 : i64} : tensor<?x512xbf16> -> tensor<?x256xbf16>, tensor<?x128xbf16>, tensor<?x128xbf16>
    %qr = graph.rope %q, %pa {head_dim = 64 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x256xbf16>, tensor<?xi32>
    %kr = graph.rope %k, %pa {head_dim = 64 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x128xbf16>, tensor<?xi32>
    %c = graph.kv_append %ca, %kr, %v, %sa {layer = 1 : i64} : !cache, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?xi32>
    graph.yield %qr, %c, %v : tensor<?x256xbf16>, !cache, tensor<?x128xbf16>
  }
  return %r#0, %r#1, %r#2 : tensor<?x256xbf16>, !cache, tensor<?x128xbf16>
}
