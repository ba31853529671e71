// Checks that a checkpoint holds every weight a built graph binds, with the shape it needs.
#pragma once

#include "frontend/Builder/WeightSpec.h"
#include "frontend/Models/WeightSource.h"

#include <vector>

namespace loom::models {

/// Ok when `source` has every weight of `needed` with its shape and a float element type;
/// otherwise kNotFound or kInvalidArgument naming the first bad weight (and how many more).
Status checkWeights(const std::vector<WeightSpec> &needed, const WeightSource &source);

} // namespace loom::models
