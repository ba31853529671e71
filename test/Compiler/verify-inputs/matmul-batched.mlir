// Batched graph.matmul of two activations: [3, M, 40] · [3, 40, 24] (attention-score-like).
func.func @matmul_batched(%a: tensor<3x?x40xbf16> {loom.name = "a", loom.dims = ["3", "tokens", "40"]},
                          %b: tensor<3x40x24xbf16> {loom.name = "b"}) -> (tensor<3x?x24xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %y = graph.matmul %a, %b : tensor<3x?x40xbf16>, tensor<3x40x24xbf16> -> tensor<3x?x24xbf16>
  return %y : tensor<3x?x24xbf16>
}
