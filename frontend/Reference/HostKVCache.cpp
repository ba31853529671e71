// The host paged KV pool and kv_append.
#include "frontend/Reference/HostKVCache.h"

#include "frontend/Reference/TensorChecks.h"

#include <fmt/format.h>

#include <algorithm>

namespace loom::ref {

HostKVCache::HostKVCache(const KVCacheShape &shape)
    : shape_(shape),
      keys_(static_cast<size_t>(shape.layers * shape.numSlots() * shape.kvHeads * shape.headDim)),
      values_(keys_.size()) {}

StatusOr<HostKVCache> HostKVCache::create(const KVCacheShape &shape) {
  if (shape.layers <= 0 || shape.blocks <= 0 || shape.blockSize <= 0 || shape.kvHeads <= 0 ||
      shape.headDim <= 0 || !isFloatType(shape.type))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("kv cache needs positive sizes and a float type, got layers={} "
                                  "blocks={} blockSize={} kvHeads={} headDim={} type={}",
                                  shape.layers, shape.blocks, shape.blockSize, shape.kvHeads,
                                  shape.headDim, elementTypeName(shape.type)));
  return HostKVCache(shape);
}

size_t HostKVCache::offset(int64_t layer, int64_t slot, int64_t head) const {
  return static_cast<size_t>(((layer * shape_.numSlots() + slot) * shape_.kvHeads + head) *
                             shape_.headDim);
}

std::span<float> HostKVCache::key(int64_t layer, int64_t slot, int64_t head) {
  return std::span<float>(keys_).subspan(offset(layer, slot, head), shape_.headDim);
}
std::span<const float> HostKVCache::key(int64_t layer, int64_t slot, int64_t head) const {
  return std::span<const float>(keys_).subspan(offset(layer, slot, head), shape_.headDim);
}
std::span<float> HostKVCache::value(int64_t layer, int64_t slot, int64_t head) {
  return std::span<float>(values_).subspan(offset(layer, slot, head), shape_.headDim);
}
std::span<const float> HostKVCache::value(int64_t layer, int64_t slot, int64_t head) const {
  return std::span<const float>(values_).subspan(offset(layer, slot, head), shape_.headDim);
}

Status kvAppend(HostKVCache &cache, int64_t layer, const HostTensor &key, const HostTensor &value,
                const HostTensor &slots) {
  const KVCacheShape &shape = cache.shape();
  if (layer < 0 || layer >= shape.layers)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("kv_append layer {} is outside the cache's {} layers", layer,
                                  shape.layers));
  LOOM_RETURN_IF_ERROR(expectRank(key, 2, "kv_append key"));
  LOOM_RETURN_IF_ERROR(expectSameType(key, value, "kv_append key and value"));
  if (key.type() != shape.type || key.dim(1) != shape.kvHeads * shape.headDim)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("kv_append key {} must be [tokens, {}] of the cache type {}",
                                  key.typeString(), shape.kvHeads * shape.headDim,
                                  elementTypeName(shape.type)));
  LOOM_RETURN_IF_ERROR(expectIndex(slots, "kv_append slots"));
  LOOM_RETURN_IF_ERROR(expectVector(slots, key.dim(0), "kv_append slots"));
  for (int64_t t = 0; t < key.dim(0); ++t)
    if (slots.ints()[t] < 0 || slots.ints()[t] >= shape.numSlots())
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("kv_append slot {} (row {}) is outside the {} slots",
                                    slots.ints()[t], t, shape.numSlots()));
  for (int64_t t = 0; t < key.dim(0); ++t) {
    int64_t slot = slots.ints()[t];
    for (int64_t head = 0; head < shape.kvHeads; ++head) {
      std::ranges::copy(key.row(t).subspan(head * shape.headDim, shape.headDim),
                        cache.key(layer, slot, head).begin());
      std::ranges::copy(value.row(t).subspan(head * shape.headDim, shape.headDim),
                        cache.value(layer, slot, head).begin());
    }
  }
  return Status::ok();
}

} // namespace loom::ref
