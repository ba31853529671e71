// Linear with a SiLU epilogue.
func.func @linear_silu(%x: tensor<?x512xbf16> {loom.name = "x"}) -> (tensor<?x320xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %w = graph.weight "proj.weight" : tensor<320x512xbf16>
  %l = graph.linear %x, %w : tensor<?x512xbf16>, tensor<320x512xbf16> -> tensor<?x320xbf16>
  %y = graph.silu %l : tensor<?x320xbf16>
  return %y : tensor<?x320xbf16>
}
