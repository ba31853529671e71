// Ops of the graph dialect.
#ifndef LOOM_GRAPH_OPS
#define LOOM_GRAPH_OPS

include "dialects/Graph/IR/GraphDialect.td"
include "dialects/Graph/IR/GraphTypes.td"
include "dialects/Graph/IR/GraphAttrs.td"
include "dialects/Graph/IR/GraphFusedOps.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Graph_BinaryElementwiseOp<string mnemonic, string what>
    : Graph_Op<mnemonic, [Pure, Commutative, SameOperandsAndResultType]> {
  let summary = "Elementwise " # what # " of two tensors of the same type.";
  let description = [{
    Example: `%z = graph.}] # mnemonic # [{ %x, %y : tensor<?x4096xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$lhs, Graph_FloatTensor:$rhs);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Graph_AddOp : Graph_BinaryElementwiseOp<"add", "sum">;
def Graph_MulOp : Graph_BinaryElementwiseOp<"mul", "product">;

def Graph_SiluOp : Graph_Op<"silu", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise SiLU, x · sigmoid(x).";
  let description = [{
    Example: `%y = graph.silu %x : tensor<?x11008xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Graph_CastOp : Graph_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "Elementwise conversion to another float element type (round to nearest even).";
  let description = [{
    Example: `%y = graph.cast %x : tensor<?x4096xf32> to tensor<?x4096xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasFolder = 1;
}

def Graph_SoftmaxOp : Graph_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax over the last dimension, statistics in f32.";
  let description = [{
    Example: `%p = graph.softmax %logits : tensor<?x32000xf32>`
  }];
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Graph_ArgmaxOp : Graph_Op<"argmax", [Pure]> {
  let summary = "Index of the largest element of each row (the lowest index on ties).";
  let description = [{
    Example: `%ids = graph.argmax %logits : tensor<?x32000xf32> -> tensor<?xi32>`
  }];
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_IndexTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shape
//===----------------------------------------------------------------------===//

def Graph_ReshapeOp : Graph_Op<"reshape", [Pure]> {
  let summary = "Reinterprets a row-major tensor with another shape of the same element count.";
  let description = [{
    At most one dynamic dimension on each side.
    Example: `%y = graph.reshape %x : tensor<?x4096xbf16> to tensor<?x32x128xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Graph_RMSNormOp : Graph_Op<"rms_norm", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "RMS normalization over the last dimension, scaled by a weight vector.";
  let description = [{
    y = x / sqrt(mean(x², last dim) + eps) · w, statistics in f32.
    Example: `%y = graph.rms_norm %x, %w {eps = 1.0e-5 : f32} : tensor<?x4096xbf16>, tensor<4096xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$weight, F32Attr:$eps);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` type($input) `,` type($weight)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$weight, "float":$eps), [{
      build($_builder, $_state, input.getType(), input, weight, $_builder.getF32FloatAttr(eps));
    }]>
  ];
  let hasVerifier = 1;
}

def Graph_GeluOp : Graph_Op<"gelu", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise GELU, exact (erf) or with the tanh approximation.";
  let description = [{
    Example: `%y = graph.gelu %x {approximate = #graph.gelu_approximation<tanh>} : tensor<?x3072xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$input,
      DefaultValuedAttr<Graph_GeluApproximationAttr, "::loom::graph::GeluApproximation::none">:$approximate);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Weights and gathers
//===----------------------------------------------------------------------===//

def Graph_WeightOp : Graph_Op<"weight", [Pure]> {
  let summary = "A model parameter bound by name when the graph is loaded or run.";
  let description = [{
    The name is the tensor's name in the checkpoint (safetensors or GGUF, Hugging Face naming).
    Example: `%w = graph.weight "model.layers.0.mlp.down_proj.weight" : tensor<4096x11008xbf16>`
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Graph_EmbeddingOp : Graph_Op<"embedding", [Pure]> {
  let summary = "Gathers rows of a 2-D table by index (token embedding, or any row gather).";
  let description = [{
    result[i, :] = table[ids[i], :]; an index outside the table is a run-time error.
    Example: `%h = graph.embedding %table, %ids : tensor<32000x4096xbf16>, tensor<?xi32> -> tensor<?x4096xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$table, Graph_IndexTensor:$ids);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$table `,` $ids attr-dict `:` type($table) `,` type($ids) `->` type($result)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$table, "::mlir::Value":$ids)>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

def Graph_LinearOp : Graph_Op<"linear", [Pure]> {
  let summary = "x · Wᵀ (+ bias) over the last dimension, W in [out_features, in_features] layout.";
  let description = [{
    Example: `%y = graph.linear %x, %w, %b : tensor<?x4096xbf16>, tensor<1024x4096xbf16>, tensor<1024xbf16> -> tensor<?x1024xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$weight,
                       Optional<Graph_FloatTensor>:$bias);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)? `->` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$weight,
                   CArg<"::mlir::Value", "{}">:$bias)>
  ];
  let hasVerifier = 1;
}

def Graph_MatmulOp : Graph_Op<"matmul", [Pure]> {
  let summary = "Batched matrix product a · b over the last two dimensions.";
  let description = [{
    Example: `%c = graph.matmul %a, %b : tensor<?x64xf32>, tensor<64x128xf32> -> tensor<?x128xf32>`
  }];
  let arguments = (ins Graph_FloatTensor:$lhs, Graph_FloatTensor:$rhs);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs)>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// LayerNorm
//===----------------------------------------------------------------------===//

def Graph_LayerNormOp : Graph_Op<"layer_norm", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Layer normalization over the last dimension with a weight and an optional bias.";
  let description = [{
    y = (x - mean) / sqrt(var + eps) · w + b, statistics in f32.
    Example: `%y = graph.layer_norm %x, %w, %b {eps = 1.0e-5 : f32} : tensor<?x768xf32>, tensor<768xf32>, tensor<768xf32>`
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$weight,
                       Optional<Graph_FloatTensor>:$bias, F32Attr:$eps);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight) (`,` type($bias)^)?
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Graph_RopeOp : Graph_Op<"rope", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Rotary position embedding of every head of token-major rows.";
  let description = [{
    Row t of `input` holds heads of `head_dim` features; each pair of features of a head is rotated
    by positions[t] · inv_freq[i], inv_freq[i] = theta^(-2i/head_dim), pairs chosen by `style`.
    The four optional attributes, all or none, apply Llama-3 frequency scaling.
    Example: `%q2 = graph.rope %q, %pos {head_dim = 128 : i64, style = #graph.rope_style<rotate_half>, theta = 5.0e5 : f32} : tensor<?x4096xbf16>, tensor<?xi32>`
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_IndexTensor:$positions,
                       F32Attr:$theta, I64Attr:$head_dim, Graph_RopeStyleAttr:$style,
                       OptionalAttr<F32Attr>:$scaling_factor,
                       OptionalAttr<F32Attr>:$low_freq_factor,
                       OptionalAttr<F32Attr>:$high_freq_factor,
                       OptionalAttr<I64Attr>:$original_max_position);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input `,` $positions attr-dict `:` type($input) `,` type($positions)";
  let hasVerifier = 1;
}

def Graph_AttentionOp : Graph_Op<"attention", [Pure, AllTypesMatch<["query", "result"]>]> {
  let summary = "Scaled dot-product attention over a ragged batch of sequences (GQA/MQA).";
  let description = [{
    Sequence b owns rows seq_starts[b] .. seq_starts[b+1] of q, k and v; heads are packed in the
    last dimension; query head h reads KV head h / (num_heads / num_kv_heads). Softmax in f32.
    Example: `%o = graph.attention %q, %k, %v, %starts {causal, head_dim = 128 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.0883883461 : f32} : tensor<?x4096xbf16>, tensor<?x1024xbf16>, tensor<?x1024xbf16>, tensor<?xi32>`
  }];
  let arguments = (ins Graph_FloatTensor:$query, Graph_FloatTensor:$key, Graph_FloatTensor:$value,
                       Graph_I32Tensor:$seq_starts, I64Attr:$num_heads, I64Attr:$num_kv_heads,
                       I64Attr:$head_dim, F32Attr:$scale, UnitAttr:$causal);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value `,` $seq_starts attr-dict `:` type($query) `,` type($key) `,`
    type($value) `,` type($seq_starts)
  }];
  let hasVerifier = 1;
}

def Graph_KVAppendOp : Graph_Op<"kv_append", [Pure, AllTypesMatch<["cache", "result"]>]> {
  let summary = "Writes K and V rows of one layer into their slots of the paged KV cache.";
  let description = [{
    Row t goes to slot slots[t]: block slots[t] / blockSize, row slots[t] % blockSize. The result is
    the updated cache (value semantics; at run time the one pool is updated in place).
    Example: `%c1 = graph.kv_append %c0, %k, %v, %slots {layer = 0 : i64} : !graph.kv_cache<...>, tensor<?x1024xbf16>, tensor<?x1024xbf16>, tensor<?xi32>`
  }];
  let arguments = (ins Graph_KVCacheType:$cache, Graph_FloatTensor:$key, Graph_FloatTensor:$value,
                       Graph_I32Tensor:$slots, I64Attr:$layer);
  let results = (outs Graph_KVCacheType:$result);
  let assemblyFormat = [{
    $cache `,` $key `,` $value `,` $slots attr-dict `:` qualified(type($cache)) `,` type($key) `,`
    type($value) `,` type($slots)
  }];
  let hasVerifier = 1;
}

def Graph_PagedAttentionOp : Graph_Op<"paged_attention", [Pure, AllTypesMatch<["query", "result"]>]> {
  let summary = "Attention of a ragged batch of queries over their context in the paged KV cache.";
  let description = [{
    Sequence b's queries (rows seq_starts[b] .. seq_starts[b+1]) are the last of its
    context_lens[b] cached tokens; context token p is in block block_tables[b][p / blockSize].
    Covers prefill, chunked prefill with prefix reuse, and decode.
    Example: `%o = graph.paged_attention %q, %c, %tables, %starts, %lens {causal, head_dim = 128 : i64, layer = 0 : i64, num_heads = 32 : i64, num_kv_heads = 8 : i64, scale = 0.0883883461 : f32} : tensor<?x4096xbf16>, !graph.kv_cache<...>, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>`
  }];
  let arguments = (ins Graph_FloatTensor:$query, Graph_KVCacheType:$cache,
                       Graph_I32Tensor:$block_tables, Graph_I32Tensor:$seq_starts,
                       Graph_I32Tensor:$context_lens, I64Attr:$layer, I64Attr:$num_heads,
                       I64Attr:$num_kv_heads, I64Attr:$head_dim, F32Attr:$scale, UnitAttr:$causal);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $cache `,` $block_tables `,` $seq_starts `,` $context_lens attr-dict `:`
    type($query) `,` qualified(type($cache)) `,` type($block_tables) `,` type($seq_starts) `,` type($context_lens)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Sampling
//===----------------------------------------------------------------------===//

def Graph_SampleOp : Graph_Op<"sample", [Pure]> {
  let summary = "Draws one token per row of logits with per-row temperature, top-k, top-p and min-p.";
  let description = [{
    Temperature 0 is greedy (argmax); top_k 0, top_p 1 and min_p 0 disable those filters; the seed
    makes each row's draw reproducible.
    Example: `%ids = graph.sample %logits, %t, %k, %p, %minp, %seed : (tensor<?x32000xf32>, tensor<?xf32>, tensor<?xi32>, tensor<?xf32>, tensor<?xf32>, tensor<?xi64>) -> tensor<?xi32>`
  }];
  let arguments = (ins Graph_F32Tensor:$logits, Graph_F32Tensor:$temperature,
                       Graph_I32Tensor:$top_k, Graph_F32Tensor:$top_p, Graph_F32Tensor:$min_p,
                       Graph_I64Tensor:$seed);
  let results = (outs Graph_I32Tensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Layout
//===----------------------------------------------------------------------===//

def Graph_TransposeOp : Graph_Op<"transpose", [Pure]> {
  let summary = "Permutes the dimensions: result dimension i is input dimension permutation[i].";
  let description = [{
    Example: `%y = graph.transpose %x {permutation = array<i64: 1, 0>} : tensor<?x64xf32> -> tensor<64x?xf32>`
  }];
  let arguments = (ins Graph_FloatTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_ConcatOp : Graph_Op<"concat", [Pure]> {
  let summary = "Joins tensors along one axis; the other dimensions must agree.";
  let description = [{
    Example: `%y = graph.concat %a, %b {axis = 1 : i64} : (tensor<?x64xf32>, tensor<?x32xf32>) -> tensor<?x96xf32>`
  }];
  let arguments = (ins Variadic<Graph_FloatTensor>:$inputs, I64Attr:$axis);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, $result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Graph_SplitOp : Graph_Op<"split", [Pure]> {
  let summary = "Cuts a tensor along one axis into pieces whose sizes are the results' extents.";
  let description = [{
    Example: `%q, %k, %v = graph.split %qkv {axis = 1 : i64} : tensor<?x6144xbf16> -> tensor<?x4096xbf16>, tensor<?x1024xbf16>, tensor<?x1024xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Variadic<Graph_FloatTensor>:$results);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($results)";
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

#endif // LOOM_GRAPH_OPS
