// RUN: loom-opt %s --split-input-file --convert-graph-to-tile --tile-tiling=target=sm_90a | FileCheck %s
// RUN: loom-opt %s --split-input-file --convert-graph-to-tile --tile-tiling=target=sm_80 | FileCheck %s

// Softmax and argmax stream their rows (loom/softmax.cuh: an online max/sum per thread, then a
// second pass), so a vocabulary-wide row takes one 1024-thread CTA whatever its length; before,
// the register estimate of a row held in registers rejected every configuration past ~16k.

// CHECK-LABEL: tile.kernel @softmax_0
// CHECK-SAME: block = array<i32: 1024, 1, 1>
// CHECK-SAME: config = {rows = 1 : i64, threads_per_row = 1024 : i64, vec = 4 : i64}
// CHECK-SAME: grid = ["tokens", "1", "1"]
func.func @softmax_llama3_vocab(%x: tensor<?x128256xf32> {loom.name = "logits"}) -> (tensor<?x128256xf32> {loom.name = "probs"})
    attributes {loom.max_tokens = 64 : i64} {
  %y = graph.softmax %x : tensor<?x128256xf32>
  return %y : tensor<?x128256xf32>
}

// -----

// CHECK-LABEL: tile.kernel @argmax_0
// CHECK-SAME: block = array<i32: 1024, 1, 1>
// CHECK-SAME: config = {rows = 1 : i64, threads_per_row = 1024 : i64, vec = 8 : i64}
// CHECK-SAME: grid = ["tokens", "1", "1"]
func.func @argmax_200k(%x: tensor<?x200000xbf16> {loom.name = "logits"}) -> (tensor<?xi32> {loom.name = "ids"})
    attributes {loom.max_tokens = 64 : i64} {
  %y = graph.argmax %x : tensor<?x200000xbf16> -> tensor<?xi32>
  return %y : tensor<?xi32>
}

