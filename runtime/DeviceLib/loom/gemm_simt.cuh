// loom/gemm_simt.cuh: the general GEMM fallback on CUDA cores (f32 FMA), for shapes and types the
// tensor-core families cannot take: f32 operands, K or N not a multiple of 8 (rows that are not
// 16-byte aligned), any M. Y[M,N] = epilogue(prologue(X[M,K] · W[N,K]^T)), f32 accumulate.
//
// Wrapper contract (what the CUDA emitter writes; Config = GemmSimtConfig<BM, BN, BK, TM, TN>;
// T = bf16, f16 or float; Prologue, Gating and the epilogue parts as in loom/epilogue.cuh):
//   extern "C" __global__ __launch_bounds__(Config::kThreads)
//   void fused_linear_3(const float *x, const float *w, <epilogue pointers>, float *y,
//                       int M, int N, int K) {
//     loom::gemmSimt<Config, float, loom::NoPrologue, loom::NoGating>(
//         x, w, M, N, K, loom::NoPrologue{}, loom::epi::makeEpilogue(y, N, <parts>...));
//   }
//   block = (Config::kThreads, 1, 1), grid = (ceil(M / BM) * ceil(N / BN), 1, 1), no dynamic
//   shared memory (the static tiles are (BM + G * BN) * BK floats, G = Gating::kWeightsPerOutput).
// Requirements: none on alignment or sizes beyond M, N, K >= 1 (element loads and stores only).
//
// graph.matmul (activation x activation, batched, or a [K, N] weight) calls matmulSimt, the same
// CTA body with the right operand in either layout (GemmSimtB) and one batch per grid z:
//   loom::matmulSimt<Config, T, loom::GemmSimtB::kKN>(a, b, y, M, N, K);
//   grid = (ceil(M / BM) * ceil(N / BN), 1, batches); batch z reads A + z*M*K, B + z*K*N (or
//   z*N*K) and writes Y + z*M*N (contiguous [batches, M, K] etc.; an unbatched weight is one
//   batch).
//
// How it works: a CTA owns a BM x BN output tile; each thread TM rows x TN columns of it (columns
// strided by BN / TN, so a warp reads consecutive shared columns). K is walked in BK steps: X and
// W tiles are loaded element by element (zeros past M, N, K), converted to f32 and stored
// transposed in shared memory, then every thread does TM * TN FMAs per k. The RMSNorm prologue
// sums x^2 of each tile row from the staged X tile (one thread per row) and scales the row's
// accumulators by rsqrt(mean + eps) before gating and the epilogue parts; results are stored one
// element at a time through the epilogue's parts.
#pragma once

#include "loom/epilogue.cuh"

