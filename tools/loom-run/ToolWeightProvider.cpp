// ToolWeightProvider: checkpoint views; random or dequantized f32 tensors, freed after last read.
#include "tools/loom-run/ToolWeightProvider.h"

#include "tools/loom-run/RandomWeights.h"

#include <fmt/format.h>

namespace loom::tools {

namespace {

/// Adds one to `reads` per checkpoint tensor `recipe` reads.
void countReads(const rt::WeightRecipe &recipe, std::map<std::string, int> &reads) {
  if (recipe.kind == rt::WeightRecipe::Kind::kTensor)
    ++reads[recipe.tensor];
  for (const rt::WeightRecipe &operand : recipe.of)
    countReads(operand, reads);
}

} // namespace

ToolWeightProvider::ToolWeightProvider(const models::WeightSource *checkpoint,
                                       std::vector<WeightSpec> shapes,
                                       const std::vector<rt::WeightSpec> &recipes)
    : checkpoint_(checkpoint), shapes_(std::move(shapes)) {
  for (const rt::WeightSpec &spec : recipes)
    countReads(spec.recipe, readsLeft_);
}

StatusOr<rt::HostTensorView> ToolWeightProvider::tensor(const std::string &name) {
  releaseRead();
  if (int &left = readsLeft_[name]; left > 0)
    --left;
  if (auto it = held_.find(name); it != held_.end())
    return it->second.view;
  return make(name);
}

size_t ToolWeightProvider::heldBytes() const {
  size_t bytes = 0;
  for (const auto &[name, tensor] : held_)
    bytes += tensor.view.data.size();
  return bytes;
}

void ToolWeightProvider::releaseRead() {
  std::erase_if(held_, [&](const auto &entry) { return readsLeft_[entry.first] == 0; });
}

StatusOr<rt::HostTensorView> ToolWeightProvider::make(const std::string &name) {
  if (!checkpoint_) {
    const WeightSpec *spec = findWeight(shapes_, name);
    if (!spec)
      return LOOM_ERROR(StatusCode::kNotFound, fmt::format("no weight named '{}'", name));
    size_t count = randomWeightCount(spec->shape);
    std::shared_ptr<float[]> values = std::make_unique_for_overwrite<float[]>(count);
    fillRandomWeightValues(name, spec->shape, std::span(values.get(), count), &pool_);
    return hold(name, values, spec->shape, std::span<const float>(values.get(), count));
  }
  LOOM_ASSIGN_OR_RETURN(models::WeightInfo info, checkpoint_->info(name));
  static const std::map<frontend::DType, rt::DType> kStored = {
      {frontend::DType::kBF16, rt::DType::kBF16},
      {frontend::DType::kF16, rt::DType::kF16},
      {frontend::DType::kF32, rt::DType::kF32}};
  // Stored bytes when the source has them; a GGUF's (dequantized) tensors come as floats.
  if (auto stored = kStored.find(info.dtype); stored != kStored.end())
    if (auto bytes = checkpoint_->bytes(name); bytes.isOk())
      return rt::HostTensorView{stored->second, info.shape, *bytes};
  LOOM_ASSIGN_OR_RETURN(std::vector<float> floats, checkpoint_->floats(name));
  auto values = std::make_shared<const std::vector<float>>(std::move(floats));
  return hold(name, values, info.shape, *values);
}

rt::HostTensorView ToolWeightProvider::hold(const std::string &name,
                                            std::shared_ptr<const void> owner,
                                            std::vector<int64_t> shape,
                                            std::span<const float> values) {
  rt::HostTensorView view{rt::DType::kF32, std::move(shape), std::as_bytes(values)};
  held_[name] = HeldTensor{std::move(owner), view};
  return view;
}

} // namespace loom::tools
