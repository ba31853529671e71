// RUN: loom-opt %s --split-input-file --graph-hoist-weights | FileCheck %s

// Merged QKV and gate/up weights of two layers: one weight each, named by what differs between
// the sources, counted per stem; the sources are gone.
// CHECK-LABEL: func @merged_projections
// CHECK-NOT: graph.concat
// CHECK: %[[QKV0:.+]] = graph.weight "loom.qkv.0" {loom.recipe = {concat = {axis = 0 : i64, of = ["l.0.attn.q_proj.weight", "l.0.attn.k_proj.weight", "l.0.attn.v_proj.weight"]}}} : tensor<96x32xbf16>
// CHECK: graph.linear %arg0, %[[QKV0]]
// CHECK: %[[GU0:.+]] = graph.weight "loom.gate_up.0" {loom.recipe = {concat = {axis = 0 : i64, of = ["l.0.mlp.gate_proj.weight", "l.0.mlp.up_proj.weight"]}}} : tensor<128x32xbf16>
// CHECK: graph.linear %arg0, %[[GU0]]
// CHECK: graph.weight "loom.qkv.1" {loom.recipe = {concat = {axis = 0 : i64, of = ["l.1.attn.q_proj.weight", "l.1.attn.k_proj.weight", "l.1.attn.v_proj.weight"]}}}
// CHECK-NOT: graph.weight "l.
// CHECK: return
func.func @merged_projections(%x: tensor<?x32xbf16>) -> (tensor<?x96xbf16>, tensor<?x128xbf16>, tensor<?x96xbf16>) {
  %q = graph.weight "l.0.attn.q_proj.weight" : tensor<32x32xbf16>
  %k = graph.weight "l.0.attn.k_proj.weight" : tensor<32x32xbf16>
  %v = graph.weight "l.0.attn.v_proj.weight" : tensor<32x32xbf16>
  %qkv = graph.concat %q, %k, %v {axis = 0 : i64} : (tensor<32x32xbf16>, tensor<32x32xbf16>, tensor<32x32xbf16>) -> tensor<96x32xbf16>
  %0 = graph.linear %x, %qkv : tensor<?x32xbf16>, tensor<96x32xbf16> -> tensor<?x96xbf16>
  %g = graph.weight "l.0.mlp.gate_proj.weight" : tensor<64x32xbf16>
  %u = graph.weight "l.0.mlp.up_proj.weight" : tensor<64x32xbf16>
  %gu = graph.concat %g, %u {axis = 0 : i64} : (tensor<64x32xbf16>, tensor<64x32xbf16>) -> tensor<128x32xbf16>
  %1 = graph.linear %x, %gu : tensor<?x32xbf16>, tensor<128x32xbf16> -> tensor<?x128xbf16>
  %q1 = graph.weight "l.1.attn.q_proj.weight" : tensor<32x32xbf16>
  %k1 = graph.weight "l.1.attn.k_proj.weight" : tensor<32x32xbf16>
  %v1 = graph.weight "l.1.attn.v_proj.weight" : tensor<32x32xbf16>
  %qkv1 = graph.concat %q1, %k1, %v1 {axis = 0 : i64} : (tensor<32x32xbf16>, tensor<32x32xbf16>, tensor<32x32xbf16>) -> tensor<96x32xbf16>
  %2 = graph.linear %x, %qkv1 : tensor<?x32xbf16>, tensor<96x32xbf16> -> tensor<?x96xbf16>
  return %0, %1, %2 : tensor<?x96xbf16>, tensor<?x128xbf16>, tensor<?x96xbf16>
}

// -----

// Transposes and casts nest into one recipe; an equal recipe met twice shares its name; a source
// still used elsewhere stays.
// CHECK-LABEL: func @nested
// CHECK: %[[A:.+]] = graph.weight "a.weight" : tensor<16x8xf32>
// CHECK: %[[T:.+]] = graph.weight "loom.transpose.0" {loom.recipe = {transpose = {of = ["a.weight"], permutation = [1, 0]}}} : tensor<8x16xf32>
// CHECK: %[[C:.+]] = graph.weight "loom.cast.0" {loom.recipe = {cast = {dtype = "bf16", of = [{transpose = {of = ["b.weight"], permutation = [1, 0]}}]}}} : tensor<8x16xbf16>
// CHECK: %[[T2:.+]] = graph.weight "loom.transpose.0" {loom.recipe = {transpose = {of = ["a.weight"], permutation = [1, 0]}}} : tensor<8x16xf32>
// CHECK: return %[[A]], %[[T]], %[[C]], %[[T2]]
func.func @nested() -> (tensor<16x8xf32>, tensor<8x16xf32>, tensor<8x16xbf16>, tensor<8x16xf32>) {
  %a = graph.weight "a.weight" : tensor<16x8xf32>
  %t = graph.transpose %a {permutation = array<i64: 1, 0>} : tensor<16x8xf32> -> tensor<8x16xf32>
  %b = graph.weight "b.weight" : tensor<16x8xf32>
  %tb = graph.transpose %b {permutation = array<i64: 1, 0>} : tensor<16x8xf32> -> tensor<8x16xf32>
  %c = graph.cast %tb : tensor<8x16xf32> to tensor<8x16xbf16>
  %t2 = graph.transpose %a {permutation = array<i64: 1, 0>} : tensor<16x8xf32> -> tensor<8x16xf32>
  return %a, %t, %c, %t2 : tensor<16x8xf32>, tensor<8x16xf32>, tensor<8x16xbf16>, tensor<8x16xf32>
}

// -----

// Anything that reads an activation is not weight-only and stays.
// CHECK-LABEL: func @not_weight_only
// CHECK: graph.concat %{{.+}}, %arg0
// CHECK-NOT: loom.recipe
// CHECK: return
func.func @not_weight_only(%x: tensor<4x8xf32>) -> tensor<8x8xf32> {
  %w = graph.weight "w" : tensor<4x8xf32>
  %0 = graph.concat %w, %x {axis = 0 : i64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}
