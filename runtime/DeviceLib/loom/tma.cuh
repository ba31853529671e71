// loom/tma.cuh: TMA (cp.async.bulk.tensor) tile loads from a host-encoded tensor map (sm_90).
//
// The host builds the descriptor with runtime/CUDA/TensorMap (cuTensorMapEncodeTiled) and passes
// it by value as a `const __grid_constant__ loom::sm90::TmaDescriptor` kernel parameter, so the
// copy engine reads it from parameter memory. Out-of-bounds box elements are filled with zeros
// and still count towards the transaction bytes.
#pragma once

namespace loom::sm90 {

/// The opaque 128-byte CUtensorMap (NVRTC kernels cannot include cuda.h); 64-byte aligned.
struct alignas(64) TmaDescriptor {
  unsigned long long words[16];
};

/// Pulls the descriptor into the descriptor cache before its first use.
__device__ __forceinline__ void tmaPrefetchDescriptor(const TmaDescriptor &descriptor) {
  asm volatile("prefetch.tensormap [%0];" ::"l"(reinterpret_cast<unsigned long long>(&descriptor))
               : "memory");
}

/// Copies the box at element coordinates (inner, outer) of a 2-D tensor map into shared memory at
/// `destination` (shared address, aligned as the swizzle needs: 1024 B for 128B swizzle) and
/// completes the bytes on `barrier`.
__device__ __forceinline__ void tmaLoad2d(unsigned destination, const TmaDescriptor &descriptor,
                                          int inner, int outer, unsigned barrier) {
  asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes"
               " [%0], [%1, {%2, %3}], [%4];" ::"r"(destination),
               "l"(reinterpret_cast<unsigned long long>(&descriptor)), "r"(inner), "r"(outer),
               "r"(barrier)
               : "memory");
}

/// tmaLoad2d into the same shared offset of every cluster CTA whose bit is set in `ctaMask`; the
/// bytes complete on the barrier at `barrier`'s offset in each of them.
__device__ __forceinline__ void tmaLoad2dMulticast(unsigned destination,
                                                   const TmaDescriptor &descriptor, int inner,
                                                   int outer, unsigned barrier,
                                                   unsigned short ctaMask) {
  asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes"
               ".multicast::cluster [%0], [%1, {%2, %3}], [%4], %5;" ::"r"(destination),
               "l"(reinterpret_cast<unsigned long long>(&descriptor)), "r"(inner), "r"(outer),
               "r"(barrier), "h"(ctaMask)
               : "memory");
}

} // namespace loom::sm90
