// RMSNorm of a 1024-wide bf16 row with a gain weight.
func.func @rmsnorm(%x: tensor<?x1024xbf16> {loom.name = "x"}) -> (tensor<?x1024xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %g = graph.weight "norm.weight" : tensor<1024xbf16>
  %y = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x1024xbf16>, tensor<1024xbf16>
  return %y : tensor<?x1024xbf16>
}
