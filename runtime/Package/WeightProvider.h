// WeightProvider: where a package's weights come from (a checkpoint reader, random weights, a test),
// and how they are built from it and uploaded.
#pragma once

#include "runtime/CUDA/DeviceAllocator.h"
#include "runtime/Package/Manifest.h"
#include "runtime/Support/ThreadPool.h"

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace loom::rt {

class Context;

/// A host tensor owned by the provider; valid until the provider's next `tensor()` call
/// (`materializeWeight` and `uploadWeights` copy each view before asking for the next).
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

/// How materialization splits its elementwise work (conversions, copies, scaling). Every
/// value is computed by the same expression whatever the split, so the bytes never depend on it.
struct MaterializeOptions {
  ThreadPool *pool = nullptr;           ///< chunks run here when given; serially otherwise
  size_t chunkValues = size_t{1} << 20; ///< values per chunk
};

/// The bytes of weight `spec` in its dtype, built by evaluating its recipe over the provider's
/// tensors in f32 (concat, transpose, reshape, cast = round through a dtype, scale along an axis by a
/// vector), then converted. Errors name the weight and the mismatch. The provider is called
/// from the calling thread only.
StatusOr<std::vector<std::byte>> materializeWeight(const WeightSpec &spec, WeightProvider &provider,
                                                   const MaterializeOptions &options = {});

/// Materializes every weight of `specs` (in order, each with `options`) and uploads it into a
/// fresh buffer from `allocator`: the dtype conversion writes straight into page-locked staging
/// buffers whose copies run asynchronously on a stream of their own, so converting the next part
/// overlaps copying the last; one synchronization at the end. Same bytes as materializeWeight.
StatusOr<std::map<std::string, DeviceBuffer, std::less<>>>
uploadWeights(const Context &context, const std::vector<WeightSpec> &specs, WeightProvider &provider,
              DeviceAllocator &allocator, const MaterializeOptions &options = {});

} // namespace loom::rt
