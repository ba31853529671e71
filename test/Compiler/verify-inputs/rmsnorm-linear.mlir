// RMSNorm prologue: the gain is a weight, so it is folded into the linear weight (a scale
// recipe) and the per-row 1/rms is applied in the epilogue.
func.func @rmsnorm_linear(%x: tensor<?x512xbf16> {loom.name = "x"}) -> (tensor<?x320xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %g = graph.weight "norm.weight" : tensor<512xbf16>
  %w = graph.weight "proj.weight" : tensor<320x512xbf16>
  %n = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x512xbf16>, tensor<512xbf16>
  %y = graph.linear %n, %w : tensor<?x512xbf16>, tensor<320x512xbf16> -> tensor<?x320xbf16>
  return %y : tensor<?x320xbf16>
}
