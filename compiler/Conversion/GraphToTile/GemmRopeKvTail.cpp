// The rope + KV-append tail of a merged QKV GEMM group: the store of the accumulator tile becomes
// loom/epilogue_rope_kv.cuh's epilogue (q rotated into the q output, k rotated and v copied into
// their paged-cache slots).
//
// How it works: graph-fuse absorbed split -> rope(q), rope(k) -> kv_append(rope(k), v) with
// interleaved ropes (graph-rope-pairs), so every rotated pair is two adjacent output columns, the
// pair each GEMM family hands its epilogue. The dot still produces all N = q + k + v columns; the
// tile.store targets the q output (the group's rotated q, [M, q width]) and carries
// `loom.rope_kv` = {head_dim, q_width, kv_width, block_size}: compiler/Target/CUDA
// (EmitRopeKvEpilogue.cpp) turns it into the epilogue call, reading the kernel parameters added
// here by name (positions, slots, k_cache, v_cache, layer, cache_blocks and the frequencies).
#include "compiler/Conversion/GraphToTile/GroupLowering.h"

#include <string>

namespace loom::conversion {

std::optional<RopeKvTail> matchRopeKvTail(graph::LinearOp linear, llvm::ArrayRef<mlir::Operation *> ops) {
  if (ops.size() != 4)
    return std::nullopt;
  auto split = mlir::dyn_cast<graph::SplitOp>(ops[0]);
  auto queryRope = mlir::dyn_cast<graph::RopeOp>(ops[1]);
  auto keyRope = mlir::dyn_cast<graph::RopeOp>(ops[2]);
  auto append = mlir::dyn_cast<graph::KVAppendOp>(ops[3]);
  if (!split || !queryRope || !keyRope || !append || split.getInput() != linear.getResult() ||
      split.getNumResults() != 3 || queryRope.getInput() != split.getResult(0) ||
      keyRope.getInput() != split.getResult(1) || append.getKey() != keyRope.getResult() ||
      append.getValue() != split.getResult(2))
    return std::nullopt;
  return RopeKvTail{queryRope, keyRope, append};
}

mlir::LogicalResult storeRopeKvTail(KernelBuilder &kernel, RopeKvTail tail, mlir::Value value,
                                    mlir::ValueRange indices, mlir::ValueRange bounds) {
  const Group &group = kernel.group();
  auto fail = [&](llvm::StringRef why) {
    return group.anchor->emitOpError() << "cannot lower the rope + KV-append tail of GEMM group '"
                                       << group.name << "': " << why;
  };
  if (tail.query.getStyle() != graph::RopeStyle::interleaved || tail.key.getStyle() != graph::RopeStyle::interleaved)
    return fail("its ropes must be interleaved (one epilogue call holds two adjacent columns)");
  auto output = llvm::find(group.outputs, tail.query.getResult());
  if (output == group.outputs.end() || group.outputs.size() != 2 ||
      !llvm::is_contained(group.outputs, tail.append.getResult()))
    return fail("the group must yield exactly the rotated q and the kv_cache");
  // One epilogue rotates q and k with the key's frequencies and the query's positions, at the
  // cache's head_dim: a region graph-fuse did not form (or a later rule change) must not differ there.
  if (tail.query.getPositions() != tail.key.getPositions() ||
      tail.query->getAttrDictionary() != tail.key->getAttrDictionary())
    return fail("q and k must be rotated with the same positions and attributes");
  auto cache = mlir::cast<graph::KVCacheType>(tail.append.getCache().getType());
  mlir::Type element = cache.getElementType();
  int64_t headDim = cache.getHeadDim();
  if (static_cast<int64_t>(tail.query.getHeadDim()) != headDim)
    return fail("the ropes' head_dim (" + std::to_string(tail.query.getHeadDim()) + ") must be the kv_cache's (" +
                std::to_string(headDim) + ")");
  int64_t queryWidth = tail.query.getResult().getType().getShape().back();
  auto q = kernel.pointer(group.outerOutput(output - group.outputs.begin()), "q");
  auto positions = kernel.pointer(group.outerInput(tail.query.getPositions()), "positions");
  auto slots = kernel.pointer(group.outerInput(tail.append.getSlots()), "slots");
  if (mlir::failed(q) || mlir::failed(positions) || mlir::failed(slots))
    return mlir::failure();
  kernel.kvPool("k_cache", true, element);
  kernel.kvPool("v_cache", false, element);
  kernel.intParameter("layer", tail.append.getLayer());
  kernel.intParameter("cache_blocks", cache.getBlocks());
  addRopeFrequencyParameters(kernel, tail.key);

  mlir::OpBuilder &b = kernel.builder();
  auto store = tile::StoreOp::create(b, kernel.loc(), value, *q, indices, bounds, b.getStrArrayAttr({"bm", "bn"}),
                                     tile::Layout::mma);
  store->setAttr("loom.rope_kv",
                 b.getDictionaryAttr({b.getNamedAttr("head_dim", b.getI64IntegerAttr(headDim)),
                                      b.getNamedAttr("q_width", b.getI64IntegerAttr(queryWidth)),
                                      b.getNamedAttr("kv_width", b.getI64IntegerAttr(cache.getKvHeads() * headDim)),
                                      b.getNamedAttr("block_size", b.getI64IntegerAttr(cache.getBlockSize()))}));
  return mlir::success();
}

} // namespace loom::conversion
