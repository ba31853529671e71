// Softmax over 4096 bf16 values per row (statistics in f32, output rounded to bf16).
func.func @softmax_bf16(%x: tensor<?x4096xbf16> {loom.name = "scores"}) -> (tensor<?x4096xbf16> {loom.name = "probs"})
    attributes {loom.max_tokens = 8192 : i64} {
  %y = graph.softmax %x : tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}
