// Merged gate/up projection (weights concatenated at load time) with the SiLU·mul gating epilogue.
func.func @linear_gate_up(%x: tensor<?x512xbf16> {loom.name = "x"}) -> (tensor<?x320xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 8192 : i64} {
  %g = graph.weight "mlp.gate_proj.weight" : tensor<320x512xbf16>
  %u = graph.weight "mlp.up_proj.weight" : tensor<320x512xbf16>
  %w = graph.concat %g, %u {axis = 0 : i64} : (tensor<320x512xbf16>, tensor<320x512xbf16>) -> tensor<640x512xbf16>
  %gu = graph.linear %x, %w : tensor<?x512xbf16>, tensor<640x512xbf16> -> tensor<?x640xbf16>
  %gate, %up = graph.split %gu {axis = 1 : i64} : tensor<?x640xbf16> -> tensor<?x320xbf16>, tensor<?x320xbf16>
  %s = graph.silu %gate : tensor<?x320xbf16>
  %y = graph.mul %s, %up : tensor<?x320xbf16>
  return %y : tensor<?x320xbf16>
}
