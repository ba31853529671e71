// The interpreter's table from op name to evaluator, and what an evaluator gets to work with.
#pragma once

#include "frontend/Reference/Interpreter/RuntimeValue.h"
#include "runtime/Support/ThreadPool.h"

#include "mlir/IR/Block.h"
#include "mlir/IR/Operation.h"

#include <functional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace loom::ref {

/// The run-time values of an op's operands, in operand order.
class Operands {
public:
  explicit Operands(std::vector<RuntimeValue *> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  /// Operand `index` as a tensor (the interpreter has checked it is one; an empty tensor if not).
  const HostTensor &tensor(size_t index) const;
  /// Operand `index` as the KV pool (null if it is not one).
  HostKVCache *cache(size_t index) const;
  /// Operands [first, size()) as tensors (variadic operands).
  std::vector<HostTensor> tensorsFrom(size_t first) const;

private:
  std::vector<RuntimeValue *> values_;
};

/// Services an evaluator may call: the thread pool, weights by name, nested blocks.
struct EvalContext {
  ThreadPool *pool = nullptr;
  /// The tensor of a graph.weight op (loaded once, then cached by the interpreter).
  std::function<StatusOr<HostTensor>(mlir::Operation &weightOp)> weight;
  /// Runs a block (a graph.fused body) on its arguments, returning its terminator's operands.
  std::function<StatusOr<std::vector<RuntimeValue>>(mlir::Block &, std::vector<RuntimeValue>)>
      runBlock;
};

/// Computes an op's results from its operands.
using Evaluator = std::function<StatusOr<std::vector<RuntimeValue>>(
    mlir::Operation &op, const Operands &operands, EvalContext &context)>;

/// Op name ("graph.rms_norm") → evaluator.
using EvaluatorTable = std::unordered_map<std::string, Evaluator>;

/// Adds an evaluator for OpT written against the typed op: fn(OpT, operands, context).
template <typename OpT, typename Fn> void addEvaluator(EvaluatorTable &table, Fn fn) {
  table[OpT::getOperationName().str()] = [fn](mlir::Operation &op, const Operands &operands,
                                              EvalContext &context)
      -> StatusOr<std::vector<RuntimeValue>> { return fn(mlir::cast<OpT>(op), operands, context); };
}

/// One result from an op's tensor (or its error).
StatusOr<std::vector<RuntimeValue>> oneResult(StatusOr<HostTensor> result);

/// The table of every supported op (built once).
const EvaluatorTable &evaluatorTable();

/// Per-family registration, each in its own file.
void addMathEvaluators(EvaluatorTable &table);
void addAttentionEvaluators(EvaluatorTable &table);
void addLayoutEvaluators(EvaluatorTable &table);

} // namespace loom::ref
