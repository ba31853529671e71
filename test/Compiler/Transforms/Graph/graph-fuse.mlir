// RUN: loom-opt %s --split-input-file --graph-fuse | FileCheck %s
// RUN: loom-opt %s --split-input-file --graph-fuse=explain=true --verify-diagnostics -o /dev/null

// An elementwise chain becomes one kernel; the name lists the ops in order.
// CHECK-LABEL: func @elementwise_chain
// CHECK: %[[F:.+]] = graph.fused elementwise "fused_add_silu_mul_cast_0" (%[[A:.+]] = %arg0, %[[B:.+]] = %arg1, %[[C:.+]] = %arg2) : (tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?x64xbf16>) -> tensor<?x64xf32> {
// CHECK-NEXT: %[[S:.+]] = graph.add %[[A]], %[[B]]
// CHECK-NEXT: %[[T:.+]] = graph.silu %[[S]]
// CHECK-NEXT: %[[M:.+]] = graph.mul %[[T]], %[[C]]
// CHECK-NEXT: %[[R:.+]] = graph.cast %[[M]]
// CHECK-NEXT: graph.yield %[[R]] : tensor<?x64xf32>
// CHECK: return %[[F]]
func.func @elementwise_chain(%x: tensor<?x64xbf16>, %y: tensor<?x64xbf16>, %z: tensor<?x64xbf16>) -> tensor<?x64xf32> {
  %0 = graph.add %x, %y : tensor<?x64xbf16>
  %1 = graph.silu %0 : tensor<?x64xbf16>
  %2 = graph.mul %1, %z : tensor<?x64xbf16>
  %3 = graph.cast %2 : tensor<?x64xbf16> to tensor<?x64xf32>
  return %3 : tensor<?x64xf32>
}

// -----

// Residual add + rms_norm: one pass over the row, the sum stays a result (the residual stream).
// CHECK-LABEL: func @add_rms_norm
// CHECK: %[[F:.+]]:2 = graph.fused norm "fused_add_rms_norm_0" (%{{.+}} = %arg0, %{{.+}} = %arg1, %{{.+}} = %arg2)
// CHECK-SAME: -> (tensor<?x64xf32>, tensor<?x64xf32>)
// CHECK: %[[S:.+]] = graph.add
// CHECK-NEXT: %[[N:.+]] = graph.rms_norm %[[S]]
// CHECK-NEXT: graph.yield %[[S]], %[[N]]
// CHECK: graph.softmax %[[F]]#1
// CHECK: return %[[F]]#0
func.func @add_rms_norm(%h: tensor<?x64xf32>, %r: tensor<?x64xf32>, %g: tensor<64xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %s = graph.add %h, %r : tensor<?x64xf32>
  %n = graph.rms_norm %s, %g {eps = 1.0e-5 : f32} : tensor<?x64xf32>, tensor<64xf32>
  // expected-remark @+1 {{not fused: no rule lets the norm group of graph.rms_norm take it as a consumer}}
  %p = graph.softmax %n : tensor<?x64xf32>
  return %s, %p : tensor<?x64xf32>, tensor<?x64xf32>
}

// -----

