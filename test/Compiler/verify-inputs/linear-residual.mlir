// Linear with a residual-add epilogue (the o_proj / down_proj shape of a transformer layer).
func.func @linear_residual(%x: tensor<?x512xbf16> {loom.name = "x"}, %r: tensor<?x320xbf16> {loom.name = "residual"})
    -> (tensor<?x320xbf16> {loom.name = "y"}) attributes {loom.max_tokens = 8192 : i64} {
  %w = graph.weight "proj.weight" : tensor<320x512xbf16>
  %l = graph.linear %x, %w : tensor<?x512xbf16>, tensor<320x512xbf16> -> tensor<?x320xbf16>
  %y = graph.add %r, %l : tensor<?x320xbf16>
  return %y : tensor<?x320xbf16>
}
