// A merged QKV projection: three checkpoint weights concatenated at load time (a concat recipe
// in the package) feeding one GEMM.
func.func @linear_qkv(%x: tensor<?x256xbf16> {loom.name = "x"}) -> (tensor<?x384xbf16> {loom.name = "qkv"})
    attributes {loom.max_tokens = 8192 : i64} {
  %wq = graph.weight "self_attn.q_proj.weight" : tensor<256x256xbf16>
  %wk = graph.weight "self_attn.k_proj.weight" : tensor<64x256xbf16>
  %wv = graph.weight "self_attn.v_proj.weight" : tensor<64x256xbf16>
  %w = graph.concat %wq, %wk, %wv {axis = 0 : i64} : (tensor<256x256xbf16>, tensor<64x256xbf16>, tensor<64x256xbf16>) -> tensor<384x256xbf16>
  %y = graph.linear %x, %w : tensor<?x256xbf16>, tensor<384x256xbf16> -> tensor<?x384xbf16>
  return %y : tensor<?x384xbf16>
}
