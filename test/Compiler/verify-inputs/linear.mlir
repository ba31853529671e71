// Plain linear: bf16 in, f32 accumulate, bf16 out; N = 320 leaves a tail on 128-wide tiles.
func.func @linear(%x: tensor<?x512xbf16> {loom.name = "x"}) -> (tensor<?x320xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %w = graph.weight "proj.weight" : tensor<320x512xbf16>
  %y = graph.linear %x, %w : tensor<?x512xbf16>, tensor<320x512xbf16> -> tensor<?x320xbf16>
  return %y : tensor<?x320xbf16>
}
