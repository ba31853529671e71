// Best-fit placement of buffers with live ranges in one arena (greedy by size, as TFLite's planner).
#pragma once

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace loom::graph {

/// A buffer to place: its size and the inclusive range of op positions where it is live.
struct BufferRequest {
  int64_t bytes;
  int64_t first;
  int64_t last;
};

/// Offsets in request order and the arena size.
struct ArenaPlan {
  std::vector<int64_t> offsets;
  int64_t arenaBytes = 0;
};

/// Rounds `bytes` up to a multiple of `alignment` (a power of two or any positive number).
int64_t alignTo(int64_t bytes, int64_t alignment);

/// Places buffers one by one, each in the smallest gap left by the placed buffers whose live
/// ranges overlap its own (or after them all), in two orders — largest first (TFLite's
/// greedy-by-size) and program order — and keeps the smaller arena; offsets and sizes aligned.
ArenaPlan planArena(llvm::ArrayRef<BufferRequest> requests, int64_t alignment);

} // namespace loom::graph
