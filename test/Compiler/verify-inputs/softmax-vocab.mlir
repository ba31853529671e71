// Softmax over a 32000-wide f32 row (a Llama-2 vocabulary: sampling probabilities).
func.func @softmax_vocab(%x: tensor<?x32000xf32> {loom.name = "logits"}) -> (tensor<?x32000xf32> {loom.name = "probs"})
    attributes {loom.max_tokens = 8192 : i64} {
  %y = graph.softmax %x : tensor<?x32000xf32>
  return %y : tensor<?x32000xf32>
}
