// Timeline: when each CTA of an emitted kernel started, got past its grid-dependency wait and
// ended (%globaltimer, ns), compiled in only under LOOM_TIMELINE (runtime/CUDA/TimelineBuffer.h).
#pragma once

namespace loom {

/// One CTA of one launch. Host mirror: rt::TimelineRecord (same layout, 40 bytes).
struct TimelineRecord {
  unsigned kernel; ///< the module's id the host gave it (TimelineTarget::kernel)
  unsigned block;  ///< blockIdx, linearized x-fastest
  unsigned sm;     ///< %smid
  unsigned grid;   ///< CTAs in the launch
  unsigned long long entry, afterWait, exit; ///< ns; afterWait 0 when the CTA did not wait
};

/// Where a module's kernel writes its records; set by the host after the module is loaded.
/// Host mirror: rt::TimelineTarget.
struct TimelineTarget {
  TimelineRecord *records;       ///< capacity records; slots past it are counted, not written
  unsigned long long *afterWait; ///< per linear block index, the CTA's latest wait time
  unsigned *count;               ///< slots taken (one per CTA at its exit)
  unsigned capacity;
  unsigned afterWaitSlots;
  unsigned kernel;
  unsigned reserved;
};

} // namespace loom

#ifdef LOOM_TIMELINE

/// This module's target (unmangled: a global-namespace variable), null until the host sets it.
__device__ loom::TimelineTarget loom_timeline;

namespace loom {

__device__ __forceinline__ unsigned long long timeline_clock() {
  unsigned long long ns;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(ns));
  return ns;
}

__device__ __forceinline__ bool timeline_leader() {
  return threadIdx.x == 0 && threadIdx.y == 0 && threadIdx.z == 0;
}

__device__ __forceinline__ unsigned timeline_block() {
  return blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
}

/// Called right after griddepcontrol.wait (global memory is safe to touch from here on).
__device__ __forceinline__ void timeline_mark_wait() {
  if (!timeline_leader())
    return;
  unsigned long long now = timeline_clock();
  unsigned block = timeline_block();
  if (loom_timeline.afterWait && block < loom_timeline.afterWaitSlots)
    loom_timeline.afterWait[block] = now;
}

/// Declared first in the kernel's wrapper: the constructor reads the clock into a register (no
/// memory access before the wait); the destructor, when thread 0 leaves the wrapper, takes a
/// slot and writes the CTA's record. Thread 0's exit stands for the CTA's.
class TimelineScope {
public:
  __device__ __forceinline__ TimelineScope() : entry_(timeline_clock()) {}
  __device__ __forceinline__ ~TimelineScope() {
    if (!timeline_leader())
      return;
    unsigned long long exit = timeline_clock();
    TimelineTarget target = loom_timeline;
    if (!target.count)
      return;
    unsigned block = timeline_block();
    unsigned long long waited = block < target.afterWaitSlots ? target.afterWait[block] : 0ull;
    if (waited < entry_ || waited > exit)
      waited = 0; // a stale time from an earlier launch: this CTA did not wait
    unsigned sm;
    asm volatile("mov.u32 %0, %%smid;" : "=r"(sm));
    unsigned slot = atomicAdd(target.count, 1u);
    if (slot < target.capacity)
      target.records[slot] = {target.kernel, block,  sm,  gridDim.x * gridDim.y * gridDim.z,
                              entry_,        waited, exit};
  }

private:
  unsigned long long entry_;
};

} // namespace loom

#endif // LOOM_TIMELINE
