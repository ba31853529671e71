// An elementwise chain in one kernel: add, SiLU, mul, cast to f32.
func.func @elementwise_chain(%x: tensor<?x1000xbf16> {loom.name = "x"}, %y: tensor<?x1000xbf16> {loom.name = "y"},
                             %z: tensor<?x1000xbf16> {loom.name = "z"})
    -> (tensor<?x1000xf32> {loom.name = "out"}) attributes {loom.max_tokens = 8192 : i64} {
  %0 = graph.add %x, %y : tensor<?x1000xbf16>
  %1 = graph.silu %0 : tensor<?x1000xbf16>
  %2 = graph.mul %1, %z : tensor<?x1000xbf16>
  %3 = graph.cast %2 : tensor<?x1000xbf16> to tensor<?x1000xf32>
  return %3 : tensor<?x1000xf32>
}
