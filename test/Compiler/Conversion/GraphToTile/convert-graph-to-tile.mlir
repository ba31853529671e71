// RUN: loom-opt %s --split-input-file --convert-graph-to-tile | FileCheck %s

// An unfused elementwise op: a vector tile of tokens * 64 elements per program.
// CHECK-LABEL: tile.kernel @silu_0(%x: !tile.ptr<bf16>, %tokens: i32, %y: !tile.ptr<bf16>)
// CHECK-SAME: ops = ["graph.silu"]
// CHECK: %[[P:.+]] = tile.program_id 0
// CHECK: %[[N:.+]] = arith.muli %tokens, %{{.+}} : i32
// CHECK: %[[T:.+]] = tile.load %x[%[[P]]] bounds(%[[N]]) {layout = #tile.layout<vector>, shape = ["block"]} : !tile.ptr<bf16> -> tensor<?xf32>
// CHECK: %[[S:.+]] = tile.map <silu> %[[T]]
// CHECK: tile.store %[[S]], %y[%[[P]]]
// CHECK: tile.launch_program
// CHECK-SAME: dims = {tokens = 128 : i64}
// CHECK-SAME: inputs = [{dtype = "bf16", name = "hidden", shape = ["tokens", 64]}]
// CHECK-SAME: outputs = [{buffer = "v0", dtype = "bf16", name = "out0", shape = ["tokens", 64]}]
// CHECK: tile.launch @silu_0 ["input:hidden", "dim:tokens", "buffer:v0"]
func.func @forward(%x: tensor<?x64xbf16> {loom.name = "hidden"}) -> tensor<?x64xbf16>
    attributes {loom.max_tokens = 128 : i64} {
  %y = graph.silu %x : tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}

// -----

// A residual add + rms_norm group: row tiles, f32 statistics, both results stored.
// CHECK-LABEL: tile.kernel @fused_add_rms_norm_0
// CHECK: %[[A:.+]] = tile.load %x[%{{.+}}, %{{.+}}] bounds(%tokens, %{{.+}}) {layout = #tile.layout<row>, shape = ["rows", "64"]}
// CHECK: %[[B:.+]] = tile.load %x1
// CHECK: %[[SUM:.+]] = tile.map <add> %[[A]], %[[B]]
// CHECK: %[[W:.+]] = tile.load %w[%{{.+}}] bounds(%{{.+}}) {layout = #tile.layout<row>, shape = ["64"]} : !tile.ptr<bf16> -> tensor<64xf32>
// CHECK: %[[MS:.+]] = tile.reduce <mean_square> %[[SUM]] {axis = 1 : i64} : tensor<?x64xf32> -> tensor<?x1xf32>
// CHECK: tile.map <rsqrt>
// CHECK: tile.store %[[SUM]], %y[
// CHECK: tile.store %{{.+}}, %y1[
// CHECK: tile.launch @fused_add_rms_norm_0 ["input:arg0", "dim:tokens", "input:arg1", "weight:norm.weight", "buffer:v0", "buffer:v1"]
func.func @forward(%x: tensor<?x64xbf16>, %r: tensor<?x64xbf16>) -> (tensor<?x64xbf16>, tensor<?x64xbf16>)
    attributes {loom.max_tokens = 128 : i64} {
  %w = graph.weight "norm.weight" : tensor<64xbf16>
  %s, %n = graph.fused norm "fused_add_rms_norm_0" (%a = %x, %b = %r, %g = %w)
      : (tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<64xbf16>) -> (tensor<?x64xbf16>, tensor<?x64xbf16>) {
    %0 = graph.add %a, %b : tensor<?x64xbf16>
    %1 = graph.rms_norm %0, %g {eps = 1.0e-5 : f32} : tensor<?x64xbf16>, tensor<64xbf16>
    graph.yield %0, %1 : tensor<?x64xbf16>, tensor<?x64xbf16>
  }
  return %s, %n : tensor<?x64xbf16>, tensor<?x64xbf16>
}

// -----

