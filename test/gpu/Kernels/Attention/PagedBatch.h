// A random ragged batch over a paged KV pool (non-contiguous block tables, several layers, a
// spare block-table column) and its float64 reference attention, computed from the rounded
// inputs the GPU sees.
#pragma once

#include "AttentionKernels.h"
#include "test/gpu/GpuTestSupport.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

namespace loom::testing {

/// `value` rounded to `type` (round to nearest even).
inline float roundToType(AttentionType type, float value) {
  if (type == AttentionType::kBf16)
    return bf16ToFloat(bf16Bits(value));
  return float(static_cast<_Float16>(value));
}

/// The 16-bit encoding of already rounded values.
inline std::vector<uint16_t> encode16(AttentionType type, const std::vector<float> &values) {
  std::vector<uint16_t> bits(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (type == AttentionType::kBf16) {
      bits[i] = bf16Bits(values[i]);
    } else {
      const _Float16 half = static_cast<_Float16>(values[i]);
      std::memcpy(&bits[i], &half, 2);
    }
  }
  return bits;
}

inline std::vector<float> decode16(AttentionType type, const std::vector<uint16_t> &bits) {
  std::vector<float> values(bits.size());
  for (size_t i = 0; i < bits.size(); ++i) {
    if (type == AttentionType::kBf16) {
      values[i] = bf16ToFloat(bits[i]);
    } else {
      _Float16 half;
      std::memcpy(&half, &bits[i], 2);
      values[i] = float(half);
    }
  }
  return values;
}

/// `count` values uniform in [-scale, scale), rounded to `type` (splitmix64: fast for pools of
/// tens of millions of elements).
inline std::vector<float> randomRounded(AttentionType type, size_t count, uint64_t seed,
                                        float scale = 1.0f) {
  std::vector<float> values(count);
  uint64_t state = seed * 0x9e3779b97f4a7c15ull + 7;
  for (float &value : values) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    value = roundToType(type, scale * (2.0f * float(z >> 40) / 16777216.0f - 1.0f));
  }
  return values;
}

/// One step's attention inputs: sequence b has queries[b] query rows, the last of its
/// contexts[b] context tokens, which sit in the pools through its block-table row.
struct PagedBatch {
  AttentionShape shape;
  std::vector<int> queries, contexts;
  bool causal = true;
  int layers = 2, layer = 1;
  int qRowStride = 0; ///< elements between query rows (>= heads * headDim)
  int tokens = 0, blocksPerSeq = 0, cacheBlocks = 0;
  float scale = 0;
  std::vector<int> seqStarts, blockTables;
  std::vector<float> q, kPool, vPool; ///< rounded to shape.type

  int seqs() const { return int(queries.size()); }
  int queryRowOf(int seq, int index) const { return seqStarts[seq] + index; }

  /// Random Q (scaled by 2 so the softmax is not flat), K and V; blocks of all sequences are a
  /// random permutation of the pool, the table's spare column holds -1.
  static PagedBatch random(AttentionShape shape, std::vector<int> queries,
                           std::vector<int> contexts, uint64_t seed, int qRowStride = 0) {
    PagedBatch batch;
    batch.shape = shape;
    batch.queries = std::move(queries);
    batch.contexts = std::move(contexts);
    batch.qRowStride = qRowStride > 0 ? qRowStride : shape.heads * shape.headDim;
    batch.scale = 1.0f / std::sqrt(float(shape.headDim));
    batch.seqStarts.push_back(0);
    int usedBlocks = 0, widest = 0;
    for (int b = 0; b < batch.seqs(); ++b) {
      batch.seqStarts.push_back(batch.seqStarts.back() + batch.queries[b]);
      const int blocks = (batch.contexts[b] + shape.blockSize - 1) / shape.blockSize;
      usedBlocks += blocks;
      widest = std::max(widest, blocks);
    }
    batch.tokens = batch.seqStarts.back();
    batch.blocksPerSeq = widest + 1;
    batch.cacheBlocks = usedBlocks + 5;
    std::vector<int> order(batch.cacheBlocks);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937 generator{uint32_t(seed)};
    std::shuffle(order.begin(), order.end(), generator);
    batch.blockTables.assign(size_t(batch.seqs()) * batch.blocksPerSeq, -1);
    int next = 0;
    for (int b = 0; b < batch.seqs(); ++b)
      for (int i = 0; i * shape.blockSize < batch.contexts[b]; ++i)
        batch.blockTables[size_t(b) * batch.blocksPerSeq + i] = order[next++];
    const size_t poolElements = size_t(batch.layers) * batch.cacheBlocks * shape.blockSize *
                                shape.kvHeads * shape.headDim;
    batch.q = randomRounded(shape.type, size_t(batch.tokens) * batch.qRowStride, seed + 1, 2.0f);
    batch.kPool = randomRounded(shape.type, poolElements, seed + 2);
    batch.vPool = randomRounded(shape.type, poolElements, seed + 3);
    return batch;
  }

