// RUN: not loomc %s --target=sm_70 --emit=cuda 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not loomc %s --target=sm_80 --emit=cuda 2>&1 | FileCheck %s --check-prefix=OP

// TARGET: loomc: unknown GPU architecture 'sm_70' (supported: sm_80, sm_89, sm_90, sm_90a)
// OP: errors.mlir:[[@LINE+4]]:8: error: 'graph.fused' op group 'fused_attention_0' of kind attention has no tile lowering (ops: graph.attention)
// OP-NOT: see current operation
func.func @forward(%q: tensor<?x64xbf16>, %k: tensor<?x64xbf16>, %v: tensor<?x64xbf16>, %s: tensor<?xi32> {loom.dims = ["seqs"]})
    -> tensor<?x64xbf16> attributes {loom.max_tokens = 16 : i64, loom.max_seqs = 4 : i64} {
  %o = graph.fused attention "fused_attention_0" (%a = %q, %b = %k, %c = %v, %d = %s) : (tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?xi32>) -> tensor<?x64xbf16> {
    %0 = graph.attention %a, %b, %c, %d {causal, head_dim = 64 : i64, num_heads = 1 : i64, num_kv_heads = 1 : i64, scale = 0.125 : f32} : tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?xi32>
    graph.yield %0 : tensor<?x64xbf16>
  }
  return %o : tensor<?x64xbf16>
}
