// Linear with bias and a tanh-approximated GELU epilogue.
func.func @linear_gelu_tanh(%x: tensor<?x512xbf16> {loom.name = "x"}) -> (tensor<?x320xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %w = graph.weight "proj.weight" : tensor<320x512xbf16>
  %b = graph.weight "proj.bias" : tensor<320xbf16>
  %l = graph.linear %x, %w, %b : tensor<?x512xbf16>, tensor<320x512xbf16>, tensor<320xbf16> -> tensor<?x320xbf16>
  %y = graph.gelu %l {approximate = #graph.gelu_approximation<tanh>} : tensor<?x320xbf16>
  return %y : tensor<?x320xbf16>
}
