// A Llama decoder MLP block (RMSNorm -> gate/up -> SiLU*up -> down + residual), as the C++ DSL
// example (examples/mlp_block.cpp) builds it. loomc compiles it: examples/demo.sh.
module {
  func.func @mlp_block(%arg0: tensor<?x2048xbf16> {loom.dims = ["tokens", "2048"]}) -> tensor<?x2048xbf16> attributes {loom.max_tokens = 4096 : i64} {
    %0 = graph.weight "post_attention_layernorm.weight" : tensor<2048xbf16>
    %1 = graph.rms_norm %arg0, %0 {eps = 9.99999974E-6 : f32} : tensor<?x2048xbf16>, tensor<2048xbf16>
    %2 = graph.weight "mlp.gate_proj.weight" : tensor<8192x2048xbf16>
    %3 = graph.linear %1, %2 : tensor<?x2048xbf16>, tensor<8192x2048xbf16> -> tensor<?x8192xbf16>
    %4 = graph.weight "mlp.up_proj.weight" : tensor<8192x2048xbf16>
    %5 = graph.linear %1, %4 : tensor<?x2048xbf16>, tensor<8192x2048xbf16> -> tensor<?x8192xbf16>
    %6 = graph.silu %3 : tensor<?x8192xbf16>
    %7 = graph.mul %6, %5 : tensor<?x8192xbf16>
    %8 = graph.weight "mlp.down_proj.weight" : tensor<2048x8192xbf16>
    %9 = graph.linear %7, %8 : tensor<?x8192xbf16>, tensor<2048x8192xbf16> -> tensor<?x2048xbf16>
    %10 = graph.add %arg0, %9 : tensor<?x2048xbf16>
    return %10 : tensor<?x2048xbf16>
  }
}
