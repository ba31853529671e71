// loom/mbarrier.cuh: shared-memory mbarriers (sm_90) that order TMA loads and their consumers.
//
// A pipeline stage has a "full" barrier (the producer arrives once with the byte count it expects;
// TMA completes the transaction) and an "empty" barrier (each consumer arrives once when it has
// finished reading). Waiters track the phase parity: it flips each time a barrier completes.
#pragma once

namespace loom::sm90 {

/// The 32-bit shared-window address of a shared-memory object, as PTX operands want it.
__device__ __forceinline__ unsigned sharedAddress(const void *pointer) {
  return static_cast<unsigned>(__cvta_generic_to_shared(pointer));
}

/// Sets the barrier at `barrier` (shared address) to expect `arrivals` arrivals per phase.
__device__ __forceinline__ void mbarrierInit(unsigned barrier, unsigned arrivals) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(barrier), "r"(arrivals)
               : "memory");
}

/// Makes initialised barriers visible to the async proxy (TMA) and to the whole cluster.
__device__ __forceinline__ void mbarrierInitFence() {
  asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
}

/// One arrival that also announces `bytes` of TMA transactions completing on this phase.
__device__ __forceinline__ void mbarrierArriveExpectBytes(unsigned barrier, unsigned bytes) {
  asm volatile("mbarrier.arrive.expect_tx.release.cta.shared::cta.b64 _, [%0], %1;" ::"r"(barrier),
               "r"(bytes)
               : "memory");
}

/// One plain arrival (release semantics: earlier reads of the stage happen before it).
__device__ __forceinline__ void mbarrierArrive(unsigned barrier) {
  asm volatile("mbarrier.arrive.release.cta.shared::cta.b64 _, [%0];" ::"r"(barrier) : "memory");
}

/// Blocks until the phase of parity `parity` has completed (acquire semantics).
__device__ __forceinline__ void mbarrierWait(unsigned barrier, unsigned parity) {
  unsigned done = 0;
  do {
    asm volatile("{\n.reg .pred ready;\n"
                 "mbarrier.try_wait.parity.acquire.cta.shared::cta.b64 ready, [%1], %2;\n"
                 "selp.u32 %0, 1, 0, ready;\n}\n"
                 : "=r"(done)
                 : "r"(barrier), "r"(parity)
                 : "memory");
  } while (!done);
}

/// This CTA's rank in its cluster (0 without clusters).
__device__ __forceinline__ unsigned clusterCtaRank() {
  unsigned rank;
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(rank));
  return rank;
}

/// One plain arrival on the barrier at the same offset in cluster CTA `rank`. Default (CTA-scope)
/// release, as for a local stage release: `.release.cluster` compiles to MEMBAR.ALL.GPU before
/// every arrival, which halved the GEMM's speed (docs/perf-wgmma.md, run 3).
__device__ __forceinline__ void mbarrierArriveInCta(unsigned barrier, unsigned rank) {
  asm volatile("{\n.reg .b32 remote;\n"
               "mapa.shared::cluster.u32 remote, %0, %1;\n"
               "mbarrier.arrive.shared::cluster.b64 _, [remote];\n}\n" ::"r"(barrier),
               "r"(rank)
               : "memory");
}

/// Every thread of every CTA in the cluster meets here (cluster-wide barrier.sync).
__device__ __forceinline__ void clusterSync() {
  asm volatile("barrier.cluster.arrive.release;\nbarrier.cluster.wait.acquire;" ::: "memory");
}

} // namespace loom::sm90
