// RUN: loom-opt %s --split-input-file --graph-rope-pairs | FileCheck %s
// RUN: loom-opt %s --split-input-file --graph-rope-pairs=explain=true --verify-diagnostics -o /dev/null
// RUN: loom-opt %s --split-input-file --graph-rope-pairs --graph-hoist-weights | FileCheck %s --check-prefix=HOIST

// A merged QKV projection with a bias (Qwen2-like, 2 query heads and 1 KV head of 8): the q and k
// rows of the weight and bias are permuted per head, v is untouched, both ropes become interleaved.
// CHECK-LABEL: func @qkv_with_bias
// CHECK: %[[Q:.+]] = graph.weight "q.weight" : tensor<16x32xbf16>
// CHECK: %[[K:.+]] = graph.weight "k.weight" : tensor<8x32xbf16>
// CHECK: %[[V:.+]] = graph.weight "v.weight" : tensor<8x32xbf16>
// CHECK: %[[Q4:.+]] = graph.reshape %[[Q]] : tensor<16x32xbf16> to tensor<2x2x4x32xbf16>
// CHECK: %[[QT:.+]] = graph.transpose %[[Q4]] {permutation = array<i64: 0, 2, 1, 3>} : tensor<2x2x4x32xbf16> -> tensor<2x4x2x32xbf16>
// CHECK: %[[QP:.+]] = graph.reshape %[[QT]] : tensor<2x4x2x32xbf16> to tensor<16x32xbf16>
// CHECK: %[[K4:.+]] = graph.reshape %[[K]] : tensor<8x32xbf16> to tensor<1x2x4x32xbf16>
// CHECK: %[[KT:.+]] = graph.transpose %[[K4]] {permutation = array<i64: 0, 2, 1, 3>}
// CHECK: %[[KP:.+]] = graph.reshape %[[KT]] : tensor<1x4x2x32xbf16> to tensor<8x32xbf16>
// CHECK: graph.concat %[[QP]], %[[KP]], %[[V]] {axis = 0 : i64}
// CHECK: graph.transpose {{.*}} {permutation = array<i64: 0, 2, 1>} : tensor<2x2x4xbf16> -> tensor<2x4x2xbf16>
// CHECK: graph.transpose {{.*}} {permutation = array<i64: 0, 2, 1>} : tensor<1x2x4xbf16> -> tensor<1x4x2xbf16>
// CHECK: graph.rope {{.*}}style = #graph.rope_style<interleaved>
// CHECK: graph.rope {{.*}}style = #graph.rope_style<interleaved>
// CHECK-NOT: rotate_half
// CHECK: return

// The permutation folds into the merged weight's recipe (reshape -> transpose -> reshape per piece).
// HOIST-LABEL: func @qkv_with_bias
// HOIST: graph.weight "loom.qkv.0" {loom.recipe = {concat = {axis = 0 : i64, of = [{reshape = {of = [{transpose = {of = [{reshape = {of = ["q.weight"], shape = [2, 2, 4, 32]}}], permutation = [0, 2, 1, 3]}}], shape = [16, 32]}}, {reshape = {of = [{transpose = {of = [{reshape = {of = ["k.weight"], shape = [1, 2, 4, 32]}}], permutation = [0, 2, 1, 3]}}], shape = [8, 32]}}, "v.weight"]}}} : tensor<32x32xbf16>
// HOIST-NOT: graph.transpose
// HOIST-NOT: graph.reshape
// HOIST: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @qkv_with_bias(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                         %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, !cache) {
  %q = graph.weight "q.weight" : tensor<16x32xbf16>
  %k = graph.weight "k.weight" : tensor<8x32xbf16>
  %v = graph.weight "v.weight" : tensor<8x32xbf16>
  %w = graph.concat %q, %k, %v {axis = 0 : i64} : (tensor<16x32xbf16>, tensor<8x32xbf16>, tensor<8x32xbf16>) -> tensor<32x32xbf16>
  %qb = graph.weight "q.bias" : tensor<16xbf16>
  %kb = graph.weight "k.bias" : tensor<8xbf16>
  %vb = graph.weight "v.bias" : tensor<8xbf16>
  %b = graph.concat %qb, %kb, %vb {axis = 0 : i64} : (tensor<16xbf16>, tensor<8xbf16>, tensor<8xbf16>) -> tensor<32xbf16>
  %y = graph.linear %x, %w, %b : tensor<?x32xbf16>, tensor<32x32xbf16>, tensor<32xbf16> -> tensor<?x32xbf16>
  %p:3 = graph.split %y {axis = 1 : i64} : tensor<?x32xbf16> -> tensor<?x16xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: q and k rows permuted per head, ropes interleaved}}
  %rq = graph.rope %p#0, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %p#1, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %p#2, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x16xbf16>, !cache
}

