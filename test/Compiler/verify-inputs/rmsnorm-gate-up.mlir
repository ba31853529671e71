// The whole MLP input of a Llama layer in one kernel: RMSNorm prologue, merged gate/up GEMM,
// SiLU·mul gating.
func.func @rmsnorm_gate_up(%x: tensor<?x512xbf16> {loom.name = "x"}) -> (tensor<?x384xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %n0 = graph.weight "norm.weight" : tensor<512xbf16>
  %g = graph.weight "mlp.gate_proj.weight" : tensor<384x512xbf16>
  %u = graph.weight "mlp.up_proj.weight" : tensor<384x512xbf16>
  %n = graph.rms_norm %x, %n0 {eps = 1.0e-5 : f32} : tensor<?x512xbf16>, tensor<512xbf16>
  %w = graph.concat %g, %u {axis = 0 : i64} : (tensor<384x512xbf16>, tensor<384x512xbf16>) -> tensor<768x512xbf16>
  %gu = graph.linear %n, %w : tensor<?x512xbf16>, tensor<768x512xbf16> -> tensor<?x768xbf16>
  %gate, %up = graph.split %gu {axis = 1 : i64} : tensor<?x768xbf16> -> tensor<?x384xbf16>, tensor<?x384xbf16>
  %s = graph.silu %gate : tensor<?x384xbf16>
  %y = graph.mul %s, %up : tensor<?x384xbf16>
  return %y : tensor<?x384xbf16>
}
