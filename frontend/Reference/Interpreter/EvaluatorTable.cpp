// The evaluator table and operand access.
#include "frontend/Reference/Interpreter/EvaluatorTable.h"

namespace loom::ref {

const HostTensor &Operands::tensor(size_t index) const {
  static const HostTensor empty;
  const HostTensor *tensor = index < values_.size() ? std::get_if<HostTensor>(values_[index]) : nullptr;
  return tensor ? *tensor : empty;
}

HostKVCache *Operands::cache(size_t index) const {
  HostKVCache *const *cache =
      index < values_.size() ? std::get_if<HostKVCache *>(values_[index]) : nullptr;
  return cache ? *cache : nullptr;
}

std::vector<HostTensor> Operands::tensorsFrom(size_t first) const {
  std::vector<HostTensor> tensors;
  for (size_t i = first; i < values_.size(); ++i)
    tensors.push_back(tensor(i));
  return tensors;
}

StatusOr<std::vector<RuntimeValue>> oneResult(StatusOr<HostTensor> result) {
  if (!result.isOk())
    return result.status();
  std::vector<RuntimeValue> results;
  results.emplace_back(std::move(result).value());
  return results;
}

const EvaluatorTable &evaluatorTable() {
  static const EvaluatorTable table = [] {
    EvaluatorTable built;
    addMathEvaluators(built);
    addAttentionEvaluators(built);
    addLayoutEvaluators(built);
    return built;
  }();
  return table;
}

} // namespace loom::ref
