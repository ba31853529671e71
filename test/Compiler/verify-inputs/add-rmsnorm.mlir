// Residual add + RMSNorm in one pass over the row; both the sum (the residual stream) and the
// normalised row are outputs. The width 1000 is no multiple of a 16-byte packet.
func.func @add_rmsnorm(%h: tensor<?x1000xbf16> {loom.name = "h"}, %r: tensor<?x1000xbf16> {loom.name = "residual"})
    -> (tensor<?x1000xbf16> {loom.name = "sum"}, tensor<?x1000xbf16> {loom.name = "normed"})
    attributes {loom.max_tokens = 8192 : i64} {
  %g = graph.weight "norm.weight" : tensor<1000xbf16>
  %s = graph.add %h, %r : tensor<?x1000xbf16>
  %n = graph.rms_norm %s, %g {eps = 1.0e-6 : f32} : tensor<?x1000xbf16>, tensor<1000xbf16>
  return %s, %n : tensor<?x1000xbf16>, tensor<?x1000xbf16>
}