// -----

// Separate q and k projections (no split): their weights are permuted directly.
// CHECK-LABEL: func @separate_projections
// CHECK: %[[Q:.+]] = graph.weight "q.weight"
// CHECK: graph.reshape %[[Q]] : tensor<16x32xbf16> to tensor<2x2x4x32xbf16>
// CHECK: graph.linear %arg0, %{{.+}} : tensor<?x32xbf16>, tensor<16x32xbf16>
// CHECK: graph.rope {{.*}}style = #graph.rope_style<interleaved>
// CHECK: graph.rope {{.*}}style = #graph.rope_style<interleaved>
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @separate_projections(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                                %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, !cache) {
  %wq = graph.weight "q.weight" : tensor<16x32xbf16>
  %wk = graph.weight "k.weight" : tensor<8x32xbf16>
  %wv = graph.weight "v.weight" : tensor<8x32xbf16>
  %q = graph.linear %x, %wq : tensor<?x32xbf16>, tensor<16x32xbf16> -> tensor<?x16xbf16>
  %k = graph.linear %x, %wk : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  %v = graph.linear %x, %wv : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: q and k rows permuted per head, ropes interleaved}}
  %rq = graph.rope %q, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %k, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %v, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x16xbf16>, !cache
}

// -----

// The un-roped q is also returned: someone would observe the permuted order, so nothing changes.
// CHECK-LABEL: func @q_observed
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @q_observed(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                      %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, tensor<?x16xbf16>, !cache) {
  %w = graph.weight "qkv.weight" : tensor<32x32xbf16>
  %y = graph.linear %x, %w : tensor<?x32xbf16>, tensor<32x32xbf16> -> tensor<?x32xbf16>
  %p:3 = graph.split %y {axis = 1 : i64} : tensor<?x32xbf16> -> tensor<?x16xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: query: its input has other users, who would see the permuted order}}
  %rq = graph.rope %p#0, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %p#1, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %p#2, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %p#0, %c : tensor<?x16xbf16>, tensor<?x16xbf16>, !cache
}

// -----

// A merged weight that is one tensor (not a concat): its q rows cannot be reordered alone.
// CHECK-LABEL: func @single_tensor_weight
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @single_tensor_weight(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                                %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, !cache) {
  %w = graph.weight "qkv.weight" : tensor<32x32xbf16>
  %y = graph.linear %x, %w : tensor<?x32xbf16>, tensor<32x32xbf16> -> tensor<?x32xbf16>
  %p:3 = graph.split %y {axis = 1 : i64} : tensor<?x32xbf16> -> tensor<?x16xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: query: the linear's weight rows for it are not one operand of a graph.concat along axis 0}}
  %rq = graph.rope %p#0, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %p#1, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %p#2, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x16xbf16>, !cache
}

// -----

