// Seeded random inputs and weights.
#include "frontend/Verify/RandomTensors.h"

#include <cmath>
#include <random>

namespace loom::verify {

ref::HostTensor randomFloatTensor(ref::ElementType type, const ref::Shape &shape, double range,
                                  uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::uniform_real_distribution<double> uniform(-range, range);
  ref::HostTensor tensor = ref::HostTensor::zeros(type, shape);
  for (float &value : tensor.floats())
    do
      value = ref::roundToElementType(static_cast<float>(uniform(generator)), type);
    while (value == 0.0f);
  return tensor;
}

ref::HostTensor randomIndexTensor(ref::ElementType type, const ref::Shape &shape, int64_t bound,
                                  uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::uniform_int_distribution<int64_t> uniform(0, std::max<int64_t>(bound, 1) - 1);
  ref::HostTensor tensor = ref::HostTensor::zeros(type, shape);
  for (int64_t &value : tensor.ints())
    value = uniform(generator);
  return tensor;
}

double weightRange(const ref::Shape &shape) {
  if (shape.size() < 2 || shape.back() <= 0)
    return 1.0;
  return 1.0 / std::sqrt(static_cast<double>(shape.back()));
}

uint64_t tensorSeed(uint64_t seed, std::string_view name) {
  uint64_t hash = 0xcbf29ce484222325ull ^ seed; // FNV-1a over the name, keyed by the seed
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

} // namespace loom::verify
