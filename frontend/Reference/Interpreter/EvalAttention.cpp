// Evaluators of the graph dialect's attention ops: rope, attention, kv_append, paged_attention.
#include "frontend/Reference/Attention.h"
#include "frontend/Reference/Interpreter/EvaluatorTable.h"
#include "frontend/Reference/PagedAttention.h"
#include "frontend/Reference/Rope.h"

#include "dialects/Graph/IR/GraphOps.h"

namespace loom::ref {
namespace {

RopeParams ropeParamsOf(graph::RopeOp op) {
  RopeParams params;
  params.theta = op.getTheta().convertToFloat();
  params.headDim = static_cast<int64_t>(op.getHeadDim());
  params.style = op.getStyle() == graph::RopeStyle::interleaved ? RopeStyle::interleaved
                                                                : RopeStyle::rotateHalf;
  if (op.getScalingFactor() && op.getLowFreqFactor() && op.getHighFreqFactor() &&
      op.getOriginalMaxPosition())
    params.llama3 = Llama3RopeScaling{op.getScalingFactor()->convertToFloat(),
                                      op.getLowFreqFactor()->convertToFloat(),
                                      op.getHighFreqFactor()->convertToFloat(),
                                      static_cast<int64_t>(*op.getOriginalMaxPosition())};
  return params;
}

/// The attributes both attention ops carry.
template <typename OpT> AttentionParams attentionParamsOf(OpT op) {
  return AttentionParams{static_cast<int64_t>(op.getNumHeads()),
                         static_cast<int64_t>(op.getNumKvHeads()),
                         static_cast<int64_t>(op.getHeadDim()), op.getScale().convertToFloat(),
                         op.getCausal()};
}

Status missingCache() {
  return LOOM_ERROR(StatusCode::kInvalidArgument, "the kv cache operand is not bound to a pool");
}

} // namespace

void addAttentionEvaluators(EvaluatorTable &table) {
  addEvaluator<graph::RopeOp>(table, [](graph::RopeOp op, const Operands &in, EvalContext &) {
    return oneResult(rope(in.tensor(0), in.tensor(1), ropeParamsOf(op)));
  });
  addEvaluator<graph::AttentionOp>(table, [](graph::AttentionOp op, const Operands &in,
                                             EvalContext &context) {
    return oneResult(attention(in.tensor(0), in.tensor(1), in.tensor(2), in.tensor(3),
                               attentionParamsOf(op), context.pool));
  });
  addEvaluator<graph::KVAppendOp>(table, [](graph::KVAppendOp op, const Operands &in,
                                            EvalContext &) -> StatusOr<std::vector<RuntimeValue>> {
    HostKVCache *cache = in.cache(0);
    if (!cache)
      return missingCache();
    LOOM_RETURN_IF_ERROR(kvAppend(*cache, static_cast<int64_t>(op.getLayer()), in.tensor(1),
                                  in.tensor(2), in.tensor(3)));
    return std::vector<RuntimeValue>{cache};
  });
  addEvaluator<graph::PagedAttentionOp>(table, [](graph::PagedAttentionOp op, const Operands &in,
                                                  EvalContext &context)
                                                   -> StatusOr<std::vector<RuntimeValue>> {
    const HostKVCache *cache = in.cache(1);
    if (!cache)
      return missingCache();
    return oneResult(pagedAttention(in.tensor(0), *cache, static_cast<int64_t>(op.getLayer()),
                                    in.tensor(2), in.tensor(3), in.tensor(4),
                                    attentionParamsOf(op), context.pool));
  });
}

} // namespace loom::ref
