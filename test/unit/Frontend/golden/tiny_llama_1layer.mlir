module {
  func.func @forward(%arg0: tensor<?xi32> {loom.dims = ["tokens"], loom.name = "tokens"}, %arg1: tensor<?xi32> {loom.dims = ["tokens"], loom.name = "positions"}, %arg2: tensor<?xi32> {loom.dims = ["tokens"], loom.name = "slots"}, %arg3: tensor<?xi32> {loom.dims = ["seqs+1"], loom.name = "seq_starts"}, %arg4: tensor<?xi32> {loom.dims = ["seqs"], loom.name = "context_lens"}, %arg5: tensor<?x?xi32> {loom.dims = ["seqs", "blocks_per_seq"], loom.name = "block_tables"}, %arg6: tensor<?xi32> {loom.dims = ["seqs"], loom.name = "logit_rows"}, %arg7: !graph.kv_cache<layers = 1, blocks = 8, blockSize = 4, kvHeads = 1, headDim = 4, elementType = bf16> {loom.name = "kv_cache"}) -> (tensor<?x16xf32> {loom.name = "logits"}, !graph.kv_cache<layers = 1, blocks = 8, blockSize = 4, kvHeads = 1, headDim = 4, elementType = bf16> {loom.name = "kv_cache"}) attributes {loom.max_blocks_per_seq = 4 : i64, loom.max_seqs = 2 : i64, loom.max_tokens = 16 : i64} {
    %0 = graph.weight "model.embed_tokens.weight" : tensor<16x8xbf16>
    %1 = graph.embedding %0, %arg0 : tensor<16x8xbf16>, tensor<?xi32> -> tensor<?x8xbf16>
    %2 = graph.weight "model.layers.0.input_layernorm.weight" : tensor<8xbf16>
    %3 = graph.rms_norm %1, %2 {eps = 9.99999974E-6 : f32} : tensor<?x8xbf16>, tensor<8xbf16>
    %4 = graph.weight "model.layers.0.self_attn.q_proj.weight" : tensor<8x8xbf16>
    %5 = graph.weight "model.layers.0.self_attn.k_proj.weight" : tensor<4x8xbf16>
    %6 = graph.weight "model.layers.0.self_attn.v_proj.weight" : tensor<4x8xbf16>
    %7 = graph.concat %4, %5, %6 {axis = 0 : i64} : (tensor<8x8xbf16>, tensor<4x8xbf16>, tensor<4x8xbf16>) -> tensor<16x8xbf16>
    %8 = graph.linear %3, %7 : tensor<?x8xbf16>, tensor<16x8xbf16> -> tensor<?x16xbf16>
    %9:3 = graph.split %8 {axis = 1 : i64} : tensor<?x16xbf16> -> tensor<?x8xbf16>, tensor<?x4xbf16>, tensor<?x4xbf16>
    %10 = graph.rope %9#0, %arg1 {head_dim = 4 : i64, style = #graph.rope_style<rotate_half>, theta = 1.000000e+04 : f32} : tensor<?x8xbf16>, tensor<?xi32>
    %11 = graph.rope %9#1, %arg1 {head_dim = 4 : i64, style = #graph.rope_style<rotate_half>, theta = 1.000000e+04 : f32} : tensor<?x4xbf16>, tensor<?xi32>
    %12 = graph.kv_append %arg7, %11, %9#2, %arg2 {layer = 0 : i64} : !graph.kv_cache<layers = 1, blocks = 8, blockSize = 4, kvHeads = 1, headDim = 4, elementType = bf16>, tensor<?x4xbf16>, tensor<?x4xbf16>, tensor<?xi32>
    %13 = graph.paged_attention %10, %12, %arg5, %arg3, %arg4 {causal, head_dim = 4 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 5.000000e-01 : f32} : tensor<?x8xbf16>, !graph.kv_cache<layers = 1, blocks = 8, blockSize = 4, kvHeads = 1, headDim = 4, elementType = bf16>, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
    %14 = graph.weight "model.layers.0.self_attn.o_proj.weight" : tensor<8x8xbf16>
    %15 = graph.linear %13, %14 : tensor<?x8xbf16>, tensor<8x8xbf16> -> tensor<?x8xbf16>
    %16 = graph.add %1, %15 : tensor<?x8xbf16>
    %17 = graph.weight "model.layers.0.post_attention_layernorm.weight" : tensor<8xbf16>
    %18 = graph.rms_norm %16, %17 {eps = 9.99999974E-6 : f32} : tensor<?x8xbf16>, tensor<8xbf16>
    %19 = graph.weight "model.layers.0.mlp.gate_proj.weight" : tensor<12x8xbf16>
    %20 = graph.weight "model.layers.0.mlp.up_proj.weight" : tensor<12x8xbf16>
    %21 = graph.concat %19, %20 {axis = 0 : i64} : (tensor<12x8xbf16>, tensor<12x8xbf16>) -> tensor<24x8xbf16>
    %22 = graph.linear %18, %21 : tensor<?x8xbf16>, tensor<24x8xbf16> -> tensor<?x24xbf16>
    %23:2 = graph.split %22 {axis = 1 : i64} : tensor<?x24xbf16> -> tensor<?x12xbf16>, tensor<?x12xbf16>
    %24 = graph.silu %23#0 : tensor<?x12xbf16>
    %25 = graph.mul %24, %23#1 : tensor<?x12xbf16>
    %26 = graph.weight "model.layers.0.mlp.down_proj.weight" : tensor<8x12xbf16>
    %27 = graph.linear %25, %26 : tensor<?x12xbf16>, tensor<8x12xbf16> -> tensor<?x8xbf16>
    %28 = graph.add %16, %27 : tensor<?x8xbf16>
    %29 = graph.weight "model.norm.weight" : tensor<8xbf16>
    %30 = graph.rms_norm %28, %29 {eps = 9.99999974E-6 : f32} : tensor<?x8xbf16>, tensor<8xbf16>
    %31 = graph.embedding %30, %arg6 : tensor<?x8xbf16>, tensor<?xi32> -> tensor<?x8xbf16>
    %32 = graph.weight "lm_head.weight" : tensor<16x8xbf16>
    %33 = graph.linear %31, %32 : tensor<?x8xbf16>, tensor<16x8xbf16> -> tensor<?x16xbf16>
    %34 = graph.cast %33 : tensor<?x16xbf16> to tensor<?x16xf32>
    return %34, %12 : tensor<?x16xf32>, !graph.kv_cache<layers = 1, blocks = 8, blockSize = 4, kvHeads = 1, headDim = 4, elementType = bf16>
  }
}
