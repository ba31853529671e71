// Token embedding: a row gather from a [4000, 512] bf16 table by i32 ids.
func.func @embedding(%ids: tensor<?xi32> {loom.name = "tokens"}) -> (tensor<?x512xbf16> {loom.name = "hidden"})
    attributes {loom.max_tokens = 8192 : i64} {
  %t = graph.weight "model.embed_tokens.weight" : tensor<4000x512xbf16>
  %h = graph.embedding %t, %ids : tensor<4000x512xbf16>, tensor<?xi32> -> tensor<?x512xbf16>
  return %h : tensor<?x512xbf16>
}
