// Random weights: a counter-based generator (SplitMix64 of name hash + index), in chunks.
#include "tools/loom-run/RandomWeights.h"
#include "runtime/Support/Hash.h"

#include <algorithm>
#include <cmath>
#include <future>

namespace loom::tools {

namespace {

constexpr size_t kChunkValues = size_t{1} << 20;

/// A name hash that is the same in every build (std::hash is not specified).
uint64_t nameSeed(std::string_view name) { return fnv1a64(name.data(), name.size()); }

/// Uniform in [-1, 1): the top 24 bits of the mixed counter.
float uniformAt(uint64_t seed, uint64_t index) {
  uint64_t bits = splitMix64Mix(seed + index * 0x9e3779b97f4a7c15ull);
  return static_cast<float>(bits >> 40) * (2.0f / 16777216.0f) - 1.0f;
}

/// Fills values[begin, end) as `offset + scale * U(-1, 1)`.
void fillRange(std::span<float> values, uint64_t seed, size_t begin, size_t end, float offset,
               float scale) {
  for (size_t i = begin; i < end; ++i)
    values[i] = offset + scale * uniformAt(seed, i);
}

} // namespace

size_t randomWeightCount(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t extent : shape)
    count *= std::max<int64_t>(extent, 0);
  return static_cast<size_t>(count);
}

void fillRandomWeightValues(std::string_view name, const std::vector<int64_t> &shape,
                            std::span<float> out, ThreadPool *pool) {
  bool vector = shape.size() == 1;
  float offset = vector ? 1.0f : 0.0f;
  float scale = vector ? 0.1f
                       : 1.0f / std::sqrt(static_cast<float>(
                                    std::max<int64_t>(shape.empty() ? 1 : shape.back(), 1)));
  uint64_t seed = nameSeed(name);
  if (!pool || out.size() <= kChunkValues) {
    fillRange(out, seed, 0, out.size(), offset, scale);
    return;
  }
  std::vector<std::future<void>> chunks;
  for (size_t begin = 0; begin < out.size(); begin += kChunkValues) {
    size_t end = std::min(out.size(), begin + kChunkValues);
    chunks.push_back(
        pool->submit([&, begin, end] { fillRange(out, seed, begin, end, offset, scale); }));
  }
  for (std::future<void> &chunk : chunks)
    chunk.get();
}

std::vector<float> randomWeightValues(std::string_view name, const std::vector<int64_t> &shape,
                                      ThreadPool *pool) {
  std::vector<float> values(randomWeightCount(shape));
  fillRandomWeightValues(name, shape, values, pool);
  return values;
}

const WeightSpec *findWeight(const std::vector<WeightSpec> &weights, std::string_view name) {
  auto it = std::find_if(weights.begin(), weights.end(),
                         [&](const WeightSpec &spec) { return spec.name == name; });
  return it == weights.end() ? nullptr : &*it;
}

} // namespace loom::tools
