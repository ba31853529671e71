// loom/softmax.cuh: softmax over the last dimension with f32 statistics, rows up to 128k wide.
//
// Wrapper contract: `extern "C" __global__ __launch_bounds__(THREADS) void f(const T *x, Out *out,
//   int rows, int cols)` calling softmax<T, Out, kThreadsPerRow, kVec, kRowsPerCta>(...);
//   THREADS = kThreadsPerRow * kRowsPerCta, block = (THREADS, 1, 1),
//   grid = (ceil(rows / kRowsPerCta), 1, 1), no dynamic shared memory. x and out are contiguous
//   [rows, cols]; both are dynamic. Vocabulary-wide rows take kThreadsPerRow = 1024, kRowsPerCta = 1;
//   short rows (attention scores, cols <= 1024) take a warp or less per row and several rows per CTA.
//   Alignment: x and out aligned to min(16, kVec * sizeof(element)) bytes. When cols % kVec != 0
//   the kernel still works: it takes its element-by-element path (uniform per launch, slower).
//
// How it works: pass 1 streams the row once keeping a per-thread online (max, sum of exp) pair;
// the pairs are combined over the row's threads (max first, then the sums rescaled to it). Pass 2
// reads the row again (from L2 for rows that fit, e.g. 128256 f32 = 501 KiB) and writes
// exp(x - max) / sum. A row that is entirely -inf gives NaN, as in PyTorch.
#pragma once

#include "loom/vec.cuh"

namespace loom {

/// Running max and sum of exp(x - max) of one thread's share of a row.
struct OnlineSoftmax {
  float max = __int_as_float(0xff800000); // -inf
  float sum = 0.0f;

  /// Visitor of forEachRowPacket: folds in one packet.
  template <int N> __device__ __forceinline__ void operator()(int, const float (&values)[N]) {
    float packetMax = values[0];
#pragma unroll
    for (int i = 1; i < N; ++i)
      packetMax = fmaxf(packetMax, values[i]);
    const float newMax = fmaxf(max, packetMax);
    if (newMax == __int_as_float(0xff800000))
      return; // everything so far is -inf: exp() of it is 0, and inf - inf would be NaN
    sum *= expf(max - newMax);
#pragma unroll
    for (int i = 0; i < N; ++i)
      sum += expf(values[i] - newMax);
    max = newMax;
  }
};

/// Writes exp(x - max) * inverseSum for each visited packet.
template <typename Out> struct SoftmaxWriter {
  Out *row;
  float rowMax, inverseSum;

  template <int N>
  __device__ __forceinline__ void operator()(int offset, const float (&values)[N]) const {
    float probabilities[N];
#pragma unroll
    for (int i = 0; i < N; ++i)
      probabilities[i] = expf(values[i] - rowMax) * inverseSum;
    storeFloats<N>(row + offset, probabilities);
  }
};

/// Calls visit(offset, values) for each kVec-packet of this lane's share of row [0, cols), with
/// packets strided by kThreadsPerRow; element by element when cols is not a multiple of kVec.
template <int kThreadsPerRow, int kVec, typename T, typename Visit>
__device__ __forceinline__ void forEachRowPacket(const T *row, int cols, int lane, Visit &visit) {
  if (cols % kVec == 0) {
    for (int offset = lane * kVec; offset < cols; offset += kThreadsPerRow * kVec) {
      float values[kVec];
      loadFloats<kVec>(row + offset, values);
      visit(offset, values);
    }
  } else {
    for (int offset = lane; offset < cols; offset += kThreadsPerRow) {
      float values[1];
      loadFloats<1>(row + offset, values);
      visit(offset, values);
    }
  }
}

template <typename T, typename Out, int kThreadsPerRow, int kVec, int kRowsPerCta>
__device__ __forceinline__ void softmax(const T *x, Out *out, int rows, int cols) {
  using Group = RowGroup<kThreadsPerRow, kRowsPerCta>;
  const long long row = Group::row();
  const bool active = row < rows;
  const int lane = Group::lane();
  const T *source = x + row * cols;
  OnlineSoftmax partial;
  if (active)
    forEachRowPacket<kThreadsPerRow, kVec>(source, cols, lane, partial);
  const float rowMax = Group::max(partial.max);
  const float rescaled = partial.sum == 0.0f ? 0.0f : partial.sum * expf(partial.max - rowMax);
  const float inverseSum = 1.0f / Group::sum(rescaled);
  if (!active)
    return;
  SoftmaxWriter<Out> writer{out + row * cols, rowMax, inverseSum};
  forEachRowPacket<kThreadsPerRow, kVec>(source, cols, lane, writer);
}

} // namespace loom