// Already interleaved (a GGUF graph, whose q/k rows llama.cpp stores permuted): nothing to do.
// CHECK-LABEL: func @already_interleaved
// CHECK-NOT: graph.reshape
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @already_interleaved(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                               %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, !cache) {
  %q = graph.weight "q.weight" : tensor<16x32xbf16>
  %k = graph.weight "k.weight" : tensor<8x32xbf16>
  %v = graph.weight "v.weight" : tensor<8x32xbf16>
  %w = graph.concat %q, %k, %v {axis = 0 : i64} : (tensor<16x32xbf16>, tensor<8x32xbf16>, tensor<8x32xbf16>) -> tensor<32x32xbf16>
  %y = graph.linear %x, %w : tensor<?x32xbf16>, tensor<32x32xbf16> -> tensor<?x32xbf16>
  %p:3 = graph.split %y {axis = 1 : i64} : tensor<?x32xbf16> -> tensor<?x16xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
  %rq = graph.rope %p#0, %pos {head_dim = 8 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %p#1, %pos {head_dim = 8 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %p#2, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x16xbf16>, !cache
}

// -----

// The projection weight is an argument (e.g. a JIT graph): only load-time weights are permuted.
// CHECK-LABEL: func @weight_argument
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @weight_argument(%x: tensor<?x32xbf16>, %wq: tensor<16x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                           %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, !cache) {
  %wk = graph.weight "k.weight" : tensor<8x32xbf16>
  %wv = graph.weight "v.weight" : tensor<8x32xbf16>
  %q = graph.linear %x, %wq : tensor<?x32xbf16>, tensor<16x32xbf16> -> tensor<?x16xbf16>
  %k = graph.linear %x, %wk : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  %v = graph.linear %x, %wv : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: query: its projection rows are not a graph.weight (only load-time weights are permuted)}}
  %rq = graph.rope %q, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %k, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %v, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x16xbf16>, !cache
}

// -----

// The merged projection's result is also returned: its reader would see q and k columns permuted.
// CHECK-LABEL: func @linear_result_observed
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @linear_result_observed(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                                  %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, tensor<?x32xbf16>, !cache) {
  %q = graph.weight "q.weight" : tensor<16x32xbf16>
  %k = graph.weight "k.weight" : tensor<8x32xbf16>
  %v = graph.weight "v.weight" : tensor<8x32xbf16>
  %w = graph.concat %q, %k, %v {axis = 0 : i64} : (tensor<16x32xbf16>, tensor<8x32xbf16>, tensor<8x32xbf16>) -> tensor<32x32xbf16>
  %y = graph.linear %x, %w : tensor<?x32xbf16>, tensor<32x32xbf16> -> tensor<?x32xbf16>
  %p:3 = graph.split %y {axis = 1 : i64} : tensor<?x32xbf16> -> tensor<?x16xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: query: the linear's result has other users than the split, who would see the permuted order}}
  %rq = graph.rope %p#0, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %p#1, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %p#2, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %y, %c : tensor<?x16xbf16>, tensor<?x32xbf16>, !cache
}

// -----

// The merged weight's concat also feeds a second linear, which would read the permuted rows.
// CHECK-LABEL: func @weight_concat_shared
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @weight_concat_shared(%x: tensor<?x32xbf16>, %x2: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                                %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, tensor<?x32xbf16>, !cache) {
  %q = graph.weight "q.weight" : tensor<16x32xbf16>
  %k = graph.weight "k.weight" : tensor<8x32xbf16>
  %v = graph.weight "v.weight" : tensor<8x32xbf16>
  %w = graph.concat %q, %k, %v {axis = 0 : i64} : (tensor<16x32xbf16>, tensor<8x32xbf16>, tensor<8x32xbf16>) -> tensor<32x32xbf16>
  %y = graph.linear %x, %w : tensor<?x32xbf16>, tensor<32x32xbf16> -> tensor<?x32xbf16>
  %y2 = graph.linear %x2, %w : tensor<?x32xbf16>, tensor<32x32xbf16> -> tensor<?x32xbf16>
  %p:3 = graph.split %y {axis = 1 : i64} : tensor<?x32xbf16> -> tensor<?x16xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: query: the graph.concat of the linear's weight rows has other users, who would see the permuted order}}
  %rq = graph.rope %p#0, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %p#1, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %p#2, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %y2, %c : tensor<?x16xbf16>, tensor<?x32xbf16>, !cache
}

