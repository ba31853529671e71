// LayerNorm with gain and bias weights.
func.func @layernorm(%x: tensor<?x768xbf16> {loom.name = "x"}) -> (tensor<?x768xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %g = graph.weight "ln.weight" : tensor<768xbf16>
  %b = graph.weight "ln.bias" : tensor<768xbf16>
  %y = graph.layer_norm %x, %g, %b {eps = 1.0e-5 : f32} : tensor<?x768xbf16>, tensor<768xbf16>, tensor<768xbf16>
  return %y : tensor<?x768xbf16>
}
