// The host paged KV pool: K and V, each [layers][blocks][blockSize][kvHeads][headDim].
#pragma once

#include "frontend/Reference/HostTensor.h"

#include <span>
#include <vector>

namespace loom::ref {

/// The parameters of `!graph.kv_cache<...>`.
struct KVCacheShape {
  int64_t layers = 0;
  int64_t blocks = 0;
  int64_t blockSize = 0;
  int64_t kvHeads = 0;
  int64_t headDim = 0;
  ElementType type = ElementType::kF32;

  int64_t numSlots() const { return blocks * blockSize; }
  bool operator==(const KVCacheShape &) const = default;
};

/// K and V pools in host memory, zero-initialized. Slot s is block s / blockSize, row
/// s % blockSize; values are stored rounded to the cache type.
class HostKVCache {
public:
  /// Fails for non-positive sizes or a non-float type.
  static StatusOr<HostKVCache> create(const KVCacheShape &shape);

  const KVCacheShape &shape() const { return shape_; }
  /// The headDim values of `head` at `slot` of `layer` (indices must be in range).
  std::span<float> key(int64_t layer, int64_t slot, int64_t head);
  std::span<const float> key(int64_t layer, int64_t slot, int64_t head) const;
  std::span<float> value(int64_t layer, int64_t slot, int64_t head);
  std::span<const float> value(int64_t layer, int64_t slot, int64_t head) const;

private:
  explicit HostKVCache(const KVCacheShape &shape);
  size_t offset(int64_t layer, int64_t slot, int64_t head) const;

  KVCacheShape shape_;
  std::vector<float> keys_;
  std::vector<float> values_;
};

/// graph.kv_append: row t of key/value [T, kvHeads·headDim] (the cache's type) goes to slot
/// slots[t] of `layer`. A slot outside the pool or a bad layer is an error and writes nothing.
Status kvAppend(HostKVCache &cache, int64_t layer, const HostTensor &key, const HostTensor &value,
                const HostTensor &slots);

} // namespace loom::ref
