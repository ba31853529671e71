// Large timing kernel for tools/gpu-check.sh: a bf16 tensor-core GEMM (mma.sync m16n8k16,
// f32 accumulation) instantiated for six tile shapes, C[M,N] = A[M,K] * B[N,K]^T.
// Assumes M, N, K are multiples of the tile; it exists to measure compile and cache times.
#include "loom/types.cuh"

namespace {

__device__ __forceinline__ void mma_bf16_16x8x16(float (&d)[4], const unsigned (&a)[4],
                                                 const unsigned (&b)[2]) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
               "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
               : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

template <int BM, int BN, int BK, int WM, int WN>
__device__ __forceinline__ void gemm_tile(const loom::bf16 *__restrict__ A,
                                          const loom::bf16 *__restrict__ B,
                                          float *__restrict__ C, int M, int N, int K) {
  constexpr int kWarpsN = BN / WN;
  constexpr int kThreads = (BM / WM) * kWarpsN * 32;
  constexpr int kPad = 8;
  constexpr int kTilesM = WM / 16, kTilesN = WN / 8;
  __shared__ unsigned short As[BM][BK + kPad];
  __shared__ unsigned short Bs[BN][BK + kPad];

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int warpRow = (warp / kWarpsN) * WM, warpCol = (warp % kWarpsN) * WN;
  const int group = lane / 4, quad = lane % 4;
  const int blockRow = blockIdx.y * BM, blockCol = blockIdx.x * BN;

  float acc[kTilesM][kTilesN][4];
#pragma unroll
  for (int i = 0; i < kTilesM; ++i)
#pragma unroll
    for (int j = 0; j < kTilesN; ++j)
#pragma unroll
      for (int r = 0; r < 4; ++r)
        acc[i][j][r] = 0.0f;

  for (int k0 = 0; k0 < K; k0 += BK) {
#pragma unroll
    for (int index = threadIdx.x; index < BM * BK / 2; index += kThreads) {
      int row = index / (BK / 2), col = (index % (BK / 2)) * 2;
      *reinterpret_cast<unsigned *>(&As[row][col]) =
          *reinterpret_cast<const unsigned *>(&A[(size_t)(blockRow + row) * K + k0 + col]);
    }
#pragma unroll
    for (int index = threadIdx.x; index < BN * BK / 2; index += kThreads) {
      int row = index / (BK / 2), col = (index % (BK / 2)) * 2;
      *reinterpret_cast<unsigned *>(&Bs[row][col]) =
          *reinterpret_cast<const unsigned *>(&B[(size_t)(blockCol + row) * K + k0 + col]);
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < BK; kk += 16) {
      unsigned a[kTilesM][4], b[kTilesN][2];
#pragma unroll
      for (int i = 0; i < kTilesM; ++i) {
        int row = warpRow + i * 16 + group, col = kk + quad * 2;
        a[i][0] = *reinterpret_cast<const unsigned *>(&As[row][col]);
        a[i][1] = *reinterpret_cast<const unsigned *>(&As[row + 8][col]);
        a[i][2] = *reinterpret_cast<const unsigned *>(&As[row][col + 8]);
        a[i][3] = *reinterpret_cast<const unsigned *>(&As[row + 8][col + 8]);
      }
#pragma unroll
      for (int j = 0; j < kTilesN; ++j) {
        int row = warpCol + j * 8 + group, col = kk + quad * 2;
        b[j][0] = *reinterpret_cast<const unsigned *>(&Bs[row][col]);
        b[j][1] = *reinterpret_cast<const unsigned *>(&Bs[row][col + 8]);
      }
#pragma unroll
      for (int i = 0; i < kTilesM; ++i)
#pragma unroll
        for (int j = 0; j < kTilesN; ++j)
          mma_bf16_16x8x16(acc[i][j], a[i], b[j]);
    }
    __syncthreads();
  }

#pragma unroll
  for (int i = 0; i < kTilesM; ++i)
#pragma unroll
    for (int j = 0; j < kTilesN; ++j) {
      int row = blockRow + warpRow + i * 16 + group;
      int col = blockCol + warpCol + j * 8 + quad * 2;
      if (row < M && col + 1 < N) {
        C[(size_t)row * N + col] = acc[i][j][0];
        C[(size_t)row * N + col + 1] = acc[i][j][1];
      }
      if (row + 8 < M && col + 1 < N) {
        C[(size_t)(row + 8) * N + col] = acc[i][j][2];
        C[(size_t)(row + 8) * N + col + 1] = acc[i][j][3];
      }
    }
}

} // namespace

#define LOOM_GEMM_VARIANT(BM, BN, BK, WM, WN)                                              \
  extern "C" __global__ void __launch_bounds__((BM / WM) * (BN / WN) * 32)                 \
      gemm_bf16_##BM##x##BN##x##BK(const loom::bf16 *A, const loom::bf16 *B, float *C,     \
                                   int M, int N, int K) {                                  \
    gemm_tile<BM, BN, BK, WM, WN>(A, B, C, M, N, K);                                       \
  }

LOOM_GEMM_VARIANT(128, 128, 32, 64, 32)
LOOM_GEMM_VARIANT(128, 64, 32, 64, 32)
LOOM_GEMM_VARIANT(64, 128, 32, 32, 64)
LOOM_GEMM_VARIANT(64, 64, 64, 32, 32)
LOOM_GEMM_VARIANT(256, 128, 32, 64, 64)
LOOM_GEMM_VARIANT(128, 256, 32, 64, 64)
