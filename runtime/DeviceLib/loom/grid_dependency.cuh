// Programmatic dependent launch (sm_90 and up): a kernel launched with the runtime's
// `overlapPrevious` may start while the kernel before it still runs; it waits here before it
// touches global memory and lets the kernel after it be scheduled. No-ops below sm_90.
#pragma once

#ifdef LOOM_TIMELINE
#include "loom/timeline.cuh"
#endif

namespace loom {

/// Blocks until every kernel this one depends on has finished and its writes are visible.
__device__ __forceinline__ void wait_for_previous_grids() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
#ifdef LOOM_TIMELINE
  timeline_mark_wait(); // after the wait: it writes global memory
#endif
}

/// Lets the next kernel on the stream be scheduled (it still waits for this one to finish
/// before its own memory accesses).
__device__ __forceinline__ void allow_next_grid_launch() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" :::);
#endif
}

/// What every emitted kernel does first: wait for the previous kernel, then let the next one
/// be scheduled (its own wait keeps it from touching memory before this kernel finishes).
__device__ __forceinline__ void grid_dependency_sync() {
  wait_for_previous_grids();
  allow_next_grid_launch();
}

} // namespace loom
