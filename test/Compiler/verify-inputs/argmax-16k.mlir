// Greedy argmax over a 16384-wide bf16 row (the widest that compiles today; argmax.mlir has the vocab width); bf16 values tie often, and the lowest index wins.
func.func @argmax_16k(%x: tensor<?x16384xbf16> {loom.name = "logits"}) -> (tensor<?xi32> {loom.name = "ids"})
    attributes {loom.max_tokens = 8192 : i64} {
  %y = graph.argmax %x : tensor<?x16384xbf16> -> tensor<?xi32>
  return %y : tensor<?xi32>
}
