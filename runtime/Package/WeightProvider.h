// WeightProvider: where a package's weights come from (a checkpoint reader, random weights, a test).
#pragma once

#include "runtime/Package/Manifest.h"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace loom::rt {

/// A host tensor owned by the provider; valid until the provider is destroyed.
struct HostTensorView {
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  std::span<const std::byte> data;
};

class WeightProvider {
public:
  virtual ~WeightProvider() = default;
  /// The checkpoint tensor `name`; kNotFound when it has none.
  virtual StatusOr<HostTensorView> tensor(const std::string &name) = 0;
};

/// The bytes of weight `spec` in its dtype, built by evaluating its recipe over the provider's
/// tensors in f32 (concat, transpose, cast = round through a dtype, scale along an axis by a
/// vector), then converted. Errors name the weight and the mismatch.
StatusOr<std::vector<std::byte>> materializeWeight(const WeightSpec &spec, WeightProvider &provider);

} // namespace loom::rt
