// graph.matmul of an activation and a [K, N] weight with odd K and N (rows not 16-byte aligned).
func.func @matmul_odd(%x: tensor<?x77xbf16> {loom.name = "x"}) -> (tensor<?x45xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %w = graph.weight "proj.weight_kn" : tensor<77x45xbf16>
  %y = graph.matmul %x, %w : tensor<?x77xbf16>, tensor<77x45xbf16> -> tensor<?x45xbf16>
  return %y : tensor<?x45xbf16>
}
