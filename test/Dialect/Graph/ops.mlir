// RUN: loom-opt %s | loom-opt | FileCheck %s

// CHECK-LABEL: func @elementwise
// CHECK: graph.add %{{.*}}, %{{.*}} : tensor<?x64xbf16>
// CHECK: graph.mul %{{.*}}, %{{.*}} : tensor<?x64xbf16>
func.func @elementwise(%x: tensor<?x64xbf16>, %y: tensor<?x64xbf16>) -> tensor<?x64xbf16> {
  %0 = graph.add %x, %y : tensor<?x64xbf16>
  %1 = graph.mul %0, %y : tensor<?x64xbf16>
  return %1 : tensor<?x64xbf16>
}

// CHECK-LABEL: func @unary
// CHECK: graph.silu %{{.*}} : tensor<?x64xbf16>
// CHECK: graph.cast %{{.*}} : tensor<?x64xbf16> to tensor<?x64xf32>
func.func @unary(%x: tensor<?x64xbf16>) -> tensor<?x64xf32> {
  %0 = graph.silu %x : tensor<?x64xbf16>
  %1 = graph.cast %0 : tensor<?x64xbf16> to tensor<?x64xf32>
  return %1 : tensor<?x64xf32>
}

// CHECK-LABEL: func @rows
// CHECK: graph.softmax %{{.*}} : tensor<?x100xf32>
// CHECK: graph.argmax %{{.*}} : tensor<?x100xf32> -> tensor<?xi32>
// CHECK: graph.reshape %{{.*}} : tensor<?x100xf32> to tensor<?x10x10xf32>
func.func @rows(%x: tensor<?x100xf32>) -> (tensor<?xi32>, tensor<?x10x10xf32>) {
  %0 = graph.softmax %x : tensor<?x100xf32>
  %1 = graph.argmax %0 : tensor<?x100xf32> -> tensor<?xi32>
  %2 = graph.reshape %0 : tensor<?x100xf32> to tensor<?x10x10xf32>
  return %1, %2 : tensor<?xi32>, tensor<?x10x10xf32>
}

// CHECK-LABEL: func @norm
// CHECK: graph.rms_norm %{{.*}}, %{{.*}} {eps = 9.99999974E-6 : f32} : tensor<?x64xbf16>, tensor<64xbf16>
func.func @norm(%x: tensor<?x64xbf16>, %w: tensor<64xbf16>) -> tensor<?x64xbf16> {
  %0 = graph.rms_norm %x, %w {eps = 1.0e-5 : f32} : tensor<?x64xbf16>, tensor<64xbf16>
  return %0 : tensor<?x64xbf16>
}

// CHECK-LABEL: func @cache
// CHECK-SAME: !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>
func.func @cache(%c: !graph.kv_cache<layers = 2, blocks = 64, blockSize = 16, kvHeads = 2, headDim = 64, elementType = bf16>) {
  return
}

