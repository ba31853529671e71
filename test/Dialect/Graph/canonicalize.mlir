// RUN: loom-opt %s --split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: func @cast_to_same_type
// CHECK-NOT: graph.cast
// CHECK: return %arg0
func.func @cast_to_same_type(%x: tensor<?x64xbf16>) -> tensor<?x64xbf16> {
  %0 = graph.cast %x : tensor<?x64xbf16> to tensor<?x64xbf16>
  return %0 : tensor<?x64xbf16>
}

// -----

// CHECK-LABEL: func @cast_to_other_type
// CHECK: %[[Y:.+]] = graph.cast %arg0 : tensor<?x64xf32> to tensor<?x64xbf16>
// CHECK: return %[[Y]]
func.func @cast_to_other_type(%x: tensor<?x64xf32>) -> tensor<?x64xbf16> {
  %0 = graph.cast %x : tensor<?x64xf32> to tensor<?x64xbf16>
  return %0 : tensor<?x64xbf16>
}

// -----

// CHECK-LABEL: func @reshape_of_reshape
// CHECK: %[[Y:.+]] = graph.reshape %arg0 : tensor<?x4096xbf16> to tensor<?x32x2x64xbf16>
// CHECK-NOT: graph.reshape
// CHECK: return %[[Y]]
func.func @reshape_of_reshape(%x: tensor<?x4096xbf16>) -> tensor<?x32x2x64xbf16> {
  %0 = graph.reshape %x : tensor<?x4096xbf16> to tensor<?x32x128xbf16>
  %1 = graph.reshape %0 : tensor<?x32x128xbf16> to tensor<?x32x2x64xbf16>
  return %1 : tensor<?x32x2x64xbf16>
}

// -----

// CHECK-LABEL: func @reshape_round_trip
// CHECK-NOT: graph.reshape
// CHECK: return %arg0
func.func @reshape_round_trip(%x: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> {
  %0 = graph.reshape %x : tensor<?x4096xbf16> to tensor<?x32x128xbf16>
  %1 = graph.reshape %0 : tensor<?x32x128xbf16> to tensor<?x4096xbf16>
  return %1 : tensor<?x4096xbf16>
}

// -----

// CHECK-LABEL: func @transpose_identity
// CHECK-NOT: graph.transpose
// CHECK: return %arg0
func.func @transpose_identity(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = graph.transpose %x {permutation = array<i64: 0, 1>} : tensor<?x64xf32> -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// -----

// CHECK-LABEL: func @transpose_of_transpose_cancels
// CHECK-NOT: graph.transpose
// CHECK: return %arg0
func.func @transpose_of_transpose_cancels(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = graph.transpose %x {permutation = array<i64: 1, 0>} : tensor<?x64xf32> -> tensor<64x?xf32>
  %1 = graph.transpose %0 {permutation = array<i64: 1, 0>} : tensor<64x?xf32> -> tensor<?x64xf32>
  return %1 : tensor<?x64xf32>
}

// -----

// CHECK-LABEL: func @transpose_of_transpose_composes
// CHECK: %[[T:.+]] = graph.transpose %arg0 {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NOT: graph.transpose
// CHECK: return %[[T]]
func.func @transpose_of_transpose_composes(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = graph.transpose %x {permutation = array<i64: 1, 0, 2>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %1 = graph.transpose %0 {permutation = array<i64: 2, 1, 0>} : tensor<3x2x4xf32> -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func @concat_single
// CHECK-NOT: graph.concat
// CHECK: return %arg0
func.func @concat_single(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = graph.concat %x {axis = 1 : i64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// -----

// CHECK-LABEL: func @split_of_concat
// CHECK-NOT: graph.split
// CHECK: return %arg1, %arg0
func.func @split_of_concat(%a: tensor<?x4xf32>, %b: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x4xf32>) {
  %c = graph.concat %a, %b {axis = 1 : i64} : (tensor<?x4xf32>, tensor<?x8xf32>) -> tensor<?x12xf32>
  %0, %1 = graph.split %c {axis = 1 : i64} : tensor<?x12xf32> -> tensor<?x4xf32>, tensor<?x8xf32>
  return %1, %0 : tensor<?x8xf32>, tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func @split_of_concat_other_sizes
// CHECK: graph.concat
// CHECK: graph.split
func.func @split_of_concat_other_sizes(%a: tensor<?x4xf32>, %b: tensor<?x8xf32>) -> (tensor<?x6xf32>, tensor<?x6xf32>) {
  %c = graph.concat %a, %b {axis = 1 : i64} : (tensor<?x4xf32>, tensor<?x8xf32>) -> tensor<?x12xf32>
  %0, %1 = graph.split %c {axis = 1 : i64} : tensor<?x12xf32> -> tensor<?x6xf32>, tensor<?x6xf32>
  return %0, %1 : tensor<?x6xf32>, tensor<?x6xf32>
}