  /// Offset of (context token `position` of `seq`, KV head) in a pool.
  size_t poolOffset(int seq, int position, int kvHead) const {
    const int block = blockTables[size_t(seq) * blocksPerSeq + position / shape.blockSize];
    return ((((size_t(layer) * cacheBlocks + block) * shape.blockSize +
              position % shape.blockSize) *
             shape.kvHeads) +
            kvHead) *
           shape.headDim;
  }

  /// The float64 attention output of query `index` of `seq`, head `head`.
  std::vector<double> reference(int seq, int index, int head) const {
    const int D = shape.headDim, kvHead = head / (shape.heads / shape.kvHeads);
    const int context = contexts[seq];
    const int visible = causal ? context - queries[seq] + index + 1 : context;
    const float *query = &q[size_t(queryRowOf(seq, index)) * qRowStride + size_t(head) * D];
    std::vector<double> scores(std::max(visible, 0));
    double maximum = -INFINITY;
    for (int p = 0; p < visible; ++p) {
      const float *key = &kPool[poolOffset(seq, p, kvHead)];
      double dot = 0;
      for (int d = 0; d < D; ++d)
        dot += double(query[d]) * double(key[d]);
      scores[p] = dot * scale;
      maximum = std::max(maximum, scores[p]);
    }
    std::vector<double> out(D, 0.0);
    double sum = 0;
    for (int p = 0; p < visible; ++p) {
      const double weight = std::exp(scores[p] - maximum);
      sum += weight;
      const float *value = &vPool[poolOffset(seq, p, kvHead)];
      for (int d = 0; d < D; ++d)
        out[d] += weight * double(value[d]);
    }
    for (double &element : out)
      element = sum > 0 ? element / sum : 0.0;
    return out;
  }

  /// The query indices of `seq` worth checking: all of a short sequence; else both ends, both
  /// sides of tile boundaries and an even spread, about 40 rows.
  std::vector<int> checkedQueries(int seq, int tileRows) const {
    const int n = queries[seq];
    std::vector<int> rows;
    for (int i = 0; i < n; ++i) {
      const bool edge = i < 3 || i >= n - 3 || i % tileRows == 0 || i % tileRows == tileRows - 1;
      if (n <= 48 || edge || i % std::max(1, n / 24) == 0)
        rows.push_back(i);
    }
    return rows;
  }
};

/// Compares the checked rows of `got` ([tokens, heads * headDim]) with the reference: every
/// element within atol + rtol * |ref| (bf16 output: 3e-3 + 2^-8, f16: 5e-4 + 2^-10), the
/// relative L2 error below 8e-3 / 1.5e-3, and every row of the output finite (written).
inline ::testing::AssertionResult matchesReference(const PagedBatch &batch,
                                                   const std::vector<float> &got, int tileRows) {
  const bool bf16 = batch.shape.type == AttentionType::kBf16;
  const double atol = bf16 ? 3e-3 : 5e-4, rtol = bf16 ? 1.0 / 256 : 1.0 / 1024;
  const double maxRelativeL2 = bf16 ? 8e-3 : 1.5e-3;
  const int width = batch.shape.heads * batch.shape.headDim;
  for (size_t i = 0; i < got.size(); ++i)
    if (!std::isfinite(got[i]))
      return ::testing::AssertionFailure() << "element " << i << " (row " << i / width
                                           << ") is " << got[i] << ": not written or NaN";
  double errorSquares = 0, referenceSquares = 0;
  size_t bad = 0, checked = 0;
  std::string first;
  for (int b = 0; b < batch.seqs(); ++b)
    for (int index : batch.checkedQueries(b, tileRows))
      for (int head = 0; head < batch.shape.heads; ++head) {
        const std::vector<double> ref = batch.reference(b, index, head);
        const size_t row = size_t(batch.queryRowOf(b, index)) * width + size_t(head) *
                                                                            batch.shape.headDim;
        for (int d = 0; d < batch.shape.headDim; ++d) {
          const double error = std::fabs(double(got[row + d]) - ref[d]);
          errorSquares += error * error, referenceSquares += ref[d] * ref[d], ++checked;
          if (!(error <= atol + rtol * std::fabs(ref[d])) && ++bad <= 5)
            first += fmt::format("\n  seq {} query {} head {} d {}: got {} want {:.6f}", b, index,
                                 head, d, got[row + d], ref[d]);
        }
      }
  const double relativeL2 = std::sqrt(errorSquares / std::max(referenceSquares, 1e-300));
  if (bad == 0 && relativeL2 < maxRelativeL2)
    return ::testing::AssertionSuccess() << checked << " elements, relative L2 " << relativeL2;
  return ::testing::AssertionFailure() << bad << " of " << checked << " elements differ, relative L2 "
                                       << relativeL2 << first;
}

} // namespace loom::testing
