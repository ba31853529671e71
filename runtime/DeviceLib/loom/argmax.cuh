// loom/argmax.cuh: index of the largest element of each row (lowest index on ties), rows up to 128k.
//
// Wrapper contract: `extern "C" __global__ __launch_bounds__(THREADS) void f(const T *x, int *out,
//   int rows, int cols)` calling argmax<T, kThreadsPerRow, kVec, kRowsPerCta>(x, out, rows, cols);
//   THREADS = kThreadsPerRow * kRowsPerCta, block = (THREADS, 1, 1),
//   grid = (ceil(rows / kRowsPerCta), 1, 1), no dynamic shared memory. x is contiguous
//   [rows, cols] (both dynamic), out is [rows] i32. A vocabulary row (e.g. 128256 wide) takes
//   kThreadsPerRow = 1024, kRowsPerCta = 1. Alignment: x aligned to min(16, kVec * sizeof(T))
//   bytes; cols % kVec != 0 takes the element-by-element path (correct, slower).
// Semantics as torch.argmax: NaN counts as the largest value (the first NaN wins); among equal
// values the lowest index wins; a row of -inf gives 0.
#pragma once

#include "loom/softmax.cuh"

namespace loom {

/// A candidate maximum: its value and its column.
struct ArgmaxCandidate {
  float value;
  int index;
};

__device__ __forceinline__ ArgmaxCandidate shuffleXor(ArgmaxCandidate candidate, int offset) {
  return {__shfl_xor_sync(0xffffffffu, candidate.value, offset),
          __shfl_xor_sync(0xffffffffu, candidate.index, offset)};
}

/// The better of two candidates: NaN first, then the larger value, then the lower index.
__device__ __forceinline__ ArgmaxCandidate better(ArgmaxCandidate a, ArgmaxCandidate b) {
  const bool aNan = a.value != a.value, bNan = b.value != b.value;
  bool takeB;
  if (aNan || bNan)
    takeB = bNan && (!aNan || b.index < a.index);
  else
    takeB = b.value > a.value || (b.value == a.value && b.index < a.index);
  return takeB ? b : a;
}

/// Visitor of forEachRowPacket: the best candidate of this thread's packets.
struct ArgmaxScan {
  ArgmaxCandidate best{__int_as_float(0xff800000), 0x7fffffff}; // -inf past every column

  template <int N> __device__ __forceinline__ void operator()(int offset, const float (&values)[N]) {
#pragma unroll
    for (int i = 0; i < N; ++i)
      best = better(best, {values[i], offset + i});
  }
};

template <typename T, int kThreadsPerRow, int kVec, int kRowsPerCta>
__device__ __forceinline__ void argmax(const T *x, int *out, int rows, int cols) {
  using Group = RowGroup<kThreadsPerRow, kRowsPerCta>;
  const long long row = Group::row();
  const bool active = row < rows;
  ArgmaxScan scan;
  if (active)
    forEachRowPacket<kThreadsPerRow, kVec>(x + row * cols, cols, Group::lane(), scan);
  ArgmaxCandidate best = scan.best;
  best = Group::reduce(best, [](ArgmaxCandidate a, ArgmaxCandidate b) { return better(a, b); });
  if (active && Group::lane() == 0)
    out[row] = best.index;
}

} // namespace loom
