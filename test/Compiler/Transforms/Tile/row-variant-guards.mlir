// RUN: loom-opt %s --tile-tiling=target=sm_90a | FileCheck %s

// A GEMM launch that already has a guard whose last term merely ends like one of the row guards
// (`ntokens > 0` ends in `tokens > 0`): each copy joins its guard to the whole existing one, and
// only a whole last term `tokens > <cap of the copy before>` is dropped from the GEMM's.
// CHECK-LABEL: tile.launch_program
// CHECK: tile.launch @linear_gemv8_0 [[BINDINGS:\[.*\]]] when "ntokens > 0 && tokens <= 8"
// CHECK-NEXT: tile.launch @linear_gemv_0 [[BINDINGS]] when "ntokens > 0 && tokens > 8 && tokens <= 16"
// CHECK-NEXT: tile.launch @linear_skinny_0 [[BINDINGS]] when "ntokens > 0 && tokens > 16 && tokens <= 128"
// CHECK-NEXT: tile.launch @linear_0 [[BINDINGS]] when "ntokens > 0 && tokens > 128"
// CHECK-NOT: tile.launch
module {
  tile.kernel @linear_0(%x: !tile.ptr<bf16>, %w: !tile.ptr<bf16>, %tokens: i32, %y: !tile.ptr<bf16>) attributes {ops = ["graph.linear"], param_names = ["x", "w", "tokens", "y"]} {
    %0 = tile.program_id 1
    %1 = tile.program_id 0
    %c4096_i32 = arith.constant 4096 : i32
    %2 = tile.dot %x[%1], %w[%0] sizes(%tokens, %c4096_i32, %c4096_i32) : !tile.ptr<bf16>, !tile.ptr<bf16> -> tensor<?x?xf32>
    tile.store %2, %y[%1, %0] bounds(%tokens, %c4096_i32) {layout = #tile.layout<mma>, shape = ["bm", "bn"]} : tensor<?x?xf32>, !tile.ptr<bf16>
    tile.return
  }
  tile.launch_program attributes {arena_bytes = 33554432 : i64, buffers = [{bytes = 33554432 : i64, dtype = "bf16", live = [0, 1], name = "v0", offset = 0 : i64, shape = ["tokens", 4096]}], dims = {ntokens = 4096 : i64, tokens = 4096 : i64}, inputs = [{dtype = "bf16", name = "arg0", shape = ["tokens", 4096]}], outputs = [{buffer = "v0", dtype = "bf16", name = "out0", shape = ["tokens", 4096]}], weights = [{dtype = "bf16", name = "proj.weight", shape = [4096, 4096]}]} {
    tile.launch @linear_0 ["input:arg0", "weight:proj.weight", "dim:tokens", "buffer:v0"] when "ntokens > 0"
  }
}
