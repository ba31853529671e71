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

// expected-error @+1 {{kv_cache element type must be bf16 or f16, got 'f32'}}
func.func private @cache_dtype(!graph.kv_cache<layers = 2, blocks = 4, blockSize = 16, kvHeads = 2, headDim = 64, elementType = f32>)

// -----

func.func @cast_shape(%x: tensor<?x64xf32>) -> tensor<?x32xbf16> {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = graph.cast %x : tensor<?x64xf32> to tensor<?x32xbf16>
  return %0 : tensor<?x32xbf16>
}