// CHECK-LABEL: func @model_ops
// CHECK: graph.weight "model.embed_tokens.weight" : tensor<512x64xf32>
// CHECK: graph.embedding %{{.*}}, %{{.*}} : tensor<512x64xf32>, tensor<?xi32> -> tensor<?x64xf32>
// CHECK: graph.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {eps = 9.99999974E-6 : f32} : tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>
// CHECK: graph.linear %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x64xf32>, tensor<128x64xf32>, tensor<128xf32> -> tensor<?x128xf32>
// CHECK: graph.linear %{{.*}}, %{{.*}} : tensor<?x64xf32>, tensor<128x64xf32> -> tensor<?x128xf32>
// CHECK: graph.gelu %{{.*}} {approximate = #graph.gelu_approximation<tanh>} : tensor<?x128xf32>
// CHECK: graph.gelu %{{.*}} : tensor<?x128xf32>
// CHECK: graph.matmul %{{.*}}, %{{.*}} : tensor<2x?x64xf32>, tensor<2x64x8xf32> -> tensor<2x?x8xf32>
func.func @model_ops(%ids: tensor<?xi32>, %g: tensor<64xf32>, %b: tensor<64xf32>, %w: tensor<128x64xf32>,
                     %bias: tensor<128xf32>, %a: tensor<2x?x64xf32>, %m: tensor<2x64x8xf32>)
    -> (tensor<?x128xf32>, tensor<?x128xf32>, tensor<2x?x8xf32>) {
  %t = graph.weight "model.embed_tokens.weight" : tensor<512x64xf32>
  %h = graph.embedding %t, %ids : tensor<512x64xf32>, tensor<?xi32> -> tensor<?x64xf32>
  %n = graph.layer_norm %h, %g, %b {eps = 1.0e-5 : f32} : tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>
  %y = graph.linear %n, %w, %bias : tensor<?x64xf32>, tensor<128x64xf32>, tensor<128xf32> -> tensor<?x128xf32>
  %z = graph.linear %n, %w : tensor<?x64xf32>, tensor<128x64xf32> -> tensor<?x128xf32>
  %g1 = graph.gelu %y {approximate = #graph.gelu_approximation<tanh>} : tensor<?x128xf32>
  %g2 = graph.gelu %z : tensor<?x128xf32>
  %mm = graph.matmul %a, %m : tensor<2x?x64xf32>, tensor<2x64x8xf32> -> tensor<2x?x8xf32>
  return %g1, %g2, %mm : tensor<?x128xf32>, tensor<?x128xf32>, tensor<2x?x8xf32>
}

// CHECK-LABEL: func @attention_ops
// CHECK: graph.rope %{{.*}}, %{{.*}} {head_dim = 8 : i64, high_freq_factor = 4.000000e+00 : f32, low_freq_factor = 1.000000e+00 : f32, original_max_position = 8192 : i64, scaling_factor = 3.200000e+01 : f32, style = #graph.rope_style<rotate_half>, theta = 5.000000e+05 : f32} : tensor<?x64xbf16>, tensor<?xi32>
// CHECK: graph.rope %{{.*}}, %{{.*}} {head_dim = 8 : i64, style = #graph.rope_style<interleaved>, theta = 1.000000e+04 : f32} : tensor<?x32xbf16>, tensor<?xi32>
// CHECK: graph.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {causal, head_dim = 8 : i64, num_heads = 8 : i64, num_kv_heads = 4 : i64, scale = 0.353553385 : f32}
// CHECK: %[[C1:.+]] = graph.kv_append %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {layer = 1 : i64} : !graph.kv_cache<layers = 2, blocks = 8, blockSize = 16, kvHeads = 4, headDim = 8, elementType = bf16>, tensor<?x32xbf16>, tensor<?x32xbf16>, tensor<?xi32>
// CHECK: graph.paged_attention %{{.*}}, %[[C1]], %{{.*}}, %{{.*}}, %{{.*}} {causal, head_dim = 8 : i64, layer = 1 : i64, num_heads = 8 : i64, num_kv_heads = 4 : i64, scale = 0.353553385 : f32}
!kv = !graph.kv_cache<layers = 2, blocks = 8, blockSize = 16, kvHeads = 4, headDim = 8, elementType = bf16>
func.func @attention_ops(%q: tensor<?x64xbf16>, %k: tensor<?x32xbf16>, %v: tensor<?x32xbf16>, %pos: tensor<?xi32>,
                         %starts: tensor<?xi32>, %slots: tensor<?xi32>, %tables: tensor<?x?xi32>,
                         %lens: tensor<?xi32>, %c: !kv) -> (tensor<?x64xbf16>, tensor<?x64xbf16>, !kv) {
  %qr = graph.rope %q, %pos {head_dim = 8 : i64, style = #graph.rope_style<rotate_half>, theta = 5.0e5 : f32,
                              scaling_factor = 32.0 : f32, low_freq_factor = 1.0 : f32, high_freq_factor = 4.0 : f32,
                              original_max_position = 8192 : i64} : tensor<?x64xbf16>, tensor<?xi32>
  %kr = graph.rope %k, %pos {head_dim = 8 : i64, style = #graph.rope_style<interleaved>, theta = 1.0e4 : f32} : tensor<?x32xbf16>, tensor<?xi32>
  %o1 = graph.attention %qr, %kr, %v, %starts {causal, head_dim = 8 : i64, num_heads = 8 : i64, num_kv_heads = 4 : i64, scale = 0.353553385 : f32}
      : tensor<?x64xbf16>, tensor<?x32xbf16>, tensor<?x32xbf16>, tensor<?xi32>
  %c1 = graph.kv_append %c, %kr, %v, %slots {layer = 1 : i64} : !kv, tensor<?x32xbf16>, tensor<?x32xbf16>, tensor<?xi32>
  %o2 = graph.paged_attention %qr, %c1, %tables, %starts, %lens {causal, head_dim = 8 : i64, layer = 1 : i64, num_heads = 8 : i64, num_kv_heads = 4 : i64, scale = 0.353553385 : f32}
      : tensor<?x64xbf16>, !kv, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  return %o1, %o2, %c1 : tensor<?x64xbf16>, tensor<?x64xbf16>, !kv
}

// CHECK-LABEL: func @sample_and_layout
// CHECK: graph.sample %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x512xf32>, tensor<?xf32>, tensor<?xi32>, tensor<?xf32>, tensor<?xf32>, tensor<?xi64>) -> tensor<?xi32>
// CHECK: graph.transpose %{{.*}} {permutation = array<i64: 1, 0>} : tensor<?x512xf32> -> tensor<512x?xf32>
// CHECK: graph.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x512xf32>, tensor<?x512xf32>) -> tensor<?x1024xf32>
// CHECK: graph.split %{{.*}} {axis = 1 : i64} : tensor<?x1024xf32> -> tensor<?x256xf32>, tensor<?x768xf32>
func.func @sample_and_layout(%l: tensor<?x512xf32>, %t: tensor<?xf32>, %k: tensor<?xi32>, %p: tensor<?xf32>,
                             %m: tensor<?xf32>, %s: tensor<?xi64>)
    -> (tensor<?xi32>, tensor<512x?xf32>, tensor<?x256xf32>, tensor<?x768xf32>) {
  %ids = graph.sample %l, %t, %k, %p, %m, %s : (tensor<?x512xf32>, tensor<?xf32>, tensor<?xi32>, tensor<?xf32>, tensor<?xf32>, tensor<?xi64>) -> tensor<?xi32>
  %tr = graph.transpose %l {permutation = array<i64: 1, 0>} : tensor<?x512xf32> -> tensor<512x?xf32>
  %cat = graph.concat %l, %l {axis = 1 : i64} : (tensor<?x512xf32>, tensor<?x512xf32>) -> tensor<?x1024xf32>
  %a, %b = graph.split %cat {axis = 1 : i64} : tensor<?x1024xf32> -> tensor<?x256xf32>, tensor<?x768xf32>
  return %ids, %tr, %a, %b : tensor<?xi32>, tensor<512x?xf32>, tensor<?x256xf32>, tensor<?x768xf32>
}
