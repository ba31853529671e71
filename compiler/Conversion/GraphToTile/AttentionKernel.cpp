// Lowering of the attention family to device-library kernels: rope + kv_append of a packed QKV
// projection (loom/kv_append.cuh ropeKvAppend) and paged attention (loom/attention_prefill.cuh).
//
// How it works: graph.split pieces and graph.rope results are views of the QKV GEMM's buffer
// (PackagePlan::view), so no kernel copies them. A kv_append group [rope(q), rope(k),
// kv_append(rope(k), v)] whose q | k | v are the consecutive column slices of one buffer becomes
// one ropeKvAppend over that buffer: Q and K heads rotated in place, K and V copied into their
// cache slots. paged_attention then reads the rotated Q in place, the buffer's width as its row
// stride, and writes a contiguous [tokens, heads · head_dim] output. The kernels' parameters are
// added in the order of the device-library call (compiler/Target/CUDA/EmitLibraryKernel.cpp).
#include "compiler/Conversion/GraphToTile/GroupLowering.h"

namespace loom::conversion {

namespace {

/// loom/kv_append.cuh: kKvAppendThreads, and the rows each CTA rotates and appends.
constexpr int kKvAppendThreads = 128;
constexpr int kKvAppendRowsPerCta = 4;

/// AttentionPrefillConfig<head_dim, bm, bn, warps> of loom/attention_prefill.cuh: one m16 tile of
/// queries per warp (Q stays in registers), 64-position KV tiles.
struct PrefillTile {
  int bm, bn, warps;
};
constexpr PrefillTile kPrefillTile{64, 64, 4};

mlir::InFlightDiagnostic unsupported(const Group &group, llvm::StringRef why) {
  return group.anchor->emitOpError() << "cannot lower group '" << group.name
                                     << "' (ops: " << describeOps(group) << "): " << why;
}

/// The KV cache type of a cache operand (function argument or a kv_append result).
graph::KVCacheType cacheType(mlir::Value cache) {
  return mlir::cast<graph::KVCacheType>(cache.getType());
}

/// An i32 parameter for `extent`: the dim's parameter, or an `int` bound to a static extent (the
/// parameter exists either way, so the call's argument order holds).
mlir::LogicalResult extentParameter(KernelBuilder &kernel, llvm::StringRef name, llvm::StringRef extent) {
  int64_t value;
  if (!extent.getAsInteger(10, value)) {
    kernel.intParameter(name, value);
    return mlir::success();
  }
  return kernel.extent(extent);
}

mlir::LogicalResult lowerRopeKvAppend(KernelBuilder &kernel, graph::KVAppendOp append) {
  const Group &group = kernel.group();
  PackagePlan &plan = kernel.plan();
  llvm::SmallVector<graph::RopeOp> ropes;
  for (mlir::Operation *op : group.ops)
    if (auto rope = mlir::dyn_cast<graph::RopeOp>(op))
      ropes.push_back(rope);
  auto keyRope = append.getKey().getDefiningOp<graph::RopeOp>();
  if (ropes.size() != 2 || !keyRope || ropes.back() != keyRope)
    return unsupported(group, "kv_append lowers only as rope(q), rope(k), kv_append(rope(k), v) "
                              "over the pieces of one graph.split (a packed QKV projection)");
  graph::RopeOp queryRope = ropes.front();
  auto query = plan.view(queryRope.getInput()), key = plan.view(keyRope.getInput()),
       value = plan.view(append.getValue());
  if (!query || !key || !value || query->root != key->root || key->root != value->root)
    return unsupported(group, "q, k and v must be column slices of one tensor");
  if (query->column != 0 || key->column != query->width || value->column != key->column + key->width ||
      value->column + value->width != value->rootWidth)
    return unsupported(group, "the packed rows must be exactly [q | k | v]");
  if (!queryRope.getInput().hasOneUse() || !keyRope.getInput().hasOneUse())
    return unsupported(group, "q and k are rotated in place, so their only reader must be the rope");
  if (queryRope->getAttrDictionary() != keyRope->getAttrDictionary() ||
      queryRope.getPositions() != keyRope.getPositions())
    return unsupported(group, "q and k must be rotated with the same positions and attributes");
  graph::KVCacheType cache = cacheType(append.getCache());
  int64_t headDim = cache.getHeadDim();
  if (int64_t(keyRope.getHeadDim()) != headDim || key->width != cache.getKvHeads() * headDim ||
      value->width != key->width || query->width % headDim != 0)
    return unsupported(group, "rope head_dim and the k/v widths must match the kv_cache's heads");
  mlir::Type element = cache.getElementType();
  if (!element.isBF16() && !element.isF16())
    return unsupported(group, "the device library appends bf16 or f16 rows only");

  auto qkv = kernel.pointer(query->root, "qkv");
  auto positions = kernel.pointer(queryRope.getPositions(), "positions");
  auto slots = kernel.pointer(append.getSlots(), "slots");
  if (mlir::failed(qkv) || mlir::failed(positions) || mlir::failed(slots))
    return mlir::failure();
  kernel.kvPool("k_cache", true, element);
  kernel.kvPool("v_cache", false, element);
  llvm::ArrayRef<std::string> rows = plan.extents(query->root);
  if (rows.empty() || mlir::failed(extentParameter(kernel, "tokens", rows[0])))
    return mlir::failure();
  kernel.intParameter("layer", append.getLayer());
  kernel.intParameter("cache_blocks", cache.getBlocks());
  // loom::RopeFrequencies{theta, factor, lowFreqFactor, highFreqFactor, originalMaxPosition}:
  // factor <= 0 means no Llama-3 scaling.
  kernel.floatParameter("theta", keyRope.getTheta().convertToFloat());
  kernel.floatParameter("factor", keyRope.getScalingFactor() ? keyRope.getScalingFactor()->convertToFloat() : 0.0f);
  kernel.floatParameter("low_freq_factor", keyRope.getLowFreqFactor() ? keyRope.getLowFreqFactor()->convertToFloat() : 0.0f);
  kernel.floatParameter("high_freq_factor", keyRope.getHighFreqFactor() ? keyRope.getHighFreqFactor()->convertToFloat() : 0.0f);
  kernel.floatParameter("original_max_position", float(keyRope.getOriginalMaxPosition().value_or(0)));
  kernel.setLibraryLaunch(
      "rope_kv_append",
      {{"heads", query->width / headDim}, {"kv_heads", cache.getKvHeads()}, {"head_dim", headDim},
       {"block_size", cache.getBlockSize()}, {"rows", kKvAppendRowsPerCta},
       {"interleaved", keyRope.getStyle() == graph::RopeStyle::interleaved}},
      kKvAppendThreads, {"ceildiv(" + rows[0] + ", " + std::to_string(kKvAppendRowsPerCta) + ")", "1", "1"}, 0);
  return mlir::success();
}

mlir::LogicalResult lowerPagedAttention(KernelBuilder &kernel, graph::PagedAttentionOp attention) {
  const Group &group = kernel.group();
  PackagePlan &plan = kernel.plan();
  graph::KVCacheType cache = cacheType(attention.getCache());
  int64_t heads = attention.getNumHeads(), kvHeads = attention.getNumKvHeads();
  int64_t headDim = attention.getHeadDim();
  mlir::Type element = cache.getElementType();
  if (headDim != 64 && headDim != 128)
    return unsupported(group, "the device library's paged attention has head dims 64 and 128");
  if (!element.isBF16() && !element.isF16())
    return unsupported(group, "the device library's paged attention reads bf16 or f16");
  if (kvHeads != cache.getKvHeads() || headDim != cache.getHeadDim())
    return unsupported(group, "num_kv_heads and head_dim must match the kv_cache");
  // Q is read in place: a view's root with its row width as the stride.
  mlir::Value queryOuter = group.outerInput(attention.getQuery());
  auto width = mlir::cast<mlir::RankedTensorType>(queryOuter.getType()).getDimSize(1);
  ColumnView query = plan.view(queryOuter).value_or(ColumnView{queryOuter, 0, width, width});
  if (query.column != 0 || query.width != heads * headDim || query.rootWidth % 8 != 0)
    return unsupported(group, "the query must be the first heads · head_dim columns of rows whose "
                              "width is a multiple of 8");

  auto q = kernel.pointer(query.root, "q");
  if (mlir::failed(q))
    return mlir::failure();
  kernel.intParameter("q_row_stride", query.rootWidth);
  kernel.kvPool("k_cache", true, element);
  kernel.kvPool("v_cache", false, element);
  auto out = kernel.pointer(group.outerOutput(0), "out");
  auto seqStarts = kernel.pointer(attention.getSeqStarts(), "seq_starts");
  auto contextLens = kernel.pointer(attention.getContextLens(), "context_lens");
  auto blockTables = kernel.pointer(attention.getBlockTables(), "block_tables");
  if (mlir::failed(out) || mlir::failed(seqStarts) || mlir::failed(contextLens) ||
      mlir::failed(blockTables))
    return mlir::failure();
  llvm::ArrayRef<std::string> seqs = plan.extents(attention.getContextLens());
  llvm::ArrayRef<std::string> tables = plan.extents(attention.getBlockTables());
  llvm::ArrayRef<std::string> tokens = plan.extents(group.outerOutput(0));
  if (seqs.empty() || tables.size() != 2 || tokens.empty() ||
      mlir::failed(extentParameter(kernel, "seqs", seqs[0])) ||
      mlir::failed(extentParameter(kernel, "blocks_per_seq", tables[1])))
    return mlir::failure();
  kernel.intParameter("layer", attention.getLayer());
  kernel.intParameter("cache_blocks", cache.getBlocks());
  kernel.floatParameter("scale", attention.getScale().convertToFloat());
  auto [bm, bn, warps] = kPrefillTile;
  // A bound on the query tiles of the ragged batch; CTAs past the last tile exit.
  std::string tiles = "ceildiv(" + tokens[0] + ", " + std::to_string(bm) + ") + " + seqs[0];
  kernel.setLibraryLaunch("paged_attention_prefill",
                          {{"heads", heads}, {"kv_heads", kvHeads}, {"head_dim", headDim},
                           {"block_size", cache.getBlockSize()}, {"causal", attention.getCausal()},
                           {"bm", bm}, {"bn", bn}, {"warps", warps}},
                          32 * warps, {std::to_string(heads), tiles, "1"},
                          int64_t(bm + 2 * bn) * headDim * 2);
  return mlir::success();
}

} // namespace

mlir::LogicalResult lowerAttentionGroup(KernelBuilder &kernel) {
  mlir::Operation *anchor = kernel.group().anchor;
  if (auto append = mlir::dyn_cast<graph::KVAppendOp>(anchor))
    return lowerRopeKvAppend(kernel, append);
  if (auto attention = mlir::dyn_cast<graph::PagedAttentionOp>(anchor))
    return lowerPagedAttention(kernel, attention);
  const Group &group = kernel.group();
  return anchor->emitOpError() << "group '" << group.name << "' of kind attention has no tile lowering (ops: "
                               << describeOps(group) << ")";
}

} // namespace loom::conversion
