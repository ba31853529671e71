// ToolWeightProvider: loom-run's weights for a package — checkpoint tensors, or random ones
// (--random-weights) — each f32 tensor it makes held only while a weight recipe still reads it.
#pragma once

#include "frontend/Builder/WeightSpec.h"
#include "frontend/Models/WeightSource.h"
#include "runtime/Package/WeightProvider.h"
#include "runtime/Support/ThreadPool.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace loom::tools {

/// How it works: a checkpoint tensor stored as bf16, f16 or f32 is a view of the checkpoint's
/// bytes. Other tensors are made as f32 — random values (RandomWeights, generated in parallel on
/// the provider's pool into a buffer that is not zeroed first) or a GGUF tensor's dequantized
/// floats — and held by the provider. rt::uploadWeights copies each view into its own array
/// before it asks for the next tensor, so a view needs to outlive only that: the provider counts
/// how often the package's recipes read each tensor and frees a held tensor at the first call
/// after its last read (a 1B model's 5 GB of random f32 weights are never all in host memory).
/// A tensor asked for more often than counted is made again.
class ToolWeightProvider final : public rt::WeightProvider {
public:
  /// `checkpoint` null: random weights of the shapes in `shapes`. `recipes`: the package's
  /// weights, whose recipes say how often each tensor is read.
  ToolWeightProvider(const models::WeightSource *checkpoint, std::vector<WeightSpec> shapes,
                     const std::vector<rt::WeightSpec> &recipes);

  /// The view is valid until the next call (or the provider's end), see the class comment.
  StatusOr<rt::HostTensorView> tensor(const std::string &name) override;

  /// Bytes of the f32 tensors held now.
  size_t heldBytes() const;

private:
  struct HeldTensor {
    std::shared_ptr<const void> owner;
    rt::HostTensorView view;
  };
  StatusOr<rt::HostTensorView> make(const std::string &name);
  rt::HostTensorView hold(const std::string &name, std::shared_ptr<const void> owner,
                          std::vector<int64_t> shape, std::span<const float> values);
  /// Frees the held tensors no recipe reads again.
  void releaseRead();

  const models::WeightSource *checkpoint_;
  std::vector<WeightSpec> shapes_;
  std::map<std::string, int> readsLeft_; ///< per tensor, the recipe reads still to come
  std::map<std::string, HeldTensor> held_;
  ThreadPool pool_;
};

} // namespace loom::tools
