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
