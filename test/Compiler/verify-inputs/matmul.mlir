// graph.matmul with a [K, N] weight (the layout of a GGUF or a transposed checkpoint matrix).
func.func @matmul(%x: tensor<?x256xbf16> {loom.name = "x"}) -> (tensor<?x192xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %w = graph.weight "proj.weight_kn" : tensor<256x192xbf16>
  %y = graph.matmul %x, %w : tensor<?x256xbf16>, tensor<256x192xbf16> -> tensor<?x192xbf16>
  return %y : tensor<?x192xbf16>
}
