// loom/wgmma.cuh: warpgroup MMA (wgmma.mma_async, sm_90a only) on bf16 operands in shared memory.
//
// A warpgroup (4 consecutive warps, first warp index divisible by 4) computes a 64xN f32 tile
// D += A[64x16] * B[Nx16]^T from two shared-memory matrix descriptors. Both operands are K-major
// tiles written by TMA with 128-byte swizzle: rows of 64 bf16 (128 B), 8-row atoms of 1024 B.
// Stepping k by 16 inside such a tile moves the descriptor start by 32 B; the hardware applies
// the swizzle to the address bits, so the tile base must be 1024-byte aligned.
//
// Accumulator layout of m64nN (thread t of the warpgroup, warp w = t / 32, lane l = t % 32):
// register d[i] holds row 16w + l/4 + 8*((i/2)%2), column 8*(i/4) + 2*(l%4) + i%2.
#pragma once

namespace loom::sm90 {

/// Bits 62-63 of a wgmma matrix descriptor: the shared-memory swizzle mode.
constexpr unsigned long long kWgmmaSwizzle128B = 1ull << 62;
/// Distance between consecutive 8-row atoms of a 128B-swizzled K-major tile.
constexpr unsigned kSwizzle128BAtomBytes = 1024;

/// Descriptor of a K-major, 128B-swizzled bf16 tile starting at shared address `address`:
/// start >> 4 in bits 0-13, leading byte offset (unused for swizzled K-major; 16 B) in 16-29,
/// stride byte offset (1024 B between 8-row atoms) in 32-45, swizzle mode in 62-63.
__device__ __forceinline__ unsigned long long wgmmaDescriptor128B(unsigned address) {
  return (static_cast<unsigned long long>((address & 0x3ffff) >> 4)) |
         (static_cast<unsigned long long>(16 >> 4) << 16) |
         (static_cast<unsigned long long>(kSwizzle128BAtomBytes >> 4) << 32) | kWgmmaSwizzle128B;
}

/// Orders earlier register writes of accumulators before the next wgmma reads them.
__device__ __forceinline__ void wgmmaFence() {
  asm volatile("wgmma.fence.sync.aligned;" ::: "memory");
}

/// Closes the group of wgmmas issued since the last commit.
__device__ __forceinline__ void wgmmaCommitGroup() {
  asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory");
}

/// Waits until at most `Pending` committed groups are still running.
template <int Pending> __device__ __forceinline__ void wgmmaWaitGroup() {
  asm volatile("wgmma.wait_group.sync.aligned %0;" ::"n"(Pending) : "memory");
}

/// Tells the compiler the accumulators may have changed (asynchronously written by wgmma), so it
/// neither reads them early nor moves them while an MMA is in flight.
template <int Count> __device__ __forceinline__ void wgmmaFenceOperands(float (&d)[Count]) {
#pragma unroll
  for (int i = 0; i < Count; ++i)
    asm volatile("" : "+f"(d[i])::"memory");
}

/// Raises (consumer) or lowers (producer) this warpgroup's register budget; needs a register cap
/// at kernel entry (__launch_bounds__(threads, 1)).
template <int Registers> __device__ __forceinline__ void warpgroupRegistersIncrease() {
  asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;" ::"n"(Registers));
}
template <int Registers> __device__ __forceinline__ void warpgroupRegistersDecrease() {
  asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;" ::"n"(Registers));
}

// Operand lists of the accumulator registers, shared by every N (string pieces concatenate).
#define LOOM_WGMMA_REGS_0_31 \
  "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, " \
  "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31"
#define LOOM_WGMMA_REGS_0_63 \
  "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, " \
  "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, " \
  "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, " \
  "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63"
#define LOOM_WGMMA_REGS_64_127 \
  "%64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, " \
  "%80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95, " \
  "%96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111, " \
  "%112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127"
#define LOOM_WGMMA_F8(d, i)                                                                   \
  "+f"(d[i + 0]), "+f"(d[i + 1]), "+f"(d[i + 2]), "+f"(d[i + 3]), "+f"(d[i + 4]),            \
      "+f"(d[i + 5]), "+f"(d[i + 6]), "+f"(d[i + 7])
#define LOOM_WGMMA_F64(d, i)                                                                  \
  LOOM_WGMMA_F8(d, i), LOOM_WGMMA_F8(d, i + 8), LOOM_WGMMA_F8(d, i + 16),                    \
      LOOM_WGMMA_F8(d, i + 24), LOOM_WGMMA_F8(d, i + 32), LOOM_WGMMA_F8(d, i + 40),          \
      LOOM_WGMMA_F8(d, i + 48), LOOM_WGMMA_F8(d, i + 56)

/// One m64nNk16 bf16 x bf16 -> f32 wgmma; `accumulate == 0` overwrites D instead of adding.
/// D may be a longer accumulator array: the wgmma uses its first N/2 registers (an m64nN tile is
/// the first N columns of a wider one, loom/gemm_sm90_skinny.cuh's narrow steps).
template <int N> struct WgmmaBf16;

/// Defines WgmmaBf16<N>; DESC_A, DESC_B, SCALE name the operands after the N/2 accumulators.
#define LOOM_WGMMA_BF16(N, REGS, DESC_A, DESC_B, SCALE, ...)                                  \
  template <> struct WgmmaBf16<N> {                                                          \
    template <int Count>                                                                     \
    static __device__ __forceinline__ void mma(float (&d)[Count], unsigned long long descA,  \
                                               unsigned long long descB, int accumulate) {  \
      static_assert(Count >= N / 2, "fewer accumulators than the wgmma writes");             \
      asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, " SCALE ", 0;\n"                        \
                   "wgmma.mma_async.sync.aligned.m64n" #N "k16.f32.bf16.bf16 {" REGS "}, "   \
                   DESC_A ", " DESC_B ", p, 1, 1, 0, 0;\n}\n"                                 \
                   : __VA_ARGS__                                                             \
                   : "l"(descA), "l"(descB), "r"(accumulate));                               \
    }                                                                                        \
  };

LOOM_WGMMA_BF16(64, LOOM_WGMMA_REGS_0_31, "%32", "%33", "%34", LOOM_WGMMA_F8(d, 0),
                LOOM_WGMMA_F8(d, 8), LOOM_WGMMA_F8(d, 16), LOOM_WGMMA_F8(d, 24))
LOOM_WGMMA_BF16(128, LOOM_WGMMA_REGS_0_63, "%64", "%65", "%66", LOOM_WGMMA_F64(d, 0))
LOOM_WGMMA_BF16(256, LOOM_WGMMA_REGS_0_63 ", " LOOM_WGMMA_REGS_64_127, "%128", "%129", "%130",
                LOOM_WGMMA_F64(d, 0), LOOM_WGMMA_F64(d, 64))

#undef LOOM_WGMMA_BF16
#undef LOOM_WGMMA_F64
#undef LOOM_WGMMA_F8
#undef LOOM_WGMMA_REGS_64_127
#undef LOOM_WGMMA_REGS_0_63
#undef LOOM_WGMMA_REGS_0_31

} // namespace loom::sm90
