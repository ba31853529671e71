// RUN: loom-opt %s --tile-lower-to-tensor-cores=target=sm_80 --verify-diagnostics

// f32 operands have no MMA atom on any target: the lowering must not happen.
tile.kernel @linear_0(%x: !tile.ptr<f32>, %w: !tile.ptr<f32>, %y: !tile.ptr<f32>, %m: i32)
    attributes {ops = ["graph.linear"], param_names = ["x", "w", "y", "m"],
                config = {bk = 32 : i64, bm = 64 : i64, bn = 64 : i64, stages = 2 : i64, warps_m = 2 : i64, warps_n = 2 : i64}} {
  %pm = tile.program_id 0
  %pn = tile.program_id 1
  %n = arith.constant 64 : i32
  // expected-error @+1 {{no MMA atom for sm_80 with f32 operands}}
  %acc = tile.dot %x[%pm], %w[%pn] sizes(%m, %n, %n) : !tile.ptr<f32>, !tile.ptr<f32> -> tensor<?x?xf32>
  tile.store %acc, %y[%pm, %pn] bounds(%m, %n) {layout = #tile.layout<mma>, shape = ["bm", "bn"]} : tensor<?x?xf32>, !tile.ptr<f32>
  tile.return
}
