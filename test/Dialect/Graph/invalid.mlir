// RUN: loom-opt %s --split-input-file --verify-diagnostics

func.func @norm_weight_length(%x: tensor<?x64xbf16>, %w: tensor<32xbf16>) -> tensor<?x64xbf16> {
  // expected-error @+1 {{weight length (32) must match the last dimension of input (64)}}
  %0 = graph.rms_norm %x, %w {eps = 1.0e-5 : f32} : tensor<?x64xbf16>, tensor<32xbf16>
  return %0 : tensor<?x64xbf16>
}

// -----

func.func @norm_weight_rank(%x: tensor<?x64xbf16>, %w: tensor<2x64xbf16>) -> tensor<?x64xbf16> {
  // expected-error @+1 {{weight must be a vector, got rank 2}}
  %0 = graph.rms_norm %x, %w {eps = 1.0e-5 : f32} : tensor<?x64xbf16>, tensor<2x64xbf16>
  return %0 : tensor<?x64xbf16>
}

// -----

func.func @norm_eps(%x: tensor<?x64xbf16>, %w: tensor<64xbf16>) -> tensor<?x64xbf16> {
  // expected-error @+1 {{eps must be positive}}
  %0 = graph.rms_norm %x, %w {eps = 0.0 : f32} : tensor<?x64xbf16>, tensor<64xbf16>
  return %0 : tensor<?x64xbf16>
}

// -----

// expected-error @+1 {{kv_cache blocks must be positive, got 0}}
func.func private @cache_blocks(!graph.kv_cache<layers = 2, blocks = 0, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>)

// -----

// expected-error @+1 {{kv_cache element type must be bf16, f16 or f32, got 'i8'}}
func.func private @cache_dtype(!graph.kv_cache<layers = 2, blocks = 4, blockSize = 16, kvHeads = 2, headDim = 64, elementType = i8>)

// -----

func.func @cast_shape(%x: tensor<?x64xf32>) -> tensor<?x32xbf16> {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = graph.cast %x : tensor<?x64xf32> to tensor<?x32xbf16>
  return %0 : tensor<?x32xbf16>
}

// -----

func.func @argmax_rank(%x: tensor<?x100xf32>) -> tensor<?x1xi32> {
  // expected-error @+1 {{result rank (2) must be one less than the input rank (2)}}
  %0 = graph.argmax %x : tensor<?x100xf32> -> tensor<?x1xi32>
  return %0 : tensor<?x1xi32>
}

// -----

func.func @argmax_dim(%x: tensor<4x100xf32>) -> tensor<5xi32> {
  // expected-error @+1 {{result dimension 0 (5) must equal input dimension 0 (4)}}
  %0 = graph.argmax %x : tensor<4x100xf32> -> tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

func.func @reshape_dtype(%x: tensor<4x8xf32>) -> tensor<32xbf16> {
  // expected-error @+1 {{element type 'bf16' must equal the input's 'f32'}}
  %0 = graph.reshape %x : tensor<4x8xf32> to tensor<32xbf16>
  return %0 : tensor<32xbf16>
}

// -----

func.func @reshape_two_dynamic(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{at most one dynamic dimension is allowed on each side}}
  %0 = graph.reshape %x : tensor<?x?xf32> to tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @reshape_static_dynamic(%x: tensor<?x8xf32>) -> tensor<32xf32> {
  // expected-error @+1 {{input and result must both be static or both have one dynamic dimension}}
  %0 = graph.reshape %x : tensor<?x8xf32> to tensor<32xf32>
  return %0 : tensor<32xf32>
}

// -----

func.func @reshape_count(%x: tensor<4x8xf32>) -> tensor<30xf32> {
  // expected-error @+1 {{element count of the result (30) must equal that of the input (32)}}
  %0 = graph.reshape %x : tensor<4x8xf32> to tensor<30xf32>
  return %0 : tensor<30xf32>
}

// -----

func.func @reshape_incompatible(%x: tensor<?x6xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{static part of the result (4) is incompatible with that of the input (6)}}
  %0 = graph.reshape %x : tensor<?x6xf32> to tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
