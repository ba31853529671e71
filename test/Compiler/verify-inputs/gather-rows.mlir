// The logit-row gather of the forward step (docs/graph-ops.md): graph.embedding whose table is an
// activation ([tokens, 256], rows known only at run time), ids in [0, tokens).
func.func @gather_rows(%h: tensor<?x256xbf16> {loom.name = "hidden"}, %rows: tensor<?xi32> {loom.name = "logit_rows", loom.dims = ["tokens"]})
    -> (tensor<?x256xbf16> {loom.name = "picked"}) attributes {loom.max_tokens = 8192 : i64} {
  %y = graph.embedding %h, %rows : tensor<?x256xbf16>, tensor<?xi32> -> tensor<?x256xbf16>
  return %y : tensor<?x256xbf16>
}
