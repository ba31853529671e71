// RUN: loom-opt %s | loom-opt | FileCheck %s

// CHECK-LABEL: tile.kernel @fused_silu_0(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32)
// CHECK: %[[P:.+]] = tile.program_id 0
// CHECK: %[[T:.+]] = tile.load %x[%[[P]]] bounds(%n) {layout = #tile.layout<vector>, shape = ["block"]} : !tile.ptr<bf16> -> tensor<?xf32>
// CHECK: %[[S:.+]] = tile.map <silu> %[[T]] : (tensor<?xf32>) -> tensor<?xf32>
// CHECK: tile.store %[[S]], %y[%[[P]]] bounds(%n)
tile.kernel @fused_silu_0(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32)
    attributes {ops = ["graph.silu"], param_names = ["x", "y", "n"],
                config = {block = 8192 : i64, vec = 8 : i64}, block = array<i32: 256, 1, 1>,
                grid = ["ceildiv(tokens * 64, 8192)", "1", "1"], shared_bytes = 0 : i64} {
  %p = tile.program_id 0
  %t = tile.load %x[%p] bounds(%n) {layout = #tile.layout<vector>, shape = ["block"]} : !tile.ptr<bf16> -> tensor<?xf32>
  %s = tile.map <silu> %t : (tensor<?xf32>) -> tensor<?xf32>
  tile.store %s, %y[%p] bounds(%n) {layout = #tile.layout<vector>, shape = ["block"]} : tensor<?xf32>, !tile.ptr<bf16>
  tile.return
}

// CHECK-LABEL: tile.kernel @fused_rms_norm_1
// CHECK: tile.reduce <mean_square> %{{.+}} {axis = 1 : i64} : tensor<?x64xf32> -> tensor<?x1xf32>
// CHECK: tile.map <rsqrt>
// CHECK: tile.map <mul> %{{.+}}, %{{.+}} : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
tile.kernel @fused_rms_norm_1(%x: !tile.ptr<bf16>, %w: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %rows: i32)
    attributes {ops = ["graph.rms_norm"], param_names = ["x", "w", "y", "rows"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %h = arith.constant 64 : i32
  %eps = arith.constant 1.0e-5 : f32
  %t = tile.load %x[%p, %c0] bounds(%rows, %h) {layout = #tile.layout<row>, shape = ["rows", "64"]} : !tile.ptr<bf16> -> tensor<?x64xf32>
  %ms = tile.reduce <mean_square> %t {axis = 1 : i64} : tensor<?x64xf32> -> tensor<?x1xf32>
  %e = tile.map <add> %ms, %eps : (tensor<?x1xf32>, f32) -> tensor<?x1xf32>
  %r = tile.map <rsqrt> %e : (tensor<?x1xf32>) -> tensor<?x1xf32>
  %n = tile.map <mul> %t, %r : (tensor<?x64xf32>, tensor<?x1xf32>) -> tensor<?x64xf32>
  %wt = tile.load %w[%c0] bounds(%h) {layout = #tile.layout<row>, shape = ["64"]} : !tile.ptr<bf16> -> tensor<64xf32>
  %o = tile.map <mul> %n, %wt : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  tile.store %o, %y[%p, %c0] bounds(%rows, %h) {layout = #tile.layout<row>, shape = ["rows", "64"]} : tensor<?x64xf32>, !tile.ptr<bf16>
  tile.return
}

// CHECK-LABEL: tile.kernel @fused_linear_2
// CHECK: %[[RING:.+]] = tile.alloc_shared : !tile.shared<bf16, [3, 256, 32]>
// CHECK: tile.row_scale %x[%{{.+}}] sizes(%m, %k) {eps = 9.99999974E-6 : f32}
// CHECK: tile.dot %x[%{{.+}}], %w[%{{.+}}] sizes(%m, %n, %k) scale(%{{.+}} : tensor<?x1xf32>) staging(%[[RING]] : !tile.shared<bf16, [3, 256, 32]>) {atom = "mma.sync.m16n8k16.bf16"}
tile.kernel @fused_linear_2(%x: !tile.ptr<bf16>, %w: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %m: i32, %n: i32, %k: i32)
    attributes {ops = ["graph.rms_norm", "graph.linear"], param_names = ["x", "w", "y", "m", "n", "k"]} {
  %pm = tile.program_id 0
  %pn = tile.program_id 1
  %ring = tile.alloc_shared : !tile.shared<bf16, [3, 256, 32]>
  %s = tile.row_scale %x[%pm] sizes(%m, %k) {eps = 1.0e-5 : f32} : !tile.ptr<bf16> -> tensor<?x1xf32>
  %acc = tile.dot %x[%pm], %w[%pn] sizes(%m, %n, %k) scale(%s : tensor<?x1xf32>) staging(%ring : !tile.shared<bf16, [3, 256, 32]>) {atom = "mma.sync.m16n8k16.bf16"} : !tile.ptr<bf16>, !tile.ptr<bf16> -> tensor<?x?xf32>
  %a = tile.map <gelu_tanh> %acc : (tensor<?x?xf32>) -> tensor<?x?xf32>
  tile.store %a, %y[%pm, %pn] bounds(%m, %n) {layout = #tile.layout<mma>, shape = ["bm", "bn"]} : tensor<?x?xf32>, !tile.ptr<bf16>
  tile.return
}

// CHECK-LABEL: tile.kernel @fused_embedding_argmax_3
// CHECK: tile.gather %table[%{{.+}}] vocab(%v) : !tile.ptr<f32>, tensor<?xi32> -> tensor<?x16xf32>
// CHECK: tile.gather %table[%{{.+}}] vocab(%v) errors(%error) : !tile.ptr<f32>, tensor<?xi32>, !tile.ptr<i32> -> tensor<?x16xf32>
// CHECK: tile.reduce <argmax> %{{.+}} {axis = 1 : i64} : tensor<?x16xf32> -> tensor<?x1xi32>
tile.kernel @fused_embedding_argmax_3(%table: !tile.ptr<f32>, %ids: !tile.ptr<i32>, %out: !tile.ptr<i32>, %rows: i32, %v: i32, %error: !tile.ptr<i32>)
    attributes {ops = ["graph.embedding", "graph.argmax"], param_names = ["table", "ids", "out", "rows", "v", "error"]} {
  %p = tile.program_id 0
  %c0 = arith.constant 0 : i32
  %one = arith.constant 1 : i32
  %i = tile.load %ids[%p] bounds(%rows) {layout = #tile.layout<row>, shape = ["rows"]} : !tile.ptr<i32> -> tensor<?xi32>
  %unchecked = tile.gather %table[%i] vocab(%v) : !tile.ptr<f32>, tensor<?xi32> -> tensor<?x16xf32>
  %g = tile.gather %table[%i] vocab(%v) errors(%error) : !tile.ptr<f32>, tensor<?xi32>, !tile.ptr<i32> -> tensor<?x16xf32>
  %a = tile.reduce <argmax> %g {axis = 1 : i64} : tensor<?x16xf32> -> tensor<?x1xi32>
  tile.store %a, %out[%p, %c0] bounds(%rows, %one) {layout = #tile.layout<row>, shape = ["rows", "1"]} : tensor<?x1xi32>, !tile.ptr<i32>
  tile.return
}

// CHECK-LABEL: tile.launch_program
// CHECK: tile.launch @fused_silu_0 ["input:x", "output:y", "dim:tokens"]{{$}}
// CHECK-NEXT: tile.launch @fused_silu_0 ["input:x", "output:y", "dim:tokens"] when "decode"{{$}}
tile.launch_program attributes {arena_bytes = 0 : i64, buffers = [], dims = {tokens = 64 : i64},
    inputs = [{dtype = "bf16", name = "x", shape = ["tokens", 64]}],
    outputs = [{buffer = "y", dtype = "bf16", name = "y", shape = ["tokens", 64]}], weights = []} {
  tile.launch @fused_silu_0 ["input:x", "output:y", "dim:tokens"]
  tile.launch @fused_silu_0 ["input:x", "output:y", "dim:tokens"] when "decode"
}
