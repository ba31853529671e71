// Verifiers of the graph dialect's RoPE, attention and paged-KV-cache ops.
#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/GraphVerify.h"

namespace loom::graph {

using mlir::LogicalResult;
using mlir::RankedTensorType;

LogicalResult RopeOp::verify() {
  auto input = getInput().getType();
  if (input.getRank() != 2)
    return emitOpError() << "input must be 2-D [tokens, heads * head_dim], got rank " << input.getRank();
  int64_t headDim = getHeadDim();
  if (headDim <= 0 || headDim % 2 != 0)
    return emitOpError() << "head_dim must be positive and even, got " << headDim;
  int64_t features = input.getDimSize(1);
  if (!mlir::ShapedType::isDynamic(features) && features % headDim != 0)
    return emitOpError() << "last dimension of input (" << features
                         << ") must be a multiple of head_dim (" << headDim << ")";
  auto positions = getPositions().getType();
  if (positions.getRank() != 1 || !compatibleDims(positions.getDimSize(0), input.getDimSize(0)))
    return emitOpError() << "positions type " << positions << " must be a vector of one entry per row ("
                         << dimText(input.getDimSize(0)) << ")";
  if (getTheta().convertToFloat() <= 0.0f)
    return emitOpError() << "theta must be positive";
  int present = (getScalingFactor() ? 1 : 0) + (getLowFreqFactor() ? 1 : 0) +
                (getHighFreqFactor() ? 1 : 0) + (getOriginalMaxPosition() ? 1 : 0);
  if (present != 0 && present != 4)
    return emitOpError() << "Llama-3 scaling needs all of scaling_factor, low_freq_factor, "
                            "high_freq_factor and original_max_position, got "
                         << present << " of 4";
  return mlir::success();
}

/// The head counts shared by the attention ops: GQA needs num_heads % num_kv_heads == 0.
static LogicalResult verifyHeads(mlir::Operation *op, int64_t numHeads, int64_t numKvHeads,
                                 int64_t headDim, float scale) {
  if (numHeads <= 0 || numKvHeads <= 0 || headDim <= 0)
    return op->emitOpError() << "num_heads (" << numHeads << "), num_kv_heads (" << numKvHeads
                             << ") and head_dim (" << headDim << ") must be positive";
  if (numHeads % numKvHeads != 0)
    return op->emitOpError() << "num_heads (" << numHeads << ") must be a multiple of num_kv_heads ("
                             << numKvHeads << ")";
  if (!(scale > 0.0f))
    return op->emitOpError() << "scale must be positive";
  return mlir::success();
}

/// A 2-D token-major tensor whose rows hold `heads` heads of `headDim` features.
static LogicalResult verifyHeadRows(mlir::Operation *op, mlir::Value value, llvm::StringRef name,
                                    int64_t heads, int64_t headDim) {
  auto type = mlir::cast<RankedTensorType>(value.getType());
  if (type.getRank() != 2 || !compatibleDims(type.getDimSize(1), heads * headDim))
    return op->emitOpError() << name << " type " << type << " must be [tokens, " << heads * headDim
                             << "] (" << heads << " heads of " << headDim << ")";
  return mlir::success();
}

static LogicalResult verifyVector(mlir::Operation *op, mlir::Value value, llvm::StringRef name) {
  if (rankOf(value) != 1)
    return op->emitOpError() << name << " must be 1-D, got rank " << rankOf(value);
  return mlir::success();
}

LogicalResult AttentionOp::verify() {
  auto *op = getOperation();
  int64_t hq = getNumHeads(), hkv = getNumKvHeads(), d = getHeadDim();
  if (mlir::failed(verifyHeads(op, hq, hkv, d, getScale().convertToFloat())) ||
      mlir::failed(verifyHeadRows(op, getQuery(), "query", hq, d)) ||
      mlir::failed(verifyHeadRows(op, getKey(), "key", hkv, d)) ||
      mlir::failed(verifyHeadRows(op, getValue(), "value", hkv, d)) ||
      mlir::failed(verifyVector(op, getSeqStarts(), "seq_starts")))
    return mlir::failure();
  auto q = getQuery().getType();
  for (mlir::Value kv : {getKey(), getValue()}) {
    auto type = mlir::cast<RankedTensorType>(kv.getType());
    if (!compatibleDims(type.getDimSize(0), q.getDimSize(0)) ||
        type.getElementType() != q.getElementType())
      return emitOpError() << "key and value type " << type
                           << " must have the query's rows and element type";
  }
  return mlir::success();
}

/// The cache's layer range and head geometry must match the op's.
static LogicalResult verifyCache(mlir::Operation *op, KVCacheType cache, int64_t layer,
                                 int64_t numKvHeads, int64_t headDim) {
  if (layer < 0 || layer >= cache.getLayers())
    return op->emitOpError() << "layer " << layer << " is outside the cache's " << cache.getLayers()
                             << " layers";
  if (cache.getKvHeads() != numKvHeads || cache.getHeadDim() != headDim)
    return op->emitOpError() << "cache holds " << cache.getKvHeads() << " KV heads of "
                             << cache.getHeadDim() << ", not " << numKvHeads << " of " << headDim;
  return mlir::success();
}

LogicalResult KVAppendOp::verify() {
  auto *op = getOperation();
  auto cache = getCache().getType();
  int64_t hkv = cache.getKvHeads(), d = cache.getHeadDim();
  if (mlir::failed(verifyCache(op, cache, getLayer(), hkv, d)) ||
      mlir::failed(verifyHeadRows(op, getKey(), "key", hkv, d)) ||
      mlir::failed(verifyHeadRows(op, getValue(), "value", hkv, d)) ||
      mlir::failed(verifyVector(op, getSlots(), "slots")))
    return mlir::failure();
  auto key = getKey().getType();
  if (getValue().getType() != key)
    return emitOpError() << "value type " << getValue().getType() << " must equal the key type " << key;
  if (key.getElementType() != cache.getElementType())
    return emitOpError() << "key element type " << key.getElementType()
                         << " must equal the cache's " << cache.getElementType();
  if (!compatibleDims(getSlots().getType().getDimSize(0), key.getDimSize(0)))
    return emitOpError() << "slots must have one entry per key row";
  return mlir::success();
}

LogicalResult PagedAttentionOp::verify() {
  auto *op = getOperation();
  int64_t hq = getNumHeads(), hkv = getNumKvHeads(), d = getHeadDim();
  if (mlir::failed(verifyHeads(op, hq, hkv, d, getScale().convertToFloat())) ||
      mlir::failed(verifyCache(op, getCache().getType(), getLayer(), hkv, d)) ||
      mlir::failed(verifyHeadRows(op, getQuery(), "query", hq, d)) ||
      mlir::failed(verifyVector(op, getSeqStarts(), "seq_starts")) ||
      mlir::failed(verifyVector(op, getContextLens(), "context_lens")))
    return mlir::failure();
  if (rankOf(getBlockTables()) != 2)
    return emitOpError() << "block_tables must be 2-D [sequences, max_blocks], got rank "
                         << rankOf(getBlockTables());
  if (getQuery().getType().getElementType() != getCache().getType().getElementType())
    return emitOpError() << "query element type " << getQuery().getType().getElementType()
                         << " must equal the cache's " << getCache().getType().getElementType();
  return mlir::success();
}

} // namespace loom::graph
