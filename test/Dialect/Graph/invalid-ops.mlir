// RUN: loom-opt %s --split-input-file --verify-diagnostics
// Every verifier message of the embedding, product, norm, rope, attention, KV-cache, sampling and layout ops.

func.func @weight_name() {
  // expected-error @+1 {{weight name must not be empty}}
  %0 = graph.weight "" : tensor<4xf32>
  return
}

// -----

func.func @weight_dynamic() {
  // expected-error @+1 {{weight 'w' must have a static shape, got 'tensor<?x4xf32>'}}
  %0 = graph.weight "w" : tensor<?x4xf32>
  return
}

// -----

func.func @embedding_table(%t: tensor<4xf32>, %i: tensor<?xi32>) {
  // expected-error @+1 {{table must be 2-D, got rank 1}}
  %0 = graph.embedding %t, %i : tensor<4xf32>, tensor<?xi32> -> tensor<?x4xf32>
  return
}

// -----

func.func @embedding_ids(%t: tensor<8x4xf32>, %i: tensor<?x2xi32>) {
  // expected-error @+1 {{ids must be 1-D, got rank 2}}
  %0 = graph.embedding %t, %i : tensor<8x4xf32>, tensor<?x2xi32> -> tensor<?x4xf32>
  return
}

// -----

func.func @embedding_result(%t: tensor<8x4xf32>, %i: tensor<?xi32>) {
  // expected-error @+1 {{result type 'tensor<?x5xf32>' must be [ids, 4] of 'f32'}}
  %0 = graph.embedding %t, %i : tensor<8x4xf32>, tensor<?xi32> -> tensor<?x5xf32>
  return
}

// -----

