// SharedWeights: one set of checkpoint tensors served to both sides of a verification — the CPU
// interpreter (ref::WeightSource) and the package loader (rt::WeightProvider, whose recipes
// concatenate, transpose, reshape, cast or scale them as the compiled package asks).
#pragma once

#include "frontend/Reference/Interpreter/WeightSource.h"
#include "runtime/Package/WeightProvider.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <map>

namespace loom::verify {

class SharedWeights final : public ref::WeightSource, public rt::WeightProvider {
public:
  /// Adds (or replaces) checkpoint tensor `name`.
  void add(std::string name, ref::HostTensor tensor);

  /// Random values for every `graph.weight` of `function`, in its type and shape
  /// (RandomTensors.h: ±weightRange, never zero, seeded per name).
  static StatusOr<SharedWeights> random(mlir::func::FuncOp function, uint64_t seed);

  /// The reference side: the tensor, which must have exactly this type and shape.
  StatusOr<ref::HostTensor> load(std::string_view name, ref::ElementType type,
                                 const ref::Shape &shape) override;
  /// The package side: the same tensor as device storage bytes.
  StatusOr<rt::HostTensorView> tensor(const std::string &name) override;

  size_t size() const { return tensors_.size(); }

private:
  struct Entry {
    ref::HostTensor tensor;
    std::vector<std::byte> bytes;
  };
  std::map<std::string, Entry, std::less<>> tensors_;
};

/// The package dtype of a reference element type.
rt::DType packageDType(ref::ElementType type);

} // namespace loom::verify
