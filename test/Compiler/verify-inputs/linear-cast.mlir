// Linear with a cast epilogue to f32 (an LM head's logits).
func.func @linear_cast(%x: tensor<?x512xbf16> {loom.name = "x"}) -> (tensor<?x320xf32> {loom.name = "logits"})
    attributes {loom.max_tokens = 8192 : i64} {
  %w = graph.weight "lm_head.weight" : tensor<320x512xbf16>
  %l = graph.linear %x, %w : tensor<?x512xbf16>, tensor<320x512xbf16> -> tensor<?x320xbf16>
  %y = graph.cast %l : tensor<?x320xbf16> to tensor<?x320xf32>
  return %y : tensor<?x320xf32>
}
