// RUN: rm -rf %t && loomc %s --target=sm_80 --emit=package -o %t && FileCheck %s < %t/manifest.json

// A weight concat hoisted by graph-hoist-weights becomes a load-time recipe of a package weight.
// CHECK: "weights": [
// CHECK-NEXT: {
// CHECK-NEXT: "dtype": "bf16",
// CHECK-NEXT: "name": "loom.qkv.0",
// CHECK-NEXT: "recipe": {
// CHECK-NEXT: "concat": {
// CHECK-NEXT: "axis": 0,
// CHECK-NEXT: "of": [
// CHECK-NEXT: "q.weight",
// CHECK-NEXT: "k.weight",
// CHECK-NEXT: "v.weight"
// CHECK: "shape": [
// CHECK-NEXT: 192,
func.func @forward(%x: tensor<?x64xbf16>) -> tensor<?x192xbf16> attributes {loom.max_tokens = 64 : i64} {
  %q = graph.weight "q.weight" : tensor<64x64xbf16>
  %k = graph.weight "k.weight" : tensor<64x64xbf16>
  %v = graph.weight "v.weight" : tensor<64x64xbf16>
  %w = graph.concat %q, %k, %v {axis = 0 : i64} : (tensor<64x64xbf16>, tensor<64x64xbf16>, tensor<64x64xbf16>) -> tensor<192x64xbf16>
  %y = graph.linear %x, %w : tensor<?x64xbf16>, tensor<192x64xbf16> -> tensor<?x192xbf16>
  return %y : tensor<?x192xbf16>
}
