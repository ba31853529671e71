// loom/async_copy.cuh: cp.async 16-byte global->shared copies with zero-fill predication, commit
// and wait groups (sm_80+), and 16-byte streaming global loads. Inline PTX only.
#pragma once

namespace loom {

/// The 32-bit shared-memory address of a generic pointer into shared memory.
__device__ __forceinline__ unsigned sharedAddress(const void *pointer) {
  return static_cast<unsigned>(__cvta_generic_to_shared(pointer));
}

/// Copies 16 bytes from `global` to shared `sharedDst` asynchronously; when `valid` is false
/// nothing is read and the 16 bytes are zero-filled (src-size 0), so `global` may be any
/// mapped address (callers pass the tensor's base). Bypasses L1 (.cg).
__device__ __forceinline__ void copyAsync16(unsigned sharedDst, const void *global, bool valid) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(sharedDst), "l"(global),
               "r"(valid ? 16 : 0));
}

/// Closes the group of cp.async issued since the last commit.
__device__ __forceinline__ void copyAsyncCommit() { asm volatile("cp.async.commit_group;\n" ::); }

/// Waits until at most `PENDING` committed groups are still in flight (this thread's copies).
template <int PENDING> __device__ __forceinline__ void copyAsyncWait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(PENDING));
}

/// 16 bytes read once and not kept in L1 (weights streamed by the decode GEMV); returns zeros
/// without touching memory when `valid` is false.
__device__ __forceinline__ uint4 loadStreaming16(const void *global, bool valid) {
  uint4 value = make_uint4(0, 0, 0, 0);
  if (valid)
    asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(value.x), "=r"(value.y), "=r"(value.z), "=r"(value.w)
                 : "l"(global));
  return value;
}

/// 16 bytes through the caches (small operands re-read by many warps, e.g. activations).
__device__ __forceinline__ uint4 loadCached16(const void *global, bool valid) {
  uint4 value = make_uint4(0, 0, 0, 0);
  if (valid)
    value = *static_cast<const uint4 *>(global);
  return value;
}

} // namespace loom
