// RUN: loom-opt %s --split-input-file --convert-graph-to-tile=target=sm_90a --tile-tiling=target=sm_90a | FileCheck %s
// RUN: loom-opt %s --split-input-file --graph-to-cuda=target=sm_80 -o /dev/null | FileCheck %s --check-prefix=CUDA

// graph.matmul becomes the library kernel loom::matmulSimt (loom/gemm_simt.cuh): the right
// operand read as [K, N] rows, leading dims as batches on grid z, parameters (a, b, y, M, N, K).

// A [K, N] weight (the GGUF layout), prefill-sized rows: 64 x 64 tiles, one batch.
// CHECK-LABEL: tile.kernel @matmul_0(
// CHECK-SAME: %a: !tile.ptr<bf16>, %b: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %tokens: i32, %n: i32, %k: i32)
// CHECK-SAME: block = array<i32: 256, 1, 1>
// CHECK-SAME: config = {b_kn = 1 : i64, bk = 16 : i64, bm = 64 : i64, bn = 64 : i64, tm = 4 : i64, tn = 4 : i64}
// CHECK-SAME: grid = ["ceildiv(tokens, 64) * 3", "1", "1"]
// CHECK-SAME: loom.fallback = "the right operand is [K, N] (graph.matmul); the tensor-core GEMMs read [N, K] rows (graph.linear)"
// CHECK-SAME: loom.library = "matmul_simt"
// CHECK-NOT: tile.dot
// CHECK: tile.launch @matmul_0 ["input:arg0", "weight:proj.weight_kn", "buffer:v0", "dim:tokens", "int:192", "int:256"]
// CUDA-LABEL: {{^// -+ kernels/matmul_0.cu}}
// CUDA: #include "loom/gemm_simt.cuh"
// CUDA: __launch_bounds__(256) void matmul_0(const loom::bf16 *a, const loom::bf16 *b, loom::bf16 *y, int tokens, int n, int k)
// CUDA: using Config = loom::GemmSimtConfig<64, 64, 16, 4, 4>;
// CUDA-NEXT: loom::matmulSimt<Config, loom::bf16, loom::GemmSimtB::kKN>(a, b, y, tokens, n, k);
func.func @forward(%x: tensor<?x256xbf16>) -> tensor<?x192xbf16> attributes {loom.max_tokens = 128 : i64} {
  %w = graph.weight "proj.weight_kn" : tensor<256x192xbf16>
  %y = graph.matmul %x, %w : tensor<?x256xbf16>, tensor<256x192xbf16> -> tensor<?x192xbf16>
  return %y : tensor<?x192xbf16>
}

// -----

// Batched activation x activation: 4 batches on grid z, M = tokens in the middle dimension.
// CHECK-LABEL: tile.kernel @matmul_0(
// CHECK-SAME: grid = ["ceildiv(tokens, 64)", "1", "4"]
// CHECK-SAME: loom.library = "matmul_simt"
// CHECK: shape = [4, "tokens", 32]
// CHECK: tile.launch @matmul_0 ["input:arg0", "input:arg1", "buffer:v0", "dim:tokens", "int:32", "int:64"]
// CUDA-LABEL: {{^// -+ kernels/matmul_0.cu}}
// CUDA: loom::matmulSimt<Config, loom::bf16, loom::GemmSimtB::kKN>(a, b, y, tokens, n, k);
func.func @forward(%a: tensor<4x?x64xbf16> {loom.dims = ["4", "tokens", "64"]}, %b: tensor<4x64x32xbf16>) -> tensor<4x?x32xbf16> attributes {loom.max_tokens = 128 : i64} {
  %y = graph.matmul %a, %b : tensor<4x?x64xbf16>, tensor<4x64x32xbf16> -> tensor<4x?x32xbf16>
  return %y : tensor<4x?x32xbf16>
}

// -----

// f32, decode-sized rows and odd K and N: the 16 x 64 tile of the SIMT GEMM table.
// CHECK-LABEL: tile.kernel @matmul_0(
// CHECK-SAME: config = {b_kn = 1 : i64, bk = 16 : i64, bm = 16 : i64, bn = 64 : i64, tm = 1 : i64, tn = 4 : i64}
// CHECK-SAME: grid = ["ceildiv(seqs, 16) * 2", "1", "1"]
// CUDA-LABEL: {{^// -+ kernels/matmul_0.cu}}
// CUDA: using Config = loom::GemmSimtConfig<16, 64, 16, 1, 4>;
// CUDA-NEXT: loom::matmulSimt<Config, float, loom::GemmSimtB::kKN>(a, b, y, seqs, n, k);
func.func @forward(%a: tensor<?x33xf32> {loom.dims = ["seqs"]}, %b: tensor<33x65xf32>) -> tensor<?x65xf32> attributes {loom.max_seqs = 8 : i64} {
  %y = graph.matmul %a, %b : tensor<?x33xf32>, tensor<33x65xf32> -> tensor<?x65xf32>
  return %y : tensor<?x65xf32>
}
