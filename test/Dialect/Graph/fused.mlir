// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// CHECK-LABEL: func @add_rms_norm
// CHECK: %[[R:.+]]:2 = graph.fused norm "fused_add_rms_norm_0" (%[[A:.+]] = %arg0, %[[B:.+]] = %arg1, %[[G:.+]] = %arg2) : (tensor<?x64xf32>, tensor<?x64xf32>, tensor<64xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
// CHECK-NEXT: %[[S:.+]] = graph.add %[[A]], %[[B]] : tensor<?x64xf32>
// CHECK-NEXT: %[[N:.+]] = graph.rms_norm %[[S]], %[[G]]
// CHECK-NEXT: graph.yield %[[S]], %[[N]] : tensor<?x64xf32>, tensor<?x64xf32>
// CHECK-NEXT: }
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @add_rms_norm(%x: tensor<?x64xf32>, %r: tensor<?x64xf32>, %w: tensor<64xf32>)
    -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %s, %n = graph.fused norm "fused_add_rms_norm_0" (%a = %x, %b = %r, %g = %w)
      : (tensor<?x64xf32>, tensor<?x64xf32>, tensor<64xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
    %0 = graph.add %a, %b : tensor<?x64xf32>
    %1 = graph.rms_norm %0, %g {eps = 1.0e-5 : f32} : tensor<?x64xf32>, tensor<64xf32>
    graph.yield %0, %1 : tensor<?x64xf32>, tensor<?x64xf32>
  }
  return %s, %n : tensor<?x64xf32>, tensor<?x64xf32>
}

// CHECK-LABEL: func @gemm_prologue
// CHECK: graph.fused gemm "fused_rms_norm_linear_1" (%{{.*}} = %arg0, %{{.*}} = %arg1, %{{.*}} = %arg2) : (tensor<?x64xbf16>, tensor<64xbf16>, tensor<128x64xbf16>) -> tensor<?x128xbf16> attributes {prologue = #graph.gemm_prologue<row_scale_folded_gain>} {
func.func @gemm_prologue(%x: tensor<?x64xbf16>, %g: tensor<64xbf16>, %w: tensor<128x64xbf16>) -> tensor<?x128xbf16> {
  %y = graph.fused gemm "fused_rms_norm_linear_1" (%a = %x, %b = %g, %c = %w)
      : (tensor<?x64xbf16>, tensor<64xbf16>, tensor<128x64xbf16>) -> tensor<?x128xbf16>
      attributes {prologue = #graph.gemm_prologue<row_scale_folded_gain>} {
    %0 = graph.rms_norm %a, %b {eps = 1.0e-5 : f32} : tensor<?x64xbf16>, tensor<64xbf16>
    %1 = graph.linear %0, %c : tensor<?x64xbf16>, tensor<128x64xbf16> -> tensor<?x128xbf16>
    graph.yield %1 : tensor<?x128xbf16>
  }
  return %y : tensor<?x128xbf16>
}

// A group may capture the KV cache; every kind parses.
// CHECK-LABEL: func @kinds
// CHECK: graph.fused other "fused_kv_append_2"
// CHECK: graph.fused elementwise "fused_silu_3"
// CHECK: graph.fused gather "fused_embedding_4"
// CHECK: graph.fused attention "fused_attention_5"
func.func @kinds(%c: !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>,
                 %k: tensor<?x128xbf16>, %slots: tensor<?xi32>, %t: tensor<100x128xbf16>, %ids: tensor<?xi32>)
    -> (!graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?x128xbf16>) {
  %c1 = graph.fused other "fused_kv_append_2" (%a = %c, %b = %k, %s = %slots)
      : (!graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>, tensor<?x128xbf16>, tensor<?xi32>)
        -> !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16> {
    %0 = graph.kv_append %a, %b, %b, %s {layer = 0 : i64} : !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?xi32>
    graph.yield %0 : !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>
  }
  %y = graph.fused elementwise "fused_silu_3" (%a = %k) : (tensor<?x128xbf16>) -> tensor<?x128xbf16> {
    %0 = graph.silu %a : tensor<?x128xbf16>
    graph.yield %0 : tensor<?x128xbf16>
  }
  %e = graph.fused gather "fused_embedding_4" (%a = %t, %b = %ids) : (tensor<100x128xbf16>, tensor<?xi32>) -> tensor<?x128xbf16> {
    %0 = graph.embedding %a, %b : tensor<100x128xbf16>, tensor<?xi32> -> tensor<?x128xbf16>
    graph.yield %0 : tensor<?x128xbf16>
  }
  %o = graph.fused attention "fused_attention_5" (%q = %k, %s = %slots) : (tensor<?x128xbf16>, tensor<?xi32>) -> tensor<?x128xbf16> {
    %0 = graph.attention %q, %q, %q, %s {causal, head_dim = 64 : i64, num_heads = 2 : i64, num_kv_heads = 2 : i64, scale = 0.125 : f32} : tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?xi32>
    graph.yield %0 : tensor<?x128xbf16>
  }
  return %c1, %y, %e, %o : !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>, tensor<?x128xbf16>, tensor<?x128xbf16>, tensor<?x128xbf16>
}