namespace loom {

template <int BM_, int BN_, int BK_, int TM_, int TN_> struct GemmSimtConfig {
  static constexpr int BM = BM_, BN = BN_, BK = BK_, TM = TM_, TN = TN_;
  static constexpr int kThreadRows = BM / TM, kThreadCols = BN / TN;
  static constexpr int kThreads = kThreadRows * kThreadCols;
  static_assert(BM % TM == 0 && BN % TN == 0, "threads own whole TM x TN blocks");
  static_assert(kThreads >= BM && kThreads <= 1024, "one thread per tile row sums x^2");
};

/// Layout of the right operand: [N, K] rows (nn.Linear weight, Y = X·Wᵀ) or [K, N] rows
/// (graph.matmul, Y = A·B).
enum class GemmSimtB { kNK, kKN };

namespace gemm_simt_detail {

/// Stores one rounded output element (Out deduced from the epilogue's output pointer).
template <typename Out> __device__ __forceinline__ void storeElement(Out *at, float value) {
  *at = fromFloat<Out>(value);
}

} // namespace gemm_simt_detail

/// The CTA body of output tile blockIdx.x, the right operand in `kLayout`.
template <class Config, typename T, class Prologue, class Gating, GemmSimtB kLayout, class Epilogue>
__device__ __forceinline__ void gemmSimtTile(const T *__restrict__ x, const T *__restrict__ w, int M,
                                             int N, int K, const Prologue &prologue,
                                             const Epilogue &epilogue) {
  constexpr int BM = Config::BM, BN = Config::BN, BK = Config::BK, TM = Config::TM,
                TN = Config::TN, kThreads = Config::kThreads;
  constexpr int G = Gating::kWeightsPerOutput;
  __shared__ float xTile[BK][BM + 1];
  __shared__ float wTile[G][BK][BN + 1];
  __shared__ float rowSquares[BM];

  const int tilesN = (N + BN - 1) / BN;
  const int m0 = int(blockIdx.x) / tilesN * BM, n0 = int(blockIdx.x) % tilesN * BN;
  const int tid = int(threadIdx.x);
  const int threadRow = tid / Config::kThreadCols, threadCol = tid % Config::kThreadCols;

  float acc[G][TM][TN] = {};
  float squares = 0.0f; // thread `tid < BM`: sum of x^2 of tile row tid

  for (int k0 = 0; k0 < K; k0 += BK) {
    for (int index = tid; index < BM * BK; index += kThreads) {
      const int m = index / BK, k = index % BK;
      const bool valid = m0 + m < M && k0 + k < K;
      xTile[k][m] = valid ? toFloat(x[(long long)(m0 + m) * K + k0 + k]) : 0.0f;
    }
#pragma unroll
    for (int g = 0; g < G; ++g)
      for (int index = tid; index < BN * BK; index += kThreads) {
        // Consecutive threads read consecutive elements of a W row in either layout.
        const int n = kLayout == GemmSimtB::kNK ? index / BK : index % BN;
        const int k = kLayout == GemmSimtB::kNK ? index % BK : index / BN;
        const bool valid = n0 + n < N && k0 + k < K;
        const long long at = kLayout == GemmSimtB::kNK
                                 ? ((long long)g * N + n0 + n) * K + k0 + k
                                 : (long long)(k0 + k) * N + n0 + n;
        wTile[g][k][n] = valid ? toFloat(w[at]) : 0.0f;
      }
    __syncthreads();
    if constexpr (Prologue::kRowScale) {
      if (tid < BM)
#pragma unroll
        for (int k = 0; k < BK; ++k)
          squares += xTile[k][tid] * xTile[k][tid];
    }
#pragma unroll
    for (int k = 0; k < BK; ++k) {
      float a[TM], b[G][TN];
#pragma unroll
      for (int i = 0; i < TM; ++i)
        a[i] = xTile[k][threadRow * TM + i];
#pragma unroll
      for (int g = 0; g < G; ++g)
#pragma unroll
        for (int j = 0; j < TN; ++j)
          b[g][j] = wTile[g][k][threadCol + j * Config::kThreadCols];
#pragma unroll
      for (int g = 0; g < G; ++g)
#pragma unroll
        for (int i = 0; i < TM; ++i)
#pragma unroll
          for (int j = 0; j < TN; ++j)
            acc[g][i][j] = fmaf(a[i], b[g][j], acc[g][i][j]);
    }
    __syncthreads();
  }
  if constexpr (Prologue::kRowScale) {
    if (tid < BM)
      rowSquares[tid] = squares;
    __syncthreads();
  }

#pragma unroll
  for (int i = 0; i < TM; ++i) {
    const int localRow = threadRow * TM + i, row = m0 + localRow;
    if (row >= M)
      continue;
    float scale = 1.0f;
    if constexpr (Prologue::kRowScale)
      scale = rsqrtf(rowSquares[localRow] / float(K) + prologue.eps);
#pragma unroll
    for (int j = 0; j < TN; ++j) {
      const int col = n0 + threadCol + j * Config::kThreadCols;
      if (col >= N)
        continue;
      float value = acc[0][i][j] * scale;
      if constexpr (G == 2)
        value = Gating::combine(value, acc[G - 1][i][j] * scale);
      value = epilogue.parts(value, row, col);
      gemm_simt_detail::storeElement(
          epilogue.output.y + (long long)row * epilogue.output.rowStride + col, value);
    }
  }
}

/// The CTA body of Y = epilogue(prologue(X · Wᵀ)), W [N, K]; see the file comment.
template <class Config, typename T, class Prologue, class Gating, class Epilogue>
__device__ __forceinline__ void gemmSimt(const T *__restrict__ x, const T *__restrict__ w, int M,
                                         int N, int K, const Prologue &prologue,
                                         const Epilogue &epilogue) {
  gemmSimtTile<Config, T, Prologue, Gating, GemmSimtB::kNK>(x, w, M, N, K, prologue, epilogue);
}

/// The CTA body of batch blockIdx.z of Y = A · B (graph.matmul), B [K, N] or [N, K] per kLayout.
template <class Config, typename T, GemmSimtB kLayout>
__device__ __forceinline__ void matmulSimt(const T *__restrict__ a, const T *__restrict__ b,
                                           T *__restrict__ y, int M, int N, int K) {
  const long long batch = blockIdx.z;
  gemmSimtTile<Config, T, NoPrologue, NoGating, kLayout>(
      a + batch * M * K, b + batch * K * N, M, N, K, NoPrologue{},
      epi::makeEpilogue(y + batch * M * N, N));
}

} // namespace loom