// A GEMM with the folded-gain RMSNorm prologue, a bias and SiLU: row_scale -> dot -> maps -> store;
// the weight binds to the derived weight with the gain folded into its columns.
// CHECK-LABEL: tile.kernel @fused_rms_norm_linear_silu_0
// CHECK: %[[PN:.+]] = tile.program_id 1
// CHECK: %[[PM:.+]] = tile.program_id 0
// CHECK: %[[S:.+]] = tile.row_scale %x[%[[PM]]] sizes(%tokens, %{{.+}}) {eps = 9.99999974E-6 : f32}
// CHECK: %[[ACC:.+]] = tile.dot %x[%[[PM]]], %w[%[[PN]]] sizes(%tokens, %{{.+}}, %{{.+}}) scale(%[[S]] : tensor<?x1xf32>)
// CHECK: %[[B:.+]] = tile.load %bias[%[[PN]]] bounds(%{{.+}}) {layout = #tile.layout<row>, shape = ["bn"]}
// CHECK: %[[V:.+]] = tile.map <add> %[[ACC]], %[[B]]
// CHECK: %[[A:.+]] = tile.map <silu> %[[V]]
// CHECK: tile.store %[[A]], %y[%[[PM]], %[[PN]]] bounds(%tokens, %{{.+}}) {layout = #tile.layout<mma>, shape = ["bm", "bn"]}
// CHECK: weights = [{{.*}}{dtype = "bf16", name = "loom.scaled.proj.weight", recipe = {scale = {axis = 1 : i64, of = ["proj.weight", "norm.weight"]}}, shape = [128, 64]}]
// CHECK: tile.launch @fused_rms_norm_linear_silu_0 ["input:arg0", "weight:loom.scaled.proj.weight", "dim:tokens", "weight:proj.bias", "buffer:v0"]
func.func @forward(%x: tensor<?x64xbf16>) -> tensor<?x128xbf16> attributes {loom.max_tokens = 128 : i64} {
  %g = graph.weight "norm.weight" : tensor<64xbf16>
  %w = graph.weight "proj.weight" : tensor<128x64xbf16>
  %b = graph.weight "proj.bias" : tensor<128xbf16>
  %y = graph.fused gemm "fused_rms_norm_linear_silu_0" (%xa = %x, %ga = %g, %wa = %w, %ba = %b)
      : (tensor<?x64xbf16>, tensor<64xbf16>, tensor<128x64xbf16>, tensor<128xbf16>) -> tensor<?x128xbf16>
      attributes {prologue = #graph.gemm_prologue<row_scale_folded_gain>} {
    %0 = graph.rms_norm %xa, %ga {eps = 1.0e-5 : f32} : tensor<?x64xbf16>, tensor<64xbf16>
    %1 = graph.linear %0, %wa, %ba : tensor<?x64xbf16>, tensor<128x64xbf16>, tensor<128xbf16> -> tensor<?x128xbf16>
    %2 = graph.silu %1 : tensor<?x128xbf16>
    graph.yield %2 : tensor<?x128xbf16>
  }
  return %y : tensor<?x128xbf16>
}

// -----

// A plain linear has no prologue and no epilogue maps.
// CHECK-LABEL: tile.kernel @linear_0
// CHECK-NOT: tile.row_scale
// CHECK: tile.dot
// CHECK-NOT: tile.map
// CHECK: tile.store
func.func @forward(%x: tensor<?x64xbf16>) -> tensor<?x32xbf16> attributes {loom.max_tokens = 16 : i64} {
  %w = graph.weight "proj.weight" : tensor<32x64xbf16>
  %y = graph.linear %x, %w : tensor<?x64xbf16>, tensor<32x64xbf16> -> tensor<?x32xbf16>
  return %y : tensor<?x32xbf16>
}

// -----

// Gathers, softmax and argmax are row kernels; liveness lets later buffers reuse offset 0.
// CHECK-LABEL: tile.kernel @embedding_0(%table: !tile.ptr<bf16>, %ids: !tile.ptr<i32>, %tokens: i32, %y: !tile.ptr<bf16>)
// CHECK: %[[I:.+]] = tile.load %ids[%{{.+}}] bounds(%tokens) {layout = #tile.layout<row>, shape = ["rows"]} : !tile.ptr<i32> -> tensor<?xi32>
// CHECK: tile.gather %table[%[[I]]] vocab(%{{.+}}) : !tile.ptr<bf16>, tensor<?xi32> -> tensor<?x64xbf16>
// CHECK-LABEL: tile.kernel @softmax_1
// CHECK: tile.reduce <max>
// CHECK: tile.map <sub>
// CHECK: tile.map <exp>
// CHECK: tile.reduce <sum>
// CHECK: tile.map <div>
// CHECK-LABEL: tile.kernel @argmax_2
// CHECK: %[[AM:.+]] = tile.reduce <argmax> %{{.+}} {axis = 1 : i64} : tensor<?x64xf32> -> tensor<?x1xi32>
// CHECK: tile.store %[[AM]], %y[%{{.+}}, %{{.+}}] bounds(%tokens, %{{.+}}) {layout = #tile.layout<row>, shape = ["rows", "1"]}
// CHECK: arena_bytes = 32768 : i64
// CHECK-SAME: {bytes = 16384 : i64, dtype = "bf16", live = [0, 1], name = "v0", offset = 0 : i64
// CHECK-SAME: {bytes = 16384 : i64, dtype = "bf16", live = [1, 2], name = "v1", offset = 16384 : i64
// CHECK-SAME: {bytes = 512 : i64, dtype = "i32", live = [2, 3], name = "v2", offset = 0 : i64
func.func @forward(%ids: tensor<?xi32>) -> tensor<?xi32> attributes {loom.max_tokens = 128 : i64} {
  %t = graph.weight "embed.weight" : tensor<1000x64xbf16>
  %h = graph.embedding %t, %ids : tensor<1000x64xbf16>, tensor<?xi32> -> tensor<?x64xbf16>
  %p = graph.softmax %h : tensor<?x64xbf16>
  %a = graph.argmax %p : tensor<?x64xbf16> -> tensor<?xi32>
  return %a : tensor<?xi32>
}
