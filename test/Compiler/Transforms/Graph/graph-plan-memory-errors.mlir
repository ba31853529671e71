// RUN: loom-opt %s --split-input-file --graph-plan-memory --verify-diagnostics

// Without loom.dims only a dynamic leading dimension has a name ("tokens").
// expected-error @+1 {{argument #0 has dynamic dimension 1 but no loom.dims naming it}}
func.func @no_dims(%x: tensor<8x?xf32>) -> tensor<8x?xf32> attributes {loom.max_tokens = 4 : i64} {
  %0 = graph.silu %x : tensor<8x?xf32>
  return %0 : tensor<8x?xf32>
}

// -----

// loom.dims may leave out trailing static dimensions, not dynamic ones.
// expected-error @+1 {{loom.dims of argument #0 names 1 dimensions, its type has 2}}
func.func @dims_count(%x: tensor<?x?xf32> {loom.dims = ["tokens"]}) -> tensor<?x?xf32> attributes {loom.max_tokens = 4 : i64} {
  %0 = graph.silu %x : tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// expected-error @+1 {{dimension 'seqs' has no bound: the function needs a loom.max_seqs attribute}}
func.func @no_bound(%x: tensor<?x8xf32> {loom.dims = ["seqs+1", "8"]}) -> tensor<?x8xf32> attributes {loom.max_tokens = 4 : i64} {
  %0 = graph.silu %x : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// expected-error @+1 {{loom.dims of argument #0 must be strings}}
func.func @dims_not_strings(%x: tensor<?x8xf32> {loom.dims = [4, 8]}) -> tensor<?x8xf32> {
  %0 = graph.silu %x : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
