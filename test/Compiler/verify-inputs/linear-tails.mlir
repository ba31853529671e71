// Linear whose N (200) and K (264) are no multiple of any tile: masked loads and stores on both.
func.func @linear_tails(%x: tensor<?x264xbf16> {loom.name = "x"}) -> (tensor<?x200xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %w = graph.weight "proj.weight" : tensor<200x264xbf16>
  %y = graph.linear %x, %w : tensor<?x264xbf16>, tensor<200x264xbf16> -> tensor<?x200xbf16>
  return %y : tensor<?x200xbf16>
}
