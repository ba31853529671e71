// Greedy-by-size best-fit arena placement of live intervals.
#include "compiler/Transforms/Graph/ArenaPlanner.h"

#include "llvm/ADT/STLExtras.h"

#include <limits>
#include <numeric>

namespace loom::graph {

int64_t alignTo(int64_t bytes, int64_t alignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

namespace {

/// Places the requests in `order`, each in the smallest gap between the placed buffers whose
/// live ranges overlap its own (or after them all).
ArenaPlan placeInOrder(llvm::ArrayRef<BufferRequest> requests, llvm::ArrayRef<size_t> order,
                       int64_t alignment) {
  ArenaPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> placed;
  for (size_t index : order) {
    const BufferRequest &request = requests[index];
    int64_t size = alignTo(request.bytes, alignment);
    std::vector<size_t> overlapping;
    for (size_t other : placed)
      if (requests[other].first <= request.last && request.first <= requests[other].last)
        overlapping.push_back(other);
    llvm::sort(overlapping, [&](size_t a, size_t b) { return plan.offsets[a] < plan.offsets[b]; });

    int64_t cursor = 0;
    int64_t bestOffset = -1, bestGap = std::numeric_limits<int64_t>::max();
    for (size_t other : overlapping) {
      int64_t gap = plan.offsets[other] - cursor;
      if (gap >= size && gap < bestGap) {
        bestGap = gap;
        bestOffset = cursor;
      }
      cursor = std::max(cursor, plan.offsets[other] + alignTo(requests[other].bytes, alignment));
    }
    plan.offsets[index] = bestOffset >= 0 ? bestOffset : cursor;
    plan.arenaBytes = std::max(plan.arenaBytes, plan.offsets[index] + size);
    placed.push_back(index);
  }
  return plan;
}

} // namespace

ArenaPlan planArena(llvm::ArrayRef<BufferRequest> requests, int64_t alignment) {
  std::vector<size_t> bySize(requests.size());
  std::iota(bySize.begin(), bySize.end(), 0);
  std::vector<size_t> inProgramOrder = bySize;
  std::stable_sort(bySize.begin(), bySize.end(), [&](size_t a, size_t b) {
    if (requests[a].bytes != requests[b].bytes)
      return requests[a].bytes > requests[b].bytes;
    return requests[a].first < requests[b].first;
  });
  std::stable_sort(inProgramOrder.begin(), inProgramOrder.end(),
                   [&](size_t a, size_t b) { return requests[a].first < requests[b].first; });
  // Largest first is usually tighter; program order wins on some chains (a Llama layer's
  // residual stream): keep the smaller arena, size order on ties.
  ArenaPlan largestFirst = placeInOrder(requests, bySize, alignment);
  ArenaPlan programOrder = placeInOrder(requests, inProgramOrder, alignment);
  return programOrder.arenaBytes < largestFirst.arenaBytes ? programOrder : largestFirst;
}

} // namespace loom::graph
