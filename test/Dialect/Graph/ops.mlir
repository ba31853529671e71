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
