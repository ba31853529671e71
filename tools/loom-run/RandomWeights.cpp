// Random weights: a name-seeded generator per tensor.
#include "tools/loom-run/RandomWeights.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

namespace loom::tools {

std::vector<float> randomWeightValues(std::string_view name, const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t extent : shape)
    count *= std::max<int64_t>(extent, 0);
  std::mt19937_64 rng(std::hash<std::string_view>{}(name));
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(static_cast<size_t>(count));
  if (shape.size() == 1) {
    for (float &v : values)
      v = 1.0f + 0.1f * uniform(rng);
    return values;
  }
  float scale = 1.0f / std::sqrt(static_cast<float>(std::max<int64_t>(shape.back(), 1)));
  for (float &v : values)
    v = scale * uniform(rng);
  return values;
}

const WeightSpec *findWeight(const std::vector<WeightSpec> &weights, std::string_view name) {
  auto it = std::find_if(weights.begin(), weights.end(),
                         [&](const WeightSpec &spec) { return spec.name == name; });
  return it == weights.end() ? nullptr : &*it;
}

} // namespace loom::tools
