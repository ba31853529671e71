// Softmax over a 128256-wide f32 row (Llama 3's vocabulary): one streaming CTA per row.
func.func @softmax_128k(%x: tensor<?x128256xf32> {loom.name = "logits"}) -> (tensor<?x128256xf32> {loom.name = "probs"})
    attributes {loom.max_tokens = 64 : i64} {
  %y = graph.softmax %x : tensor<?x128256xf32>
  return %y : tensor<?x128256xf32>
}
