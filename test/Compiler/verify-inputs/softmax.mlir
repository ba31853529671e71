// Softmax over 2000 f32 logits per row.
func.func @softmax(%x: tensor<?x2000xf32> {loom.name = "logits"}) -> (tensor<?x2000xf32> {loom.name = "probs"})
    attributes {loom.max_tokens = 8192 : i64} {
  %y = graph.softmax %x : tensor<?x2000xf32>
  return %y : tensor<?x2000xf32>
}
