// One set of random checkpoint tensors for the interpreter and the package loader.
#include "frontend/Verify/SharedWeights.h"

#include "dialects/Graph/IR/GraphOps.h"
#include "frontend/Reference/Interpreter/MlirTypes.h"
#include "frontend/Reference/StorageBytes.h"
#include "frontend/Verify/RandomTensors.h"

#include <fmt/format.h>

namespace loom::verify {

rt::DType packageDType(ref::ElementType type) {
  static constexpr std::pair<ref::ElementType, rt::DType> kTable[] = {
      {ref::ElementType::kBF16, rt::DType::kBF16}, {ref::ElementType::kF16, rt::DType::kF16},
      {ref::ElementType::kF32, rt::DType::kF32},   {ref::ElementType::kI32, rt::DType::kI32},
      {ref::ElementType::kI64, rt::DType::kI64}};
  for (auto [from, to] : kTable)
    if (from == type)
      return to;
  return rt::DType::kF32;
}

void SharedWeights::add(std::string name, ref::HostTensor tensor) {
  std::vector<std::byte> bytes = ref::toStorageBytes(tensor);
  tensors_[std::move(name)] = Entry{std::move(tensor), std::move(bytes)};
}

StatusOr<SharedWeights> SharedWeights::random(mlir::func::FuncOp function, uint64_t seed) {
  SharedWeights weights;
  Status status;
  function.walk([&](graph::WeightOp weight) {
    std::string name = weight.getName().str();
    auto type = weight.getResult().getType();
    StatusOr<ref::ElementType> element = ref::elementTypeOf(type.getElementType());
    if (!element.isOk()) {
      status = element.status().withContext("weight " + name);
      return mlir::WalkResult::interrupt();
    }
    ref::Shape shape(type.getShape().begin(), type.getShape().end());
    auto known = weights.tensors_.find(name);
    if (known != weights.tensors_.end() &&
        (known->second.tensor.type() != *element || known->second.tensor.shape() != shape)) {
      status = LOOM_ERROR(StatusCode::kInvalidArgument,
                          fmt::format("weight {} is read as {} and as {}", name,
                                      known->second.tensor.typeString(),
                                      ref::HostTensor::zeros(*element, shape).typeString()));
      return mlir::WalkResult::interrupt();
    }
    weights.add(name, randomFloatTensor(*element, shape, weightRange(shape), tensorSeed(seed, name)));
    return mlir::WalkResult::advance();
  });
  if (!status.isOk())
    return status;
  return weights;
}

StatusOr<ref::HostTensor> SharedWeights::load(std::string_view name, ref::ElementType type,
                                              const ref::Shape &shape) {
  auto found = tensors_.find(name);
  if (found == tensors_.end())
    return LOOM_ERROR(StatusCode::kNotFound, fmt::format("no weight {}", name));
  const ref::HostTensor &tensor = found->second.tensor;
  if (tensor.type() != type || tensor.shape() != shape)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("weight {} is {}, read as {}", name, tensor.typeString(),
                                  ref::HostTensor::zeros(type, shape).typeString()));
  return tensor;
}

StatusOr<rt::HostTensorView> SharedWeights::tensor(const std::string &name) {
  auto found = tensors_.find(name);
  if (found == tensors_.end())
    return LOOM_ERROR(StatusCode::kNotFound, fmt::format("no checkpoint tensor {}", name));
  const Entry &entry = found->second;
  return rt::HostTensorView{packageDType(entry.tensor.type()), entry.tensor.shape(), entry.bytes};
}

} // namespace loom::verify
