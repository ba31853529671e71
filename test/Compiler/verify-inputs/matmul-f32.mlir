// graph.matmul of two f32 activations, unbatched: [M, 33] · [33, 17].
func.func @matmul_f32(%a: tensor<?x33xf32> {loom.name = "a"}, %b: tensor<33x17xf32> {loom.name = "b"})
    -> (tensor<?x17xf32> {loom.name = "y"}) attributes {loom.max_tokens = 8192 : i64} {
  %y = graph.matmul %a, %b : tensor<?x33xf32>, tensor<33x17xf32> -> tensor<?x17xf32>
  return %y : tensor<?x17xf32>
}