// -----

// The merged bias's concat also feeds a second linear, which would read the permuted entries.
// CHECK-LABEL: func @bias_concat_shared
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @bias_concat_shared(%x: tensor<?x32xbf16>, %x2: tensor<?x32xbf16>, %w2: tensor<32x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                              %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, tensor<?x32xbf16>, !cache) {
  %q = graph.weight "q.weight" : tensor<16x32xbf16>
  %k = graph.weight "k.weight" : tensor<8x32xbf16>
  %v = graph.weight "v.weight" : tensor<8x32xbf16>
  %w = graph.concat %q, %k, %v {axis = 0 : i64} : (tensor<16x32xbf16>, tensor<8x32xbf16>, tensor<8x32xbf16>) -> tensor<32x32xbf16>
  %qb = graph.weight "q.bias" : tensor<16xbf16>
  %kb = graph.weight "k.bias" : tensor<8xbf16>
  %vb = graph.weight "v.bias" : tensor<8xbf16>
  %b = graph.concat %qb, %kb, %vb {axis = 0 : i64} : (tensor<16xbf16>, tensor<8xbf16>, tensor<8xbf16>) -> tensor<32xbf16>
  %y = graph.linear %x, %w, %b : tensor<?x32xbf16>, tensor<32x32xbf16>, tensor<32xbf16> -> tensor<?x32xbf16>
  %y2 = graph.linear %x2, %w2, %b : tensor<?x32xbf16>, tensor<32x32xbf16>, tensor<32xbf16> -> tensor<?x32xbf16>
  %p:3 = graph.split %y {axis = 1 : i64} : tensor<?x32xbf16> -> tensor<?x16xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: query: the graph.concat of the linear's bias entries has other users, who would see the permuted order}}
  %rq = graph.rope %p#0, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %p#1, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %p#2, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %y2, %c : tensor<?x16xbf16>, tensor<?x32xbf16>, !cache
}

// -----

// A second paged_attention reads layer 0 of the cache with a query nobody permutes.
// CHECK-LABEL: func @layer_read_twice
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @layer_read_twice(%x: tensor<?x32xbf16>, %q2: tensor<?x16xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                            %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, tensor<?x16xbf16>, !cache) {
  %wq = graph.weight "q.weight" : tensor<16x32xbf16>
  %wk = graph.weight "k.weight" : tensor<8x32xbf16>
  %wv = graph.weight "v.weight" : tensor<8x32xbf16>
  %q = graph.linear %x, %wq : tensor<?x32xbf16>, tensor<16x32xbf16> -> tensor<?x16xbf16>
  %k = graph.linear %x, %wk : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  %v = graph.linear %x, %wv : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: another paged_attention or kv_append of the module uses its cache layer, which would see the permuted K}}
  %rq = graph.rope %q, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %k, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %v, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  %o2 = graph.paged_attention %q2, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %o2, %c : tensor<?x16xbf16>, tensor<?x16xbf16>, !cache
}

// -----

