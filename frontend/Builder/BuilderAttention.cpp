// Builder: RoPE, attention over a ragged batch, the paged KV cache, and sampling.
#include "frontend/Builder/BuilderCreate.h"
#include "dialects/Graph/IR/GraphOps.h"

#include <cmath>

namespace loom {
namespace {

/// The attributes of `graph.attention` / `graph.paged_attention` shared by both.
struct HeadAttrs {
  mlir::IntegerAttr numHeads, numKvHeads, headDim;
  mlir::FloatAttr scale;
  mlir::UnitAttr causal;
};

HeadAttrs headAttrs(mlir::OpBuilder &builder, const AttentionOptions &options) {
  float defaultScale = options.headDim > 0 ? 1.0f / std::sqrt(float(options.headDim)) : 1.0f;
  return {builder.getI64IntegerAttr(options.numHeads),
          builder.getI64IntegerAttr(options.numKvHeads),
          builder.getI64IntegerAttr(options.headDim),
          builder.getF32FloatAttr(options.scale.value_or(defaultScale)),
          options.causal ? builder.getUnitAttr() : mlir::UnitAttr()};
}

} // namespace

Tensor Builder::rope(Tensor x, Tensor positions, const RopeOptions &options) {
  auto style = graph::RopeStyleAttr::get(&context_, options.style == RopeStyle::interleaved
                                                        ? graph::RopeStyle::interleaved
                                                        : graph::RopeStyle::rotate_half);
  mlir::FloatAttr factor, lowFreq, highFreq;
  mlir::IntegerAttr originalMax;
  if (const auto &scaling = options.llama3) {
    factor = builder_.getF32FloatAttr(scaling->factor);
    lowFreq = builder_.getF32FloatAttr(scaling->lowFreqFactor);
    highFreq = builder_.getF32FloatAttr(scaling->highFreqFactor);
    originalMax = builder_.getI64IntegerAttr(scaling->originalMaxPosition);
  }
  return build<graph::RopeOp>({x.value(), positions.value()}, x.type(), x.value(),
                              positions.value(), builder_.getF32FloatAttr(options.theta),
                              builder_.getI64IntegerAttr(options.headDim), style, factor, lowFreq,
                              highFreq, originalMax);
}

Tensor Builder::attention(Tensor q, Tensor k, Tensor v, Tensor seqStarts,
                          const AttentionOptions &options) {
  HeadAttrs attrs = headAttrs(builder_, options);
  return build<graph::AttentionOp>({q.value(), k.value(), v.value(), seqStarts.value()}, q.type(),
                                   q.value(), k.value(), v.value(), seqStarts.value(),
                                   attrs.numHeads, attrs.numKvHeads, attrs.headDim, attrs.scale,
                                   attrs.causal);
}

KVCache Builder::kvAppend(KVCache cache, Tensor k, Tensor v, Tensor slots, int64_t layer) {
  mlir::Operation *op =
      create<graph::KVAppendOp>({cache.value(), k.value(), v.value(), slots.value()},
                                cache.valid() ? cache.value().getType() : mlir::Type(),
                                cache.value(), k.value(), v.value(), slots.value(),
                                builder_.getI64IntegerAttr(layer));
  return op ? KVCache(op->getResult(0)) : KVCache();
}

Tensor Builder::pagedAttention(Tensor q, KVCache cache, Tensor blockTables, Tensor seqStarts,
                               Tensor contextLens, int64_t layer,
                               const AttentionOptions &options) {
  HeadAttrs attrs = headAttrs(builder_, options);
  return build<graph::PagedAttentionOp>(
      {q.value(), cache.value(), blockTables.value(), seqStarts.value(), contextLens.value()},
      q.type(), q.value(), cache.value(), blockTables.value(), seqStarts.value(),
      contextLens.value(), builder_.getI64IntegerAttr(layer), attrs.numHeads, attrs.numKvHeads,
      attrs.headDim, attrs.scale, attrs.causal);
}

Tensor Builder::sample(Tensor logits, Tensor temperature, Tensor topK, Tensor topP, Tensor minP,
                       Tensor seed) {
  std::initializer_list<mlir::Value> operands = {logits.value(), temperature.value(),
                                                 topK.value(),   topP.value(),
                                                 minP.value(),   seed.value()};
  if (!ready("graph.sample", operands) ||
      !check(logits.rank() == 2, "graph.sample", operands, "logits must be 2-D [rows, vocab]"))
    return {};
  auto type = mlir::RankedTensorType::get({logits.dim(0)}, builder_.getI32Type());
  return build<graph::SampleOp>(operands, type, logits.value(), temperature.value(), topK.value(),
                                topP.value(), minP.value(), seed.value());
}

} // namespace loom
