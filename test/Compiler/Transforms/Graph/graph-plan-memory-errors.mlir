// RUN: loom-opt %s --split-input-file --graph-plan-memory --verify-diagnostics

// expected-error @+1 {{argument #0 has dynamic dimensions but no loom.dims naming them}}
func.func @no_dims(%x: tensor<?x8xf32>) -> tensor<?x8xf32> attributes {loom.max_tokens = 4 : i64} {
  %0 = graph.silu %x : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// expected-error @+1 {{loom.dims of argument #0 names 1 dimensions, its type has 2}}
func.func @dims_count(%x: tensor<?x8xf32> {loom.dims = ["tokens"]}) -> tensor<?x8xf32> attributes {loom.max_tokens = 4 : i64} {
  %0 = graph.silu %x : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
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
