// loom/embedding.cuh: gather rows of a [vocab, kHidden] table by i32 ids, never reading out of bounds.
//
// Wrapper contract: `extern "C" __global__ __launch_bounds__(THREADS) void f(const T *table,
//   const int *ids, T *out, int rows, int vocab, int *error)` calling
//   embedding<T, kHidden, kThreadsPerRow, kVec, kRowsPerCta>(table, ids, out, rows, vocab, error);
//   THREADS = kThreadsPerRow * kRowsPerCta, block = (THREADS, 1, 1),
//   grid = (ceil(rows / kRowsPerCta), 1, 1), no shared memory. out is [rows, kHidden]; `rows`
//   is the dynamic id count, `vocab` the table's row count.
//   Alignment: kHidden % kVec == 0 (static_assert); table and out aligned to
//   min(16, kVec * sizeof(T)) bytes. kHidden a multiple of 8 takes kVec = 8 for bf16/f16.
// Bad ids: an id outside [0, vocab) gives a zero row and is counted in the error record
// `error` = EmbeddingError (4 ints, zeroed by the host; may be nullptr to skip it): the first
// bad id to take the count from 0 also writes its id, row and the vocabulary. The table is never
// read at such an id. The host reads the record after the step and reports the id (the
// package executor turns it into a Status); the kernel itself never traps.
// Rows move as raw packets (no conversion), so every storage type is copied bit-exactly.
#pragma once

#include "loom/vec.cuh"

namespace loom {

/// The error record of out-of-range ids, as the host reads it (int[4]).
struct EmbeddingError {
  int count; ///< bad ids seen since the host zeroed the record
  int id, row, vocab; ///< the first of them: its value, its row, the table's row count
};

template <typename T, int kHidden, int kThreadsPerRow, int kVec, int kRowsPerCta>
__device__ __forceinline__ void embedding(const T *table, const int *ids, T *out, int rows,
                                          int vocab, int *error) {
  using Group = RowGroup<kThreadsPerRow, kRowsPerCta>;
  using Slice = RowSlice<kHidden, kThreadsPerRow, kVec>;
  const long long row = Group::row();
  if (row >= rows)
    return;
  const int lane = Group::lane();
  const int id = ids[row];
  const bool inRange = id >= 0 && id < vocab;
  if (!inRange && lane == 0 && error != nullptr) {
    EmbeddingError *record = reinterpret_cast<EmbeddingError *>(error);
    if (atomicAdd(&record->count, 1) == 0) {
      record->id = id;
      record->row = int(row);
      record->vocab = vocab;
    }
  }
  const T *source = table + (long long)(inRange ? id : 0) * kHidden;
  T *destination = out + row * kHidden;
  // All loads first, then all stores: several 16-byte loads in flight per thread.
  RawPacket<kVec * int(sizeof(T))> packets[Slice::kPackets] = {}; // zeros unless loaded
#pragma unroll
  for (int p = 0; p < Slice::kPackets; ++p)
    if (inRange && Slice::has(lane, p))
      packets[p].load(source + Slice::offset(lane, p));
#pragma unroll
  for (int p = 0; p < Slice::kPackets; ++p)
    if (Slice::has(lane, p))
      packets[p].store(destination + Slice::offset(lane, p));
}

} // namespace loom
