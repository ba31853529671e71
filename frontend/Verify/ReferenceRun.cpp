// Random inputs and the reference interpreter's outputs.
#include "frontend/Verify/ReferenceRun.h"

#include "frontend/Reference/Interpreter/Interpreter.h"
#include "frontend/Verify/RandomTensors.h"

namespace loom::verify {

namespace {

/// Ids of an index argument that gathers no table (positions, slots) lie in [0, this).
constexpr int64_t kDefaultIdBound = 256;

StatusOr<ref::HostTensor> randomArgument(const SignatureTensor &argument,
                                         const rt::DimValues &dims, uint64_t seed) {
  LOOM_ASSIGN_OR_RETURN(ref::Shape shape, argument.shape(dims));
  uint64_t tensorSeedValue = tensorSeed(seed, argument.name);
  if (ref::isFloatType(argument.type))
    return randomFloatTensor(argument.type, shape, 1.0, tensorSeedValue);
  LOOM_ASSIGN_OR_RETURN(std::optional<int64_t> limit, argument.idLimit(dims));
  return randomIndexTensor(argument.type, shape, limit.value_or(kDefaultIdBound), tensorSeedValue);
}

} // namespace

StatusOr<std::vector<ref::HostTensor>> randomInputs(const GraphSignature &signature,
                                                    const rt::DimValues &dims, uint64_t seed) {
  std::vector<ref::HostTensor> inputs;
  for (const SignatureTensor &argument : signature.arguments) {
    LOOM_ASSIGN_OR_RETURN(ref::HostTensor input, randomArgument(argument, dims, seed));
    inputs.push_back(std::move(input));
  }
  return inputs;
}

StatusOr<std::vector<ref::HostTensor>> runReference(mlir::func::FuncOp function,
                                                    SharedWeights &weights,
                                                    std::vector<ref::HostTensor> inputs,
                                                    ThreadPool *pool) {
  ref::Interpreter interpreter(weights, pool);
  std::vector<ref::RuntimeValue> arguments(std::make_move_iterator(inputs.begin()),
                                           std::make_move_iterator(inputs.end()));
  LOOM_ASSIGN_OR_RETURN(std::vector<ref::RuntimeValue> results,
                        interpreter.run(function, std::move(arguments)));
  std::vector<ref::HostTensor> outputs;
  for (ref::RuntimeValue &result : results) {
    auto *tensor = std::get_if<ref::HostTensor>(&result);
    if (!tensor)
      return LOOM_ERROR(StatusCode::kInvalidArgument, "the graph returns a KV cache");
    outputs.push_back(std::move(*tensor));
  }
  return outputs;
}

} // namespace loom::verify