func.func @linear_weight_rank(%x: tensor<?x4xf32>, %w: tensor<4xf32>) {
  // expected-error @+1 {{weight must be 2-D [out, in], got rank 1}}
  %0 = graph.linear %x, %w : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @linear_types(%x: tensor<?x4xf32>, %w: tensor<8x4xbf16>) {
  // expected-error @+1 {{input element type 'f32' must equal the weight's 'bf16'}}
  %0 = graph.linear %x, %w : tensor<?x4xf32>, tensor<8x4xbf16> -> tensor<?x8xf32>
  return
}

// -----

func.func @linear_in(%x: tensor<?x4xf32>, %w: tensor<8x5xf32>) {
  // expected-error @+1 {{weight in_features (5) must match the last dimension of input (4)}}
  %0 = graph.linear %x, %w : tensor<?x4xf32>, tensor<8x5xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @linear_bias(%x: tensor<?x4xf32>, %w: tensor<8x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{bias type 'tensor<4xf32>' must be a vector of out_features (8)}}
  %0 = graph.linear %x, %w, %b : tensor<?x4xf32>, tensor<8x4xf32>, tensor<4xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @linear_result_type(%x: tensor<?x4xf32>, %w: tensor<8x4xf32>) {
  // expected-error @+1 {{result type 'tensor<?x8xbf16>' must have the input's rank and element type}}
  %0 = graph.linear %x, %w : tensor<?x4xf32>, tensor<8x4xf32> -> tensor<?x8xbf16>
  return
}

// -----

func.func @linear_result_dim(%x: tensor<?x4xf32>, %w: tensor<8x4xf32>) {
  // expected-error @+1 {{result dimension 1 (9) must be 8}}
  %0 = graph.linear %x, %w : tensor<?x4xf32>, tensor<8x4xf32> -> tensor<?x9xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<4xf32>, %b: tensor<4x2xf32>) {
  // expected-error @+1 {{operands must have the same rank of at least 2, got 1 and 2}}
  %0 = graph.matmul %a, %b : tensor<4xf32>, tensor<4x2xf32> -> tensor<2xf32>
  return
}

// -----

func.func @matmul_types(%a: tensor<3x4xf32>, %b: tensor<4x2xbf16>) {
  // expected-error @+1 {{operands and result must share one element type}}
  %0 = graph.matmul %a, %b : tensor<3x4xf32>, tensor<4x2xbf16> -> tensor<3x2xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<5x4x2xf32>) {
  // expected-error @+1 {{batch dimension 0 differs: 2 vs 5}}
  %0 = graph.matmul %a, %b : tensor<2x3x4xf32>, tensor<5x4x2xf32> -> tensor<2x3x2xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<3x4xf32>, %b: tensor<5x2xf32>) {
  // expected-error @+1 {{contraction dimensions differ: lhs has 4, rhs has 5}}
  %0 = graph.matmul %a, %b : tensor<3x4xf32>, tensor<5x2xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @matmul_result_rank(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>) {
  // expected-error @+1 {{result rank (3) must be 2}}
  %0 = graph.matmul %a, %b : tensor<3x4xf32>, tensor<4x2xf32> -> tensor<1x3x2xf32>
  return
}

// -----

func.func @matmul_result_dim(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>) {
  // expected-error @+1 {{result dimension 1 (3) must be 2}}
  %0 = graph.matmul %a, %b : tensor<3x4xf32>, tensor<4x2xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @layer_norm_weight(%x: tensor<?x4xf32>, %w: tensor<5xf32>) {
  // expected-error @+1 {{weight type 'tensor<5xf32>' must be a vector as long as the last dimension of input (4)}}
  %0 = graph.layer_norm %x, %w {eps = 1.0e-5 : f32} : tensor<?x4xf32>, tensor<5xf32>
  return
}

// -----

func.func @layer_norm_bias(%x: tensor<?x4xf32>, %w: tensor<4xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{bias type 'tensor<2x4xf32>' must be a vector as long as the last dimension of input (4)}}
  %0 = graph.layer_norm %x, %w, %b {eps = 1.0e-5 : f32} : tensor<?x4xf32>, tensor<4xf32>, tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_eps(%x: tensor<?x4xf32>, %w: tensor<4xf32>) {
  // expected-error @+1 {{eps must be positive}}
  %0 = graph.layer_norm %x, %w {eps = -1.0 : f32} : tensor<?x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @sample_logits(%l: tensor<?xf32>, %t: tensor<?xf32>, %k: tensor<?xi32>, %p: tensor<?xf32>, %m: tensor<?xf32>, %s: tensor<?xi64>) {
  // expected-error @+1 {{logits must be 2-D [rows, vocab], got rank 1}}
  %0 = graph.sample %l, %t, %k, %p, %m, %s : (tensor<?xf32>, tensor<?xf32>, tensor<?xi32>, tensor<?xf32>, tensor<?xf32>, tensor<?xi64>) -> tensor<?xi32>
  return
}

// -----

func.func @sample_rows(%l: tensor<4x32xf32>, %t: tensor<3xf32>, %k: tensor<4xi32>, %p: tensor<4xf32>, %m: tensor<4xf32>, %s: tensor<4xi64>) {
  // expected-error @+1 {{per-row operand or result of type 'tensor<3xf32>' must be a vector of one entry per logits row (4)}}
  %0 = graph.sample %l, %t, %k, %p, %m, %s : (tensor<4x32xf32>, tensor<3xf32>, tensor<4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi64>) -> tensor<4xi32>
  return
}

// -----

func.func @rope_rank(%x: tensor<?x2x8xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{input must be 2-D [tokens, heads * head_dim], got rank 3}}
  %0 = graph.rope %x, %p {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x2x8xf32>, tensor<?xi32>
  return
}

// -----

func.func @rope_head_dim(%x: tensor<?x16xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{head_dim must be positive and even, got 7}}
  %0 = graph.rope %x, %p {head_dim = 7 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xf32>, tensor<?xi32>
  return
}

// -----

func.func @rope_multiple(%x: tensor<?x20xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{last dimension of input (20) must be a multiple of head_dim (8)}}
  %0 = graph.rope %x, %p {head_dim = 8 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x20xf32>, tensor<?xi32>
  return
}

// -----

func.func @rope_positions(%x: tensor<3x16xf32>, %p: tensor<4xi32>) {
  // expected-error @+1 {{positions type 'tensor<4xi32>' must be a vector of one entry per row (3)}}
  %0 = graph.rope %x, %p {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<3x16xf32>, tensor<4xi32>
  return
}

// -----

func.func @rope_theta(%x: tensor<?x16xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{theta must be positive}}
  %0 = graph.rope %x, %p {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 0.0 : f32} : tensor<?x16xf32>, tensor<?xi32>
  return
}

// -----

func.func @rope_scaling(%x: tensor<?x16xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{Llama-3 scaling needs all of scaling_factor, low_freq_factor, high_freq_factor and original_max_position, got 1 of 4}}
  %0 = graph.rope %x, %p {head_dim = 8 : i64, scaling_factor = 8.0 : f32, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xf32>, tensor<?xi32>
  return
}

// -----

func.func @attention_heads_positive(%q: tensor<?x16xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>, %s: tensor<?xi32>) {
  // expected-error @+1 {{num_heads (2), num_kv_heads (0) and head_dim (8) must be positive}}
  %0 = graph.attention %q, %k, %v, %s {head_dim = 8 : i64, num_heads = 2 : i64, num_kv_heads = 0 : i64, scale = 1.0 : f32} : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?xi32>
  return
}

// -----

func.func @attention_gqa(%q: tensor<?x24xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>, %s: tensor<?xi32>) {
  // expected-error @+1 {{num_heads (3) must be a multiple of num_kv_heads (2)}}
  %0 = graph.attention %q, %k, %v, %s {head_dim = 8 : i64, num_heads = 3 : i64, num_kv_heads = 2 : i64, scale = 1.0 : f32} : tensor<?x24xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?xi32>
  return
}

// -----

func.func @attention_scale(%q: tensor<?x16xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>, %s: tensor<?xi32>) {
  // expected-error @+1 {{scale must be positive}}
  %0 = graph.attention %q, %k, %v, %s {head_dim = 8 : i64, num_heads = 2 : i64, num_kv_heads = 2 : i64, scale = 0.0 : f32} : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?xi32>
  return
}

// -----

func.func @attention_query(%q: tensor<?x12xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>, %s: tensor<?xi32>) {
  // expected-error @+1 {{query type 'tensor<?x12xf32>' must be [tokens, 16] (2 heads of 8)}}
  %0 = graph.attention %q, %k, %v, %s {head_dim = 8 : i64, num_heads = 2 : i64, num_kv_heads = 2 : i64, scale = 1.0 : f32} : tensor<?x12xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?xi32>
  return
}

// -----

func.func @attention_seq_starts(%q: tensor<?x16xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>, %s: tensor<2x2xi32>) {
  // expected-error @+1 {{seq_starts must be 1-D, got rank 2}}
  %0 = graph.attention %q, %k, %v, %s {head_dim = 8 : i64, num_heads = 2 : i64, num_kv_heads = 2 : i64, scale = 1.0 : f32} : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<2x2xi32>
  return
}

// -----

func.func @attention_kv_rows(%q: tensor<4x16xf32>, %k: tensor<5x16xf32>, %v: tensor<5x16xf32>, %s: tensor<?xi32>) {
  // expected-error @+1 {{key and value type 'tensor<5x16xf32>' must have the query's rows and element type}}
  %0 = graph.attention %q, %k, %v, %s {causal, head_dim = 8 : i64, num_heads = 2 : i64, num_kv_heads = 2 : i64, scale = 1.0 : f32} : tensor<4x16xf32>, tensor<5x16xf32>, tensor<5x16xf32>, tensor<?xi32>
  return
}

// -----

func.func @kv_append_layer(%c: !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>, %s: tensor<?xi32>) {
  // expected-error @+1 {{layer 2 is outside the cache's 2 layers}}
  %0 = graph.kv_append %c, %k, %v, %s {layer = 2 : i64} : !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?xi32>
  return
}

// -----

func.func @kv_append_key(%c: !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, %k: tensor<?x8xf32>, %v: tensor<?x8xf32>, %s: tensor<?xi32>) {
  // expected-error @+1 {{key type 'tensor<?x8xf32>' must be [tokens, 16] (2 heads of 8)}}
  %0 = graph.kv_append %c, %k, %v, %s {layer = 0 : i64} : !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?xi32>
  return
}

// -----

func.func @kv_append_value(%c: !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, %k: tensor<?x16xf32>, %v: tensor<4x16xf32>, %s: tensor<?xi32>) {
  // expected-error @+1 {{value type 'tensor<4x16xf32>' must equal the key type 'tensor<?x16xf32>'}}
  %0 = graph.kv_append %c, %k, %v, %s {layer = 0 : i64} : !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, tensor<?x16xf32>, tensor<4x16xf32>, tensor<?xi32>
  return
}

// -----

func.func @kv_append_dtype(%c: !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, %k: tensor<?x16xbf16>, %v: tensor<?x16xbf16>, %s: tensor<?xi32>) {
  // expected-error @+1 {{key element type 'bf16' must equal the cache's 'f32'}}
  %0 = graph.kv_append %c, %k, %v, %s {layer = 0 : i64} : !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, tensor<?x16xbf16>, tensor<?x16xbf16>, tensor<?xi32>
  return
}

// -----

func.func @kv_append_slots(%c: !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, %k: tensor<3x16xf32>, %v: tensor<3x16xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{slots must have one entry per key row}}
  %0 = graph.kv_append %c, %k, %v, %s {layer = 0 : i64} : !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, tensor<3x16xf32>, tensor<3x16xf32>, tensor<4xi32>
  return
}

// -----

func.func @kv_append_slots_rank(%c: !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>, %s: tensor<?x1xi32>) {
  // expected-error @+1 {{slots must be 1-D, got rank 2}}
  %0 = graph.kv_append %c, %k, %v, %s {layer = 0 : i64} : !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x1xi32>
  return
}

// -----

func.func @paged_cache_heads(%q: tensor<?x32xf32>, %c: !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, %t: tensor<?x?xi32>, %s: tensor<?xi32>, %l: tensor<?xi32>) {
  // expected-error @+1 {{cache holds 2 KV heads of 8, not 4 of 8}}
  %0 = graph.paged_attention %q, %c, %t, %s, %l {head_dim = 8 : i64, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 4 : i64, scale = 1.0 : f32} : tensor<?x32xf32>, !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return
}

// -----

func.func @paged_tables(%q: tensor<?x32xf32>, %c: !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, %t: tensor<?xi32>, %s: tensor<?xi32>, %l: tensor<?xi32>) {
  // expected-error @+1 {{block_tables must be 2-D [sequences, max_blocks], got rank 1}}
  %0 = graph.paged_attention %q, %c, %t, %s, %l {head_dim = 8 : i64, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 1.0 : f32} : tensor<?x32xf32>, !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, tensor<?xi32>, tensor<?xi32>, tensor<?xi32>
  return
}

// -----

func.func @paged_context_lens(%q: tensor<?x32xf32>, %c: !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, %t: tensor<?x?xi32>, %s: tensor<?xi32>, %l: tensor<?x2xi32>) {
  // expected-error @+1 {{context_lens must be 1-D, got rank 2}}
  %0 = graph.paged_attention %q, %c, %t, %s, %l {head_dim = 8 : i64, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 1.0 : f32} : tensor<?x32xf32>, !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, tensor<?x?xi32>, tensor<?xi32>, tensor<?x2xi32>
  return
}

// -----

func.func @paged_dtype(%q: tensor<?x32xbf16>, %c: !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, %t: tensor<?x?xi32>, %s: tensor<?xi32>, %l: tensor<?xi32>) {
  // expected-error @+1 {{query element type 'bf16' must equal the cache's 'f32'}}
  %0 = graph.paged_attention %q, %c, %t, %s, %l {head_dim = 8 : i64, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 1.0 : f32} : tensor<?x32xbf16>, !graph.kv_cache<layers = 2, blocks = 8, blockSize = 4, kvHeads = 2, headDim = 8, elementType = f32>, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return
}

// -----

func.func @transpose_count(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{permutation has 1 entries for an input of rank 2}}
  %0 = graph.transpose %x {permutation = array<i64: 0>} : tensor<?x4xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{permutation must list each of 0..1 once}}
  %0 = graph.transpose %x {permutation = array<i64: 1, 1>} : tensor<?x4xf32> -> tensor<4x?xf32>
  return
}

// -----

func.func @transpose_type(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{result type 'tensor<4x?xbf16>' must have the input's rank and element type}}
  %0 = graph.transpose %x {permutation = array<i64: 1, 0>} : tensor<?x4xf32> -> tensor<4x?xbf16>
  return
}

// -----

func.func @transpose_dim(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{result dimension 0 (3) must be input dimension 1 (4)}}
  %0 = graph.transpose %x {permutation = array<i64: 1, 0>} : tensor<3x4xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{needs at least one input}}
  %0 = graph.concat {axis = 0 : i64} : () -> tensor<4xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<?x4xf32>) {
  // expected-error @+1 {{axis 2 is outside the rank 2}}
  %0 = graph.concat %a {axis = 2 : i64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @concat_input(%a: tensor<?x4xf32>, %b: tensor<?x4xbf16>) {
  // expected-error @+1 {{input type 'tensor<?x4xbf16>' must have the rank and element type of 'tensor<?x4xf32>'}}
  %0 = graph.concat %a, %b {axis = 1 : i64} : (tensor<?x4xf32>, tensor<?x4xbf16>) -> tensor<?x8xf32>
  return
}

// -----

func.func @concat_other_dim(%a: tensor<3x4xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{inputs differ in dimension 0, which is not the axis}}
  %0 = graph.concat %a, %b {axis = 1 : i64} : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x8xf32>
  return
}

// -----

func.func @concat_result_type(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) {
  // expected-error @+1 {{result type 'tensor<?x8xbf16>' must have the inputs' rank and element type}}
  %0 = graph.concat %a, %b {axis = 1 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x8xbf16>
  return
}

// -----

func.func @concat_extent(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) {
  // expected-error @+1 {{result extent along the axis (9) must be the sum of the inputs' (8)}}
  %0 = graph.concat %a, %b {axis = 1 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x9xf32>
  return
}

// -----

func.func @split_axis(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{axis 3 is outside the rank 2}}
  %0:2 = graph.split %x {axis = 3 : i64} : tensor<?x8xf32> -> tensor<?x4xf32>, tensor<?x4xf32>
  return
}

// -----

func.func @split_type(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{result type 'tensor<?x4xbf16>' must have the input's rank and element type}}
  %0:2 = graph.split %x {axis = 1 : i64} : tensor<?x8xf32> -> tensor<?x4xf32>, tensor<?x4xbf16>
  return
}

// -----

func.func @split_static(%x: tensor<8x?xf32>) {
  // expected-error @+1 {{result extents along the axis must be static}}
  %0:2 = graph.split %x {axis = 1 : i64} : tensor<8x?xf32> -> tensor<8x?xf32>, tensor<8x4xf32>
  return
}

// -----

func.func @split_other_dim(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{result differs from the input in dimension 0, which is not the axis}}
  %0:2 = graph.split %x {axis = 1 : i64} : tensor<3x8xf32> -> tensor<2x4xf32>, tensor<3x4xf32>
  return
}

// -----

func.func @split_sum(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{result extents along the axis sum to 6, not the input's 8}}
  %0:2 = graph.split %x {axis = 1 : i64} : tensor<?x8xf32> -> tensor<?x4xf32>, tensor<?x2xf32>
  return
}
