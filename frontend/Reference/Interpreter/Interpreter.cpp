// The interpreter loop: bind arguments, evaluate each op through the table, check result types.
#include "frontend/Reference/Interpreter/Interpreter.h"

#include "frontend/Reference/Interpreter/MlirTypes.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Verifier.h"

#include <fmt/format.h>

namespace loom::ref {

Interpreter::Interpreter(WeightSource &weights, ThreadPool *pool) : weights_(weights) {
  context_.pool = pool;
  context_.weight = [this](mlir::Operation &op) { return weight(op); };
  context_.runBlock = [this](mlir::Block &block, std::vector<RuntimeValue> arguments) {
    return runBlock(block, std::move(arguments));
  };
}

StatusOr<HostTensor> Interpreter::weight(mlir::Operation &op) {
  auto weightOp = mlir::cast<graph::WeightOp>(op);
  auto type = weightOp.getResult().getType();
  LOOM_ASSIGN_OR_RETURN(ElementType element, elementTypeOf(type.getElementType()));
  Shape shape(type.getShape().begin(), type.getShape().end());
  std::string key = fmt::format("{}:{}", weightOp.getName().str(), elementTypeName(element));
  auto cached = weightCache_.find(key);
  if (cached != weightCache_.end())
    return cached->second;
  LOOM_ASSIGN_OR_RETURN(HostTensor tensor, weights_.load(weightOp.getName(), element, shape));
  weightCache_.emplace(key, tensor);
  return tensor;
}

StatusOr<std::vector<RuntimeValue>> Interpreter::run(mlir::func::FuncOp function,
                                                     std::vector<RuntimeValue> arguments) {
  if (!function || function.isExternal())
    return LOOM_ERROR(StatusCode::kInvalidArgument, "the interpreter needs a function with a body");
  if (verifiedFunction_ != function.getOperation()) {
    if (mlir::failed(mlir::verify(function)))
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("function @{} does not verify", function.getSymName().str()));
    verifiedFunction_ = function.getOperation();
  }
  return runBlock(function.getBody().front(), std::move(arguments));
}

StatusOr<std::vector<RuntimeValue>> Interpreter::runBlock(mlir::Block &block,
                                                          std::vector<RuntimeValue> arguments) {
  if (arguments.size() != block.getNumArguments())
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("got {} arguments for a block of {}", arguments.size(),
                                  block.getNumArguments()));
  ValueMap values;
  for (auto [index, argument] : llvm::enumerate(block.getArguments())) {
    LOOM_RETURN_IF_ERROR(
        checkValueType(arguments[index], argument.getType(), fmt::format("argument {}", index)));
    values.try_emplace(argument, std::move(arguments[index]));
  }
  for (mlir::Operation &op : block) {
    if (!op.hasTrait<mlir::OpTrait::IsTerminator>()) {
      LOOM_RETURN_IF_ERROR(evaluate(op, values));
      continue;
    }
    std::vector<RuntimeValue> results;
    for (mlir::Value operand : op.getOperands())
      results.push_back(values.find(operand)->second);
    return results;
  }
  return LOOM_ERROR(StatusCode::kInvalidArgument, "block has no terminator");
}

Status Interpreter::evaluate(mlir::Operation &op, ValueMap &values) {
  std::string name = op.getName().getStringRef().str();
  std::string where = fmt::format("{} at {}", name, locationText(op.getLoc()));
  auto evaluator = evaluatorTable().find(name);
  if (evaluator == evaluatorTable().end())
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("the reference interpreter does not support op '{}' at {}", name,
                                  locationText(op.getLoc())));
  std::vector<RuntimeValue *> operands;
  for (mlir::Value operand : op.getOperands()) {
    auto found = values.find(operand);
    if (found == values.end())
      return LOOM_ERROR(StatusCode::kInternal, where + ": an operand has no value");
    operands.push_back(&found->second);
  }
  auto results = evaluator->second(op, Operands(std::move(operands)), context_);
  if (!results.isOk())
    return results.status().withContext(where);
  if (results->size() != op.getNumResults())
    return LOOM_ERROR(StatusCode::kInternal,
                      fmt::format("{}: evaluator gave {} results for {}", where, results->size(),
                                  op.getNumResults()));
  for (auto [index, result] : llvm::enumerate(op.getResults())) {
    LOOM_RETURN_IF_ERROR(checkValueType((*results)[index], result.getType(),
                                        fmt::format("{}: result {}", where, index)));
    values.insert_or_assign(result, std::move((*results)[index]));
  }
  return Status::ok();
}

} // namespace loom::ref