// Another function of the module reads layer 0 of the same persistent pool.
// CHECK-LABEL: func @layer_read_by_another_function
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK-LABEL: func @other_reader
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @layer_read_by_another_function(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                                          %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, !cache) {
  %wq = graph.weight "q.weight" : tensor<16x32xbf16>
  %wk = graph.weight "k.weight" : tensor<8x32xbf16>
  %wv = graph.weight "v.weight" : tensor<8x32xbf16>
  %q = graph.linear %x, %wq : tensor<?x32xbf16>, tensor<16x32xbf16> -> tensor<?x16xbf16>
  %k = graph.linear %x, %wk : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  %v = graph.linear %x, %wv : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: another paged_attention or kv_append of the module uses its cache layer, which would see the permuted K}}
  %rq = graph.rope %q, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %k, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %v, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x16xbf16>, !cache
}
func.func @other_reader(%q: tensor<?x16xbf16>, %cache: !cache, %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> tensor<?x16xbf16> {
  %o = graph.paged_attention %q, %cache, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o : tensor<?x16xbf16>
}

// -----

// The attention reads the incoming cache, not the kv_append's result.
// CHECK-LABEL: func @cache_not_from_append
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @cache_not_from_append(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                                 %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, !cache) {
  %wq = graph.weight "q.weight" : tensor<16x32xbf16>
  %wk = graph.weight "k.weight" : tensor<8x32xbf16>
  %wv = graph.weight "v.weight" : tensor<8x32xbf16>
  %q = graph.linear %x, %wq : tensor<?x32xbf16>, tensor<16x32xbf16> -> tensor<?x16xbf16>
  %k = graph.linear %x, %wk : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  %v = graph.linear %x, %wv : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: its attention does not read the cache straight from the kv_append of its layer}}
  %rq = graph.rope %q, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %k, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %v, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %cache, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x16xbf16>, !cache
}

// -----

// The key's rope uses other positions than the query's.
// CHECK-LABEL: func @key_positions_differ
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @key_positions_differ(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %kpos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
                                %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, !cache) {
  %wq = graph.weight "q.weight" : tensor<16x32xbf16>
  %wk = graph.weight "k.weight" : tensor<8x32xbf16>
  %wv = graph.weight "v.weight" : tensor<8x32xbf16>
  %q = graph.linear %x, %wq : tensor<?x32xbf16>, tensor<16x32xbf16> -> tensor<?x16xbf16>
  %k = graph.linear %x, %wk : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  %v = graph.linear %x, %wv : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: the key's rope differs (style, head_dim or positions) from the query's}}
  %rq = graph.rope %q, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %k, %kpos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %v, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x16xbf16>, !cache
}

// -----

// q is an argument, not a projection: there are no rows to permute.
// CHECK-LABEL: func @query_not_projected
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @query_not_projected(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
    %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>, %q: tensor<?x16xbf16>) -> (tensor<?x16xbf16>, !cache) {
  %wk = graph.weight "k.weight" : tensor<8x32xbf16>
  %wv = graph.weight "v.weight" : tensor<8x32xbf16>
  %k = graph.linear %x, %wk : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  %v = graph.linear %x, %wv : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: query: its input is not a linear projection (or a split of one)}}
  %rq = graph.rope %q, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %k, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %v, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x16xbf16>, !cache
}

// -----

// The rotated q is also returned: its reader would see the interleaved order.
// CHECK-LABEL: func @rotated_query_returned
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @rotated_query_returned(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
    %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, tensor<?x16xbf16>, !cache) {
  %wq = graph.weight "q.weight" : tensor<16x32xbf16>
  %wk = graph.weight "k.weight" : tensor<8x32xbf16>
  %wv = graph.weight "v.weight" : tensor<8x32xbf16>
  %q = graph.linear %x, %wq : tensor<?x32xbf16>, tensor<16x32xbf16> -> tensor<?x16xbf16>
  %k = graph.linear %x, %wk : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  %v = graph.linear %x, %wv : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: the rotated value is read by something other than paged_attention's query}}
  %rq = graph.rope %q, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %k, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %v, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %rq, %c : tensor<?x16xbf16>, tensor<?x16xbf16>, !cache
}

// -----