// GEMM epilogues: activation, residual add and cast in one kernel.
// CHECK-LABEL: func @gemm_epilogue
// CHECK: %[[F:.+]] = graph.fused gemm "fused_linear_gelu_add_cast_0" (%{{.+}} = %arg0, %{{.+}} = %arg1, %{{.+}} = %arg2, %{{.+}} = %arg3)
// CHECK-NOT: prologue
// CHECK: graph.linear
// CHECK-NEXT: graph.gelu
// CHECK-NEXT: graph.add
// CHECK-NEXT: graph.cast
// CHECK-NEXT: graph.yield
// CHECK: return %[[F]]
func.func @gemm_epilogue(%x: tensor<?x64xbf16>, %w: tensor<128x64xbf16>, %b: tensor<128xbf16>, %res: tensor<?x128xbf16>) -> tensor<?x128xf32> {
  %0 = graph.linear %x, %w, %b : tensor<?x64xbf16>, tensor<128x64xbf16>, tensor<128xbf16> -> tensor<?x128xbf16>
  %1 = graph.gelu %0 {approximate = #graph.gelu_approximation<tanh>} : tensor<?x128xbf16>
  %2 = graph.add %res, %1 : tensor<?x128xbf16>
  %3 = graph.cast %2 : tensor<?x128xbf16> to tensor<?x128xf32>
  return %3 : tensor<?x128xf32>
}

// -----

// rms_norm prologue and silu·mul gating of a merged gate/up projection; norm gain and weight are
// load-time weights, so the gain is folded into the weight.
// CHECK-LABEL: func @gated_mlp
// CHECK: %[[W:.+]] = graph.weight "mlp.gate_up"
// CHECK: %[[F:.+]] = graph.fused gemm "fused_rms_norm_linear_split_silu_mul_0" (%{{.+}} = %arg0, %{{.+}} = %{{.+}}, %{{.+}} = %[[W]])
// CHECK-SAME: -> tensor<?x96xbf16> attributes {prologue = #graph.gemm_prologue<row_scale_folded_gain>}
// CHECK: graph.rms_norm
// CHECK-NEXT: graph.linear
// CHECK-NEXT: %[[H:.+]]:2 = graph.split
// CHECK-NEXT: %[[S:.+]] = graph.silu %[[H]]#0
// CHECK-NEXT: %[[M:.+]] = graph.mul %[[S]], %[[H]]#1
// CHECK-NEXT: graph.yield %[[M]]
// CHECK: return %[[F]]
func.func @gated_mlp(%h: tensor<?x64xbf16>) -> tensor<?x96xbf16> {
  %g = graph.weight "mlp.norm" : tensor<64xbf16>
  %w = graph.weight "mlp.gate_up" : tensor<192x64xbf16>
  %n = graph.rms_norm %h, %g {eps = 1.0e-5 : f32} : tensor<?x64xbf16>, tensor<64xbf16>
  %gu = graph.linear %n, %w : tensor<?x64xbf16>, tensor<192x64xbf16> -> tensor<?x192xbf16>
  %gate, %up = graph.split %gu {axis = 1 : i64} : tensor<?x192xbf16> -> tensor<?x96xbf16>, tensor<?x96xbf16>
  %s = graph.silu %gate : tensor<?x96xbf16>
  %m = graph.mul %s, %up : tensor<?x96xbf16>
  return %m : tensor<?x96xbf16>
}

// -----

// A gain that is not a weight cannot be folded: the tiles are normalised in the kernel.
// CHECK-LABEL: func @prologue_runtime_gain
// CHECK: graph.fused gemm "fused_rms_norm_linear_0"
// CHECK-SAME: attributes {prologue = #graph.gemm_prologue<normalize_tiles>}
func.func @prologue_runtime_gain(%x: tensor<?x64xf32>, %g: tensor<64xf32>) -> tensor<?x32xf32> {
  %n = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x64xf32>, tensor<64xf32>
  %w = graph.weight "proj.weight" : tensor<32x64xf32>
  %y = graph.linear %n, %w : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

// graph.matmul's kernel takes no prologue or epilogue: neither the norm before it nor the add
// after it joins it (they stay as they were).
// CHECK-LABEL: func @matmul_alone
// CHECK-NOT: graph.fused
// CHECK: graph.rms_norm
// CHECK: graph.matmul
// CHECK: graph.add
func.func @matmul_alone(%x: tensor<?x64xf32>, %g: tensor<64xf32>, %b: tensor<64x32xf32>, %r: tensor<?x32xf32>) -> tensor<?x32xf32> {
  // expected-remark @+1 {{not fused: the norm group it seeds found nothing to absorb (graph.matmul: no rule lets the norm group of graph.rms_norm take it as a consumer)}}
  %n = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x64xf32>, tensor<64xf32>
  // expected-remark @+1 {{not fused: no rule lets the norm group of graph.rms_norm take it as a consumer}}
  %y = graph.matmul %n, %b : tensor<?x64xf32>, tensor<64x32xf32> -> tensor<?x32xf32>
  // expected-remark @+1 {{not fused: the elementwise group it seeds found nothing to absorb (graph.matmul: no rule lets the elementwise group of graph.add take it as a producer)}}
  %z = graph.add %y, %r : tensor<?x32xf32>
  return %z : tensor<?x32xf32>
}

// -----

// Multi-use: the GEMM result is also returned, so its activation stays outside; the norm feeds
// two GEMMs, so neither takes it.
// CHECK-LABEL: func @multi_use
// CHECK-NOT: graph.fused
// CHECK: return
func.func @multi_use(%x: tensor<?x64xf32>, %g: tensor<64xf32>, %w: tensor<32x64xf32>, %v: tensor<16x64xf32>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x16xf32>) {
  // expected-remark @+1 {{not fused: its result has 2 uses; fusing it as rms_norm prologue needs a single use}}
  %n = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x64xf32>, tensor<64xf32>
  // expected-remark @+1 {{not fused: the gemm group it seeds found nothing to absorb (graph.rms_norm: its result has 2 uses; fusing it as rms_norm prologue needs a single use)}}
  %y = graph.linear %n, %w : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  // expected-remark @+1 {{not fused: the value it reads from the gemm group of graph.linear has 2 uses; fusing it as activation epilogue needs a single use}}
  %a = graph.silu %y : tensor<?x32xf32>
  // expected-remark @+1 {{not fused: the gemm group it seeds found nothing to absorb}}
  %z = graph.linear %n, %v : tensor<?x64xf32>, tensor<16x64xf32> -> tensor<?x16xf32>
  return %y, %a, %z : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x16xf32>
}

// -----

// Shape mismatch: a three-way split is no gate/up pair; an rms_norm of the weight normalises
// the wrong axis for a prologue.
// CHECK-LABEL: func @shape_mismatch
// CHECK-NOT: graph.fused
// CHECK: return
func.func @shape_mismatch(%x: tensor<?x64xf32>, %w: tensor<96x64xf32>, %g: tensor<64xf32>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x96xf32>) {
  // expected-remark @+1 {{not fused: the gemm group it seeds found nothing to absorb (graph.split: not a split epilogue (gating or rope + KV-append) of the gemm group of graph.linear: the rope + KV-append tail needs rope(q), rope(k) and kv_append(rope(k), v), each piece used once)}}
  %y = graph.linear %x, %w : tensor<?x64xf32>, tensor<96x64xf32> -> tensor<?x96xf32>
  // expected-remark @+1 {{not fused: not a split epilogue (gating or rope + KV-append) of the gemm group of graph.linear: the rope + KV-append tail needs rope(q), rope(k) and kv_append(rope(k), v), each piece used once}}
  %a, %b, %c = graph.split %y {axis = 1 : i64} : tensor<?x96xf32> -> tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>
  // expected-remark @+1 {{not fused: not a rms_norm prologue of the gemm group of graph.linear: it feeds the GEMM's weight operand, whose last axis is not the GEMM's K rows}}
  %nw = graph.rms_norm %w, %g {eps = 1.0e-5 : f32} : tensor<96x64xf32>, tensor<64xf32>
  // expected-remark @+1 {{not fused: the gemm group it seeds found nothing to absorb}}
  %z = graph.linear %x, %nw : tensor<?x64xf32>, tensor<96x64xf32> -> tensor<?x96xf32>
  return %a, %b, %c, %z : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x96xf32>
}

// -----

// Cycle: the norm's gain is computed from the sum outside the group, so add + rms_norm would
// read its own output.
// CHECK-LABEL: func @cycle
// CHECK-NOT: graph.fused
// CHECK: return
func.func @cycle(%h: tensor<1x64xf32>, %r: tensor<1x64xf32>) -> tensor<1x64xf32> {
  // expected-remark @+1 {{not fused: fusing it into the norm group of graph.rms_norm would create a cycle through graph.reshape}}
  %s = graph.add %h, %r : tensor<1x64xf32>
  // expected-remark @+1 {{not fused: no rule lets the norm group of graph.rms_norm take it as a producer}}
  %flat = graph.reshape %s : tensor<1x64xf32> to tensor<64xf32>
  // expected-remark @+1 {{not fused: the norm group it seeds found nothing to absorb (graph.add: fusing it into the norm group of graph.rms_norm would create a cycle through graph.reshape)}}
  %n = graph.rms_norm %s, %flat {eps = 1.0e-5 : f32} : tensor<1x64xf32>, tensor<64xf32>
  return %n : tensor<1x64xf32>
}

// -----

// A rope straight after a GEMM joins only through the split of a merged QKV projection; the
// add between two GEMMs whose results are used twice stays alone.
// CHECK-LABEL: func @later_rules
// CHECK-NOT: graph.fused
// CHECK: return
func.func @later_rules(%x: tensor<?x64xbf16>, %w: tensor<64x64xbf16>, %pos: tensor<?xi32>) -> (tensor<?x64xbf16>, tensor<?x64xbf16>) {
  // expected-remark @+1 {{not fused: the gemm group it seeds found nothing to absorb (graph.rope: not a rope epilogue of the QKV projection of the gemm group of graph.linear: it joins only as part of the split -> rope(q), rope(k) -> kv_append tail of a merged QKV projection)}}
  %q = graph.linear %x, %w : tensor<?x64xbf16>, tensor<64x64xbf16> -> tensor<?x64xbf16>
  // expected-remark @+1 {{not fused: not a rope epilogue of the QKV projection of the gemm group of graph.linear: it joins only as part of the split -> rope(q), rope(k) -> kv_append tail of a merged QKV projection}}
  %r = graph.rope %q, %pos {head_dim = 64 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x64xbf16>, tensor<?xi32>
  // expected-remark @+1 {{not fused: the gemm group it seeds found nothing to absorb}}
  %k = graph.linear %x, %w : tensor<?x64xbf16>, tensor<64x64xbf16> -> tensor<?x64xbf16>
  // expected-remark @+1 {{not fused: the value it reads from the gemm group of graph.linear has 2 uses; fusing it as residual add epilogue needs a single use}}
  %s = graph.add %k, %k : tensor<?x64xbf16>
  return %r, %s : tensor<?x64xbf16>, tensor<?x64xbf16>
}

// -----

// The QKV projection with interleaved ropes (graph-rope-pairs ran): RMSNorm prologue, linear with
// bias, split, rope(q), rope(k), kv_append become one gemm group yielding the rotated q and the cache.
// CHECK-LABEL: func @rope_kv_epilogue
// CHECK: %[[F:.+]]:2 = graph.fused gemm "fused_rms_norm_linear_split_rope_rope_kv_append_0"
// CHECK-SAME: attributes {prologue = #graph.gemm_prologue<row_scale_folded_gain>}
// CHECK: graph.rms_norm
// CHECK: graph.linear
// CHECK: graph.split
// CHECK: graph.rope
// CHECK: graph.rope
// CHECK: %[[C:.+]] = graph.kv_append
// CHECK: graph.yield %{{.+}}, %[[C]]
// CHECK: graph.paged_attention %[[F]]#0, %[[F]]#1
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @rope_kv_epilogue(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                            %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, !cache) {
  %g = graph.weight "norm" : tensor<32xbf16>
  %n = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x32xbf16>, tensor<32xbf16>
  %w = graph.weight "qkv" : tensor<32x32xbf16>
  %b = graph.weight "qkv.bias" : tensor<32xbf16>
  %y = graph.linear %n, %w, %b : tensor<?x32xbf16>, tensor<32x32xbf16>, tensor<32xbf16> -> tensor<?x32xbf16>
  %p:3 = graph.split %y {axis = 1 : i64} : tensor<?x32xbf16> -> tensor<?x16xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
  %rq = graph.rope %p#0, %pos {head_dim = 8 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %p#1, %pos {head_dim = 8 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %p#2, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  // expected-remark @+1 {{not fused: no rule lets the gemm group of graph.linear take it as a consumer}}
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x16xbf16>, !cache
}

// -----

// Rotate-half ropes pair columns head_dim/2 apart: the tail is not absorbed (the norm prologue is).
// CHECK-LABEL: func @rotate_half_stays
// CHECK: graph.fused gemm "fused_rms_norm_linear_0"
// CHECK: graph.split
// CHECK-NOT: graph.fused
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @rotate_half_stays(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                             %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, !cache) {
  %g = graph.weight "norm" : tensor<32xbf16>
  %n = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x32xbf16>, tensor<32xbf16>
  %w = graph.weight "qkv" : tensor<32x32xbf16>
  %y = graph.linear %n, %w : tensor<?x32xbf16>, tensor<32x32xbf16> -> tensor<?x32xbf16>
  // expected-remark @+1 {{not fused: not a split epilogue (gating or rope + KV-append) of the gemm group of graph.linear: a rotate_half rope pairs columns i and i + head_dim/2, never two adjacent columns of one epilogue call (graph-rope-pairs makes them interleaved)}}
  %p:3 = graph.split %y {axis = 1 : i64} : tensor<?x32xbf16> -> tensor<?x16xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
  // expected-remark @+1 {{not fused: no fusion rule joins it to its producers or consumers}}
  %rq = graph.rope %p#0, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  // expected-remark @+1 {{not fused: no fusion rule joins it to its producers or consumers}}
  %rk = graph.rope %p#1, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  // expected-remark @+1 {{not fused: no fusion rule joins it to its producers or consumers}}
  %c = graph.kv_append %cache, %rk, %p#2, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  // expected-remark @+1 {{not fused: no fusion rule joins it to its producers or consumers}}
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x16xbf16>, !cache
}

// -----

// The un-rotated k is also returned (another user of a piece), and an f32 projection's GEMM
// (loom::gemmSimt) stores single columns: neither tail is absorbed.
// CHECK-LABEL: func @tails_that_stay
// CHECK-NOT: graph.fused
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
!cache32 = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = f32>
func.func @tails_that_stay(%x: tensor<?x32xbf16>, %x32: tensor<?x32xf32>, %pos: tensor<?xi32>, %slots: tensor<?xi32>,
                           %cache: !cache, %cache32: !cache32) -> (tensor<?x16xbf16>, tensor<?x8xbf16>, !cache, tensor<?x16xf32>, !cache32) {
  %w = graph.weight "qkv" : tensor<32x32xbf16>
  // expected-remark @+1 {{not fused: the gemm group it seeds found nothing to absorb}}
  %y = graph.linear %x, %w : tensor<?x32xbf16>, tensor<32x32xbf16> -> tensor<?x32xbf16>
  // expected-remark @+1 {{not fused: not a split epilogue (gating or rope + KV-append) of the gemm group of graph.linear: the rope + KV-append tail needs rope(q), rope(k) and kv_append(rope(k), v), each piece used once}}
  %p:3 = graph.split %y {axis = 1 : i64} : tensor<?x32xbf16> -> tensor<?x16xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
  // expected-remark @+1 {{not fused: no fusion rule joins it to its producers or consumers}}
  %rq = graph.rope %p#0, %pos {head_dim = 8 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  // expected-remark @+1 {{not fused: no fusion rule joins it to its producers or consumers}}
  %rk = graph.rope %p#1, %pos {head_dim = 8 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  // expected-remark @+1 {{not fused: no fusion rule joins it to its producers or consumers}}
  %c = graph.kv_append %cache, %rk, %p#2, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %w32 = graph.weight "qkv32" : tensor<32x32xf32>
  // expected-remark @+1 {{not fused: the gemm group it seeds found nothing to absorb}}
  %y32 = graph.linear %x32, %w32 : tensor<?x32xf32>, tensor<32x32xf32> -> tensor<?x32xf32>
  // expected-remark @+1 {{not fused: not a split epilogue (gating or rope + KV-append) of the gemm group of graph.linear: the GEMM runs loom::gemmSimt, which stores single columns, not the column pairs the epilogue needs: no MMA atom takes f32 operands}}
  %p32:3 = graph.split %y32 {axis = 1 : i64} : tensor<?x32xf32> -> tensor<?x16xf32>, tensor<?x8xf32>, tensor<?x8xf32>
  // expected-remark @+1 {{not fused: no fusion rule joins it to its producers or consumers}}
  %rq32 = graph.rope %p32#0, %pos {head_dim = 8 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x16xf32>, tensor<?xi32>
  // expected-remark @+1 {{not fused: no fusion rule joins it to its producers or consumers}}
  %rk32 = graph.rope %p32#1, %pos {head_dim = 8 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x8xf32>, tensor<?xi32>
  // expected-remark @+1 {{not fused: no fusion rule joins it to its producers or consumers}}
  %c32 = graph.kv_append %cache32, %rk32, %p32#2, %slots {layer = 0 : i64} : !cache32, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?xi32>
  return %rq, %p#1, %c, %rq32, %c32 : tensor<?x16xbf16>, tensor<?x8xbf16>, !cache, tensor<?x16xf32>, !cache32
}

// -----

// A bf16 projection whose K (36) leaves its rows unaligned for the tensor-core families also runs
// loom::gemmSimt (tile-tiling's SIMT fallback, by the same rules): its tail is not absorbed.
// CHECK-LABEL: func @unaligned_projection_keeps_its_tail
// CHECK-NOT: graph.fused
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @unaligned_projection_keeps_its_tail(%x: tensor<?x36xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>,
                                               %cache: !cache) -> (tensor<?x16xbf16>, !cache) {
  %w = graph.weight "qkv" : tensor<32x36xbf16>
  // expected-remark @+1 {{not fused: the gemm group it seeds found nothing to absorb}}
  %y = graph.linear %x, %w : tensor<?x36xbf16>, tensor<32x36xbf16> -> tensor<?x32xbf16>
  // expected-remark @+1 {{not fused: not a split epilogue (gating or rope + KV-append) of the gemm group of graph.linear: the GEMM runs loom::gemmSimt, which stores single columns, not the column pairs the epilogue needs: K (36) is not a multiple of 8, so rows of X and W are not 16-byte aligned}}
  %p:3 = graph.split %y {axis = 1 : i64} : tensor<?x32xbf16> -> tensor<?x16xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
  // expected-remark @+1 {{not fused: no fusion rule joins it to its producers or consumers}}
  %rq = graph.rope %p#0, %pos {head_dim = 8 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  // expected-remark @+1 {{not fused: no fusion rule joins it to its producers or consumers}}
  %rk = graph.rope %p#1, %pos {head_dim = 8 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  // expected-remark @+1 {{not fused: no fusion rule joins it to its producers or consumers}}
  %c = graph.kv_append %cache, %rk, %p#2, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  return %rq, %c : tensor<?x16xbf16>, !cache
}
