// WeightSpec: a parameter a built graph binds by name, with the shape and element type it expects.
#pragma once

#include "frontend/Builder/DType.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// One `graph.weight` of a built function: the checkpoint tensor name, its shape and the element
/// type the graph computes in (a loader converts from the checkpoint's type).
struct WeightSpec {
  std::string name;
  std::vector<int64_t> shape;
  DType dtype = DType::f32;

  bool operator==(const WeightSpec &) const = default;
};

} // namespace loom
