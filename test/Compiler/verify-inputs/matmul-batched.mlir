// Batched graph.matmul of two activations, one batch per token: [T, 8, 40] · [T, 40, 24] (the
// batch count is the dynamic dim, on grid z; M = 8 static).
func.func @matmul_batched(%a: tensor<?x8x40xbf16> {loom.name = "a"}, %b: tensor<?x40x24xbf16> {loom.name = "b"})
    -> (tensor<?x8x24xbf16> {loom.name = "y"}) attributes {loom.max_tokens = 8192 : i64} {
  %y = graph.matmul %a, %b : tensor<?x8x40xbf16>, tensor<?x40x24xbf16> -> tensor<?x8x24xbf16>
  return %y : tensor<?x8x24xbf16>
}
