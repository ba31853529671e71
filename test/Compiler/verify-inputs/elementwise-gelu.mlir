// GELU (erf and tanh) in an elementwise chain with a broadcast-free mul and add.
func.func @elementwise_gelu(%x: tensor<?x768xbf16> {loom.name = "x"}, %y: tensor<?x768xbf16> {loom.name = "y"})
    -> (tensor<?x768xbf16> {loom.name = "out"}) attributes {loom.max_tokens = 8192 : i64} {
  %0 = graph.gelu %x : tensor<?x768xbf16>
  %1 = graph.gelu %y {approximate = #graph.gelu_approximation<tanh>} : tensor<?x768xbf16>
  %2 = graph.mul %0, %1 : tensor<?x768xbf16>
  %3 = graph.add %2, %x : tensor<?x768xbf16>
  return %3 : tensor<?x768xbf16>
}
