// Greedy argmax over a 32000-wide bf16 row; bf16 values tie often, and the lowest index wins.
func.func @argmax(%x: tensor<?x32000xbf16> {loom.name = "logits"}) -> (tensor<?xi32> {loom.name = "ids"})
    attributes {loom.max_tokens = 8192 : i64} {
  %y = graph.argmax %x : tensor<?x32000xbf16> -> tensor<?xi32>
  return %y : tensor<?xi32>
}
