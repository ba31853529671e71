// One Llama decoder layer without attention (its lowering is not there yet: the q projection
// stands in for the attention output), between the embedding and the LM head, as the model
// builder writes it: merged QKV and gate/up weights, residual adds, final norm, logit rows.
func.func @llama_block(%tokens: tensor<?xi32> {loom.name = "tokens"}, %rows: tensor<?xi32> {loom.name = "logit_rows", loom.dims = ["tokens"]})
    -> (tensor<?x512xf32> {loom.name = "logits"}, tensor<?x64xbf16> {loom.name = "k"}, tensor<?x64xbf16> {loom.name = "v"})
    attributes {loom.max_tokens = 8192 : i64} {
  %emb = graph.weight "model.embed_tokens.weight" : tensor<512x256xbf16>
  %h = graph.embedding %emb, %tokens : tensor<512x256xbf16>, tensor<?xi32> -> tensor<?x256xbf16>
  %g1 = graph.weight "model.layers.0.input_layernorm.weight" : tensor<256xbf16>
  %n1 = graph.rms_norm %h, %g1 {eps = 1.0e-5 : f32} : tensor<?x256xbf16>, tensor<256xbf16>
  %wq = graph.weight "model.layers.0.self_attn.q_proj.weight" : tensor<256x256xbf16>
  %wk = graph.weight "model.layers.0.self_attn.k_proj.weight" : tensor<64x256xbf16>
  %wv = graph.weight "model.layers.0.self_attn.v_proj.weight" : tensor<64x256xbf16>
  %wqkv = graph.concat %wq, %wk, %wv {axis = 0 : i64} : (tensor<256x256xbf16>, tensor<64x256xbf16>, tensor<64x256xbf16>) -> tensor<384x256xbf16>
  %qkv = graph.linear %n1, %wqkv : tensor<?x256xbf16>, tensor<384x256xbf16> -> tensor<?x384xbf16>
  %q, %k, %v = graph.split %qkv {axis = 1 : i64} : tensor<?x384xbf16> -> tensor<?x256xbf16>, tensor<?x64xbf16>, tensor<?x64xbf16>
  %wo = graph.weight "model.layers.0.self_attn.o_proj.weight" : tensor<256x256xbf16>
  %o = graph.linear %q, %wo : tensor<?x256xbf16>, tensor<256x256xbf16> -> tensor<?x256xbf16>
  %h2 = graph.add %h, %o : tensor<?x256xbf16>
  %g2 = graph.weight "model.layers.0.post_attention_layernorm.weight" : tensor<256xbf16>
  %n2 = graph.rms_norm %h2, %g2 {eps = 1.0e-5 : f32} : tensor<?x256xbf16>, tensor<256xbf16>
  %wg = graph.weight "model.layers.0.mlp.gate_proj.weight" : tensor<512x256xbf16>
  %wu = graph.weight "model.layers.0.mlp.up_proj.weight" : tensor<512x256xbf16>
  %wgu = graph.concat %wg, %wu {axis = 0 : i64} : (tensor<512x256xbf16>, tensor<512x256xbf16>) -> tensor<1024x256xbf16>
  %gu = graph.linear %n2, %wgu : tensor<?x256xbf16>, tensor<1024x256xbf16> -> tensor<?x1024xbf16>
  %gate, %up = graph.split %gu {axis = 1 : i64} : tensor<?x1024xbf16> -> tensor<?x512xbf16>, tensor<?x512xbf16>
  %s = graph.silu %gate : tensor<?x512xbf16>
  %m = graph.mul %s, %up : tensor<?x512xbf16>
  %wd = graph.weight "model.layers.0.mlp.down_proj.weight" : tensor<256x512xbf16>
  %d = graph.linear %m, %wd : tensor<?x512xbf16>, tensor<256x512xbf16> -> tensor<?x256xbf16>
  %h3 = graph.add %h2, %d : tensor<?x256xbf16>
  %gf = graph.weight "model.norm.weight" : tensor<256xbf16>
  %nf = graph.rms_norm %h3, %gf {eps = 1.0e-5 : f32} : tensor<?x256xbf16>, tensor<256xbf16>
  %last = graph.embedding %nf, %rows : tensor<?x256xbf16>, tensor<?xi32> -> tensor<?x256xbf16>
  %head = graph.weight "lm_head.weight" : tensor<512x256xbf16>
  %l = graph.linear %last, %head : tensor<?x256xbf16>, tensor<512x256xbf16> -> tensor<?x512xbf16>
  %logits = graph.cast %l : tensor<?x512xbf16> to tensor<?x512xf32>
  return %logits, %k, %v : tensor<?x512xf32>, tensor<?x64xbf16>, tensor<?x64xbf16>
}
