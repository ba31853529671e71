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
