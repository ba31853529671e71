// Types of the graph dialect: the paged KV cache.
#ifndef LOOM_GRAPH_TYPES
#define LOOM_GRAPH_TYPES

include "dialects/Graph/IR/GraphDialect.td"

def Graph_KVCacheType : Graph_Type<"KVCache", "kv_cache"> {
  let summary = "A paged KV cache pool: K and V for every layer, in fixed-size blocks.";
  let description = [{
    Layout `[layers][blocks][block_size][kv_heads][head_dim]`, once for K and
    once for V. Example:
    `!graph.kv_cache<layers = 16, blocks = 2048, blockSize = 16, kvHeads = 8, headDim = 128, elementType = bf16>`.
  }];
  let parameters = (ins "int64_t":$layers, "int64_t":$blocks, "int64_t":$blockSize,
                        "int64_t":$kvHeads, "int64_t":$headDim, "::mlir::Type":$elementType);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // LOOM_GRAPH_TYPES
