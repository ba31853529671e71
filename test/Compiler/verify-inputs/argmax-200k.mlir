// Greedy argmax over a 200000-wide bf16 row (wider than any vocabulary in use); ties: lowest index.
func.func @argmax_200k(%x: tensor<?x200000xbf16> {loom.name = "logits"}) -> (tensor<?xi32> {loom.name = "ids"})
    attributes {loom.max_tokens = 64 : i64} {
  %y = graph.argmax %x : tensor<?x200000xbf16> -> tensor<?xi32>
  return %y : tensor<?xi32>
}