// The rotated q feeds two attentions.
// CHECK-LABEL: func @two_attentions
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @two_attentions(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
    %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, tensor<?x16xbf16>, !cache) {
  %wq = graph.weight "q.weight" : tensor<16x32xbf16>
  %wk = graph.weight "k.weight" : tensor<8x32xbf16>
  %wv = graph.weight "v.weight" : tensor<8x32xbf16>
  %q = graph.linear %x, %wq : tensor<?x32xbf16>, tensor<16x32xbf16> -> tensor<?x16xbf16>
  %k = graph.linear %x, %wk : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  %v = graph.linear %x, %wv : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: the rotated value feeds more than one attention}}
  %rq = graph.rope %q, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %k, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %v, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  %o2 = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %o2, %c : tensor<?x16xbf16>, tensor<?x16xbf16>, !cache
}

// -----

// The appended key is not roped: nothing would rotate k in the permuted order.
// CHECK-LABEL: func @key_not_roped
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @key_not_roped(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
    %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, !cache) {
  %wq = graph.weight "q.weight" : tensor<16x32xbf16>
  %wk = graph.weight "k.weight" : tensor<8x32xbf16>
  %wv = graph.weight "v.weight" : tensor<8x32xbf16>
  %q = graph.linear %x, %wq : tensor<?x32xbf16>, tensor<16x32xbf16> -> tensor<?x16xbf16>
  %k = graph.linear %x, %wk : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  %v = graph.linear %x, %wv : tensor<?x32xbf16>, tensor<8x32xbf16> -> tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: the appended key is not a rope read only by that kv_append}}
  %rq = graph.rope %q, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %k, %v, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x16xbf16>, !cache
}

// -----

// The merged weight is a concat but its bias one tensor: the q bias entries cannot be reordered alone.
// CHECK-LABEL: func @bias_not_a_concat
// CHECK-NOT: graph.reshape
// CHECK-NOT: interleaved
// CHECK: return
!cache = !graph.kv_cache<layers = 1, blocks = 4, blockSize = 16, kvHeads = 1, headDim = 8, elementType = bf16>
func.func @bias_not_a_concat(%x: tensor<?x32xbf16>, %pos: tensor<?xi32>, %slots: tensor<?xi32>, %cache: !cache,
    %tables: tensor<?x?xi32>, %starts: tensor<?xi32>, %lens: tensor<?xi32>) -> (tensor<?x16xbf16>, !cache) {
  %wq = graph.weight "q.weight" : tensor<16x32xbf16>
  %wk = graph.weight "k.weight" : tensor<8x32xbf16>
  %wv = graph.weight "v.weight" : tensor<8x32xbf16>
  %w = graph.concat %wq, %wk, %wv {axis = 0 : i64} : (tensor<16x32xbf16>, tensor<8x32xbf16>, tensor<8x32xbf16>) -> tensor<32x32xbf16>
  %b = graph.weight "qkv.bias" : tensor<32xbf16>
  %y = graph.linear %x, %w, %b : tensor<?x32xbf16>, tensor<32x32xbf16>, tensor<32xbf16> -> tensor<?x32xbf16>
  %p:3 = graph.split %y {axis = 1 : i64} : tensor<?x32xbf16> -> tensor<?x16xbf16>, tensor<?x8xbf16>, tensor<?x8xbf16>
  // expected-remark @+1 {{rope-pairs: kept rotate_half: query: the linear's bias entries for it are not one operand of a graph.concat along axis 0}}
  %rq = graph.rope %p#0, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x16xbf16>, tensor<?xi32>
  %rk = graph.rope %p#1, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32} : tensor<?x8xbf16>, tensor<?xi32>
  %c = graph.kv_append %cache, %rk, %p#2, %slots {layer = 0 : i64} : !cache, tensor<?x8xbf16>, tensor<?x8xbf16>, tensor<?xi32>
  %o = graph.paged_attention %rq, %c, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 0 : i64, num_heads = 2 : i64, num_kv_heads = 1 : i64, scale = 0.35 : f32} : tensor<?x16xbf16>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o, %c : tensor<?x16xbf16>, !cache
}
