// Where graph.weight gets its tensors: an interface, an in-memory map, and any model checkpoint.
#pragma once

#include "frontend/Reference/HostTensor.h"
#include "frontend/Models/WeightSource.h"

#include <map>
#include <string>
#include <string_view>

namespace loom::ref {

/// Provides model parameters by name (the name of `graph.weight "name"`).
class WeightSource {
public:
  virtual ~WeightSource() = default;
  /// The parameter `name` as a tensor of `type` and `shape` (the weight op's result type).
  /// kNotFound when absent; invalid-argument when its shape differs.
  virtual StatusOr<HostTensor> load(std::string_view name, ElementType type,
                                    const Shape &shape) = 0;
};

/// Parameters held in memory, converted (rounded) to the requested type on load.
class MapWeightSource : public WeightSource {
public:
  void add(std::string name, HostTensor tensor) { tensors_[std::move(name)] = std::move(tensor); }
  StatusOr<HostTensor> load(std::string_view name, ElementType type, const Shape &shape) override;

private:
  std::map<std::string, HostTensor, std::less<>> tensors_;
};

/// Parameters of any checkpoint the model builder reads (frontend/Models: safetensors, GGUF),
/// rounded to the requested type. `source` must outlive this object.
class CheckpointWeightSource : public WeightSource {
public:
  explicit CheckpointWeightSource(const models::WeightSource &source) : source_(source) {}
  StatusOr<HostTensor> load(std::string_view name, ElementType type, const Shape &shape) override;

private:
  const models::WeightSource &source_;
};

} // namespace loom::ref
