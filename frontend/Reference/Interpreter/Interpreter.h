// The CPU reference interpreter: evaluates a func.func of the graph dialect op by op.
#pragma once

#include "frontend/Reference/Interpreter/EvaluatorTable.h"
#include "frontend/Reference/Interpreter/RuntimeValue.h"
#include "frontend/Reference/Interpreter/WeightSource.h"
#include "runtime/Support/ThreadPool.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <map>
#include <string>
#include <vector>

namespace loom::ref {

/// Runs graph-dialect functions on host tensors with the reference ops.
///
/// Each op is looked up by name in `evaluatorTable()` (an op without an evaluator is an error
/// naming it and its location); `graph.weight "name"` is resolved through the WeightSource once
/// and cached; dynamic extents come from the arguments; a `!graph.kv_cache` argument is a
/// HostKVCache the kv_append ops update in place; `graph.fused` bodies are run inline. Every
/// argument and every op result is checked against its MLIR type, so a shape bug stops at the op
/// that made it.
class Interpreter {
public:
  /// `weights` must outlive the interpreter. Row loops of linear, matmul and attention run on
  /// `pool` when it is given.
  explicit Interpreter(WeightSource &weights, ThreadPool *pool = nullptr);

  /// Evaluates `function` (verified on first use) on `arguments`, one per function argument,
  /// and returns the values of its `func.return`.
  StatusOr<std::vector<RuntimeValue>> run(mlir::func::FuncOp function,
                                          std::vector<RuntimeValue> arguments);

private:
  StatusOr<HostTensor> weight(mlir::Operation &weightOp);
  StatusOr<std::vector<RuntimeValue>> runBlock(mlir::Block &block,
                                               std::vector<RuntimeValue> arguments);
  using ValueMap = llvm::DenseMap<mlir::Value, RuntimeValue>;
  Status evaluate(mlir::Operation &op, ValueMap &values);

  WeightSource &weights_;
  EvalContext context_;
  std::map<std::string, HostTensor> weightCache_; ///< "name:type" → loaded tensor
  mlir::Operation *verifiedFunction_ = nullptr;
};

} // namespace loom::ref
