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

} // namespace loom::sm90
