// Lowering of the attention family to device-library kernels: rope + kv_append of a packed QKV
// projection (loom/kv_append.cuh ropeKvAppend) and paged attention (the prefill kernel of the
// table kPrefillKernels for prefill steps: loom/attention_prefill_sm90.cuh on sm_90a,
// loom/attention_prefill.cuh elsewhere; loom/attention_decode.cuh split-K (merged in-kernel) for
// decode-only steps). Where no tensor-core kernel can take the op (head_dim not 64/128, f32 KV,
// unaligned query rows), the table kPagedAttentionVariants falls back to the general
// loom/attention_simt.cuh for every step and records why on the kernel (loom.fallback).
//
// How it works: graph.split pieces and graph.rope results are views of the QKV GEMM's buffer
// (PackagePlan::view), so no kernel copies them. A kv_append group [rope(q), rope(k),
// kv_append(rope(k), v)] whose q | k | v are the consecutive column slices of one buffer becomes
// one ropeKvAppend over that buffer: Q and K heads rotated in place, K and V copied into their
// cache slots. paged_attention then reads the rotated Q in place, the buffer's width as its row
// stride, and writes a contiguous [tokens, heads · head_dim] output. Where the decode kernel
// supports the head grouping, the prefill kernel launches only on prefill steps and a sibling
// kernel on decode-only steps (tokens == seqs, so query row b is sequence b's): it splits each
// context into splits of 64, 256 or 512 tokens by the step's sequences (kDecodeSplitTiers, the
// launch grid's choice) and writes their f32 partials into two scratch buffers of the
// arena (sized for the bounds of seqs and blocks_per_seq); the last split CTA of a (sequence, KV
// head) to finish, counted on a scratch counter that stays zero between launches, merges them
// into the output, so no combine kernel is launched; a sequence whose context fits one split is
// normalized and stored by its one CTA directly. The kernels' parameters are added in the order
// of the device-library call (compiler/Target/CUDA/EmitLibraryKernel.cpp).
#include "compiler/Conversion/GraphToTile/GroupLowering.h"
#include "compiler/Transforms/Tile/SimtFallback.h"
#include "dialects/Tile/IR/RopeKvParameters.h"

#include "llvm/ADT/StringExtras.h"

namespace loom::conversion {

namespace {

/// loom/kv_append.cuh: kKvAppendThreads, and the rows each CTA rotates and appends.
constexpr int kKvAppendThreads = 128;
constexpr int kKvAppendRowsPerCta = 4;

/// Head dims and element types of the tensor-core prefill kernels.
bool tensorCoreOperands(int64_t headDim, mlir::Type element) {
  return (headDim == 64 || headDim == 128) && (element.isBF16() || element.isF16());
}

/// A prefill kernel of the device library: where it is legal, its tile and its launch.
struct PrefillKernel {
  llvm::StringLiteral library;  ///< the call compiler/Target/CUDA/EmitLibraryKernel.cpp writes
  bool needsWgmma;              ///< wgmma + setmaxnreg: sm_90a only
  bool (*takes)(int64_t headDim, mlir::Type element);
  int bm, bn, warps;            ///< query rows, KV positions, warps per CTA
  int stages;                   ///< K/V ring stages (a config value); 0: one K and one V tile
  int64_t (*sharedBytes)(const PrefillKernel &, int64_t headDim);
};

/// AttentionPrefillConfig::kSharedBytes: Q, one K and one V tile.
int64_t mmaSyncSharedBytes(const PrefillKernel &k, int64_t headDim) {
  return int64_t(k.bm + 2 * k.bn) * headDim * 2;
}
/// AttentionPrefillSm90Config::kSharedBytes: 1 KB alignment slack, Q, the K and V rings and
/// the 1 + 4 stages mbarriers.
int64_t sm90SharedBytes(const PrefillKernel &k, int64_t headDim) {
  return 1024 + int64_t(k.bm + 2 * k.stages * k.bn) * headDim * 2 + 8 * (1 + 4 * k.stages);
}

/// The prefill kernels, best first; the first one legal for the target and the op is lowered.
///   loom/attention_prefill_sm90.cuh: 128 x 128 tiles, a producer warpgroup and two consumer
///     warpgroups, a 2-stage ring (542.6 TFLOP/s causal B4 H32 S4096 D128 on the H100, 1.73x
///     SDPA flash in the same run; 3 stages 503.2; docs/perf-attention.md run 5).
///   loom/attention_prefill.cuh (mma.sync, sm_80+): one m16 tile of queries per warp (Q stays in
///     registers), 64-position KV tiles.
constexpr PrefillKernel kPrefillKernels[] = {
    {"paged_attention_prefill_sm90", true, tensorCoreOperands, 128, 128, 12, 2, sm90SharedBytes},
    {"paged_attention_prefill", false, tensorCoreOperands, 64, 64, 4, 0, mmaSyncSharedBytes},
};

/// The first prefill kernel of the table that `target` runs (null: any target) and that takes
/// `headDim` x `element`; null when none does.
const PrefillKernel *selectPrefillKernel(const tile::GpuTarget *target, int64_t headDim,
                                         mlir::Type element) {
  for (const PrefillKernel &kernel : kPrefillKernels)
    if ((!kernel.needsWgmma || (target && target->hasWgmma)) && kernel.takes(headDim, element))
      return &kernel;
  return nullptr;
}

mlir::InFlightDiagnostic unsupported(const Group &group, llvm::StringRef why) {
  return group.anchor->emitOpError() << "cannot lower group '" << group.name
                                     << "' (ops: " << describeOps(group) << "): " << why;
}

/// The KV cache type of a cache operand (function argument or a kv_append result).
graph::KVCacheType cacheType(mlir::Value cache) {
  return mlir::cast<graph::KVCacheType>(cache.getType());
}

/// AttentionDecodeConfig of loom/attention_decode.cuh: its warps and the query heads one warp
/// holds at most.
constexpr int kDecodeWarps = 4, kDecodeHeadsPerWarp = 8;

/// A split size of the decode kernel and the steps that take it: a step takes the first tier
/// whose rule holds, seqs * kv_heads <= pairsPerSm * kDecodeSms (0: every step).
struct DecodeSplitTier {
  int64_t tokens;    ///< context tokens one split CTA streams
  double pairsPerSm; ///< (sequence, KV head) pairs per SM up to which the tier holds
};
/// SMs of the H100 the tiers were measured on.
constexpr int64_t kDecodeSms = 132;
/// Smallest splits first (docs/perf-attention.md, session 8):
///   64 tokens while the CTAs of a 256-token column at 64 tokens fit one per SM (e.g. up to 4
///     sequences of 8 KV heads; batch-1 ITL -9 us against 256 for every step);
///   256 tokens (85-88% of copy per CTA) while one CTA per (sequence, KV head) does not fill
///     every SM twice;
///   512 tokens above: every context of up to 512 tokens is one split, with no merge.
constexpr DecodeSplitTier kDecodeSplitTiers[] = {{64, 0.25}, {256, 2.0}, {512, 0.0}};

/// The decode branch of a paged attention, at the package's bounds: its split tiers that some
/// step of at most maxSeqs sequences takes, as (blocks per split, the most sequences that take
/// it), smallest first.
struct DecodeSplit {
  struct Tier {
    int64_t blocks, lastSeqs;
  };
  llvm::SmallVector<Tier> tiers;
  int64_t maxBlocks, maxSeqs;

  /// The largest split: the Config's BLOCKS_PER_SPLIT.
  int64_t blocksPerSplit() const { return tiers.back().blocks; }
  /// Sequence x split partials per query head of the widest grid a step launches.
  int64_t maxPartialsPerHead() const {
    int64_t partials = 0;
    for (const Tier &tier : tiers)
      partials = std::max(partials, tier.lastSeqs * llvm::divideCeilSigned(maxBlocks, tier.blocks));
    return partials;
  }
  /// The grid's x extent (the splits per sequence) for the step's `seqs` and `blocksPerSeq`:
  /// blocks_0 + sum over later tiers of (blocks_i - blocks_i-1) * [seqs > lastSeqs_i-1].
  std::string splits(llvm::StringRef blocksPerSeq, llvm::StringRef seqs) const {
    std::string perSplit = std::to_string(tiers.front().blocks);
    for (size_t i = 1; i < tiers.size(); ++i)
      perSplit += " + " + std::to_string(tiers[i].blocks - tiers[i - 1].blocks) + " * min(1, max(0, " + seqs.str() +
                  " - " + std::to_string(tiers[i - 1].lastSeqs) + "))";
    return "ceildiv(" + blocksPerSeq.str() + ", " + perSplit + ")";
  }
};

/// The decode branch's split, or nullopt when the op keeps the prefill kernel for every step:
/// loom/attention_decode.cuh has no configuration for its head grouping, or its rows are not
/// the `tokens` and sequences the `seqs` a launch guard compares.
std::optional<DecodeSplit> decodeSplit(graph::PagedAttentionOp attention, const PackagePlan &plan) {
  int64_t heads = attention.getNumHeads(), kvHeads = attention.getNumKvHeads();
  if (kvHeads <= 0 || heads % kvHeads != 0)
    return std::nullopt;
  int64_t group = heads / kvHeads, headsPerWarp = std::min<int64_t>(group, kDecodeHeadsPerWarp);
  if (group % headsPerWarp != 0 || kDecodeWarps % (group / headsPerWarp) != 0)
    return std::nullopt;
  llvm::ArrayRef<std::string> tokens = plan.extents(attention.getQuery());
  llvm::ArrayRef<std::string> seqs = plan.extents(attention.getContextLens());
  llvm::ArrayRef<std::string> tables = plan.extents(attention.getBlockTables());
  if (tokens.empty() || tokens[0] != "tokens" || seqs.empty() || seqs[0] != "seqs" || tables.size() != 2)
    return std::nullopt;
  std::optional<int64_t> maxSeqs = plan.bound(seqs[0]), maxBlocks = plan.bound(tables[1]);
  if (!maxSeqs || !maxBlocks || !plan.hasDim("tokens"))
    return std::nullopt;
  int64_t blockSize = cacheType(attention.getCache()).getBlockSize();
  DecodeSplit split{{}, *maxBlocks, *maxSeqs};
  for (const DecodeSplitTier &tier : kDecodeSplitTiers) {
    int64_t blocks = std::max<int64_t>(1, tier.tokens / blockSize);
    int64_t lastSeqs = tier.pairsPerSm > 0 ? int64_t(tier.pairsPerSm * double(kDecodeSms) / double(kvHeads)) : *maxSeqs;
    lastSeqs = std::min(lastSeqs, *maxSeqs);
    if (!split.tiers.empty() && lastSeqs <= split.tiers.back().lastSeqs)
      continue; // no step takes it
    if (!split.tiers.empty() && split.tiers.back().blocks == blocks)
      split.tiers.back().lastSeqs = lastSeqs;
    else if (lastSeqs > 0)
      split.tiers.push_back({blocks, lastSeqs});
    if (lastSeqs == *maxSeqs)
      break;
  }
  if (split.tiers.empty()) // a package of no sequences
    return std::nullopt;
  return split;
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
  if (!element.isBF16() && !element.isF16() && !element.isF32())
    return unsupported(group, "the device library appends bf16, f16 or f32 rows only");

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
  addRopeFrequencyParameters(kernel, keyRope);
  kernel.setLibraryLaunch(
      "rope_kv_append",
      {{"heads", query->width / headDim}, {"kv_heads", cache.getKvHeads()}, {"head_dim", headDim},
       {"block_size", cache.getBlockSize()}, {"rows", kKvAppendRowsPerCta},
       {"interleaved", keyRope.getStyle() == graph::RopeStyle::interleaved}},
      kKvAppendThreads, {"ceildiv(" + rows[0] + ", " + std::to_string(kKvAppendRowsPerCta) + ")", "1", "1"}, 0);
  return mlir::success();
}

} // namespace

void addRopeFrequencyParameters(KernelBuilder &kernel, graph::RopeOp rope) {
  // loom::RopeFrequencies{theta, factor, lowFreqFactor, highFreqFactor, originalMaxPosition}:
  // factor <= 0 means no Llama-3 scaling.
  auto orZero = [](std::optional<llvm::APFloat> value) { return value ? value->convertToFloat() : 0.0f; };
  const std::array<float, tile::kRopeFrequencyParameters.size()> values = {
      rope.getTheta().convertToFloat(), orZero(rope.getScalingFactor()), orZero(rope.getLowFreqFactor()),
      orZero(rope.getHighFreqFactor()), float(rope.getOriginalMaxPosition().value_or(0))};
  for (auto [name, value] : llvm::zip_equal(tile::kRopeFrequencyParameters, values))
    kernel.floatParameter(name, value);
}

namespace {

/// The decode branch beside the prefill kernel `prefill`: the split kernel of
/// loom/attention_decode.cuh (its wrapper contract), launched on decode-only steps.
mlir::LogicalResult lowerPagedDecode(KernelBuilder &prefill, graph::PagedAttentionOp attention,
                                     const ColumnView &query, const DecodeSplit &split) {
  PackagePlan &plan = prefill.plan();
  graph::KVCacheType cache = cacheType(attention.getCache());
  mlir::Type element = cache.getElementType();
  int64_t heads = attention.getNumHeads(), kvHeads = attention.getNumKvHeads();
  int64_t headDim = attention.getHeadDim();
  std::string blocksPerSeq = plan.extents(attention.getBlockTables())[1];
  std::string seqs = plan.extents(attention.getContextLens())[0];
  const std::pair<llvm::StringRef, int64_t> config[] = {
      {"heads", heads}, {"kv_heads", kvHeads}, {"head_dim", headDim},
      {"block_size", cache.getBlockSize()}, {"blocks_per_split", split.blocksPerSplit()}};
  prefill.launchWhen("prefill");

  KernelBuilder &decode = prefill.addSibling("decode");
  decode.launchWhen("decode");
  if (mlir::failed(decode.pointer(query.root, "q")))
    return mlir::failure();
  decode.intParameter("q_row_stride", query.rootWidth);
  decode.kvPool("k_cache", true, element);
  decode.kvPool("v_cache", false, element);
  if (mlir::failed(decode.pointer(attention.getContextLens(), "context_lens")) ||
      mlir::failed(decode.pointer(attention.getBlockTables(), "block_tables")) ||
      mlir::failed(extentParameter(decode, "blocks_per_seq", blocksPerSeq)))
    return mlir::failure();
  decode.intParameter("layer", attention.getLayer());
  decode.intParameter("cache_blocks", cache.getBlocks());
  decode.floatParameter("scale", attention.getScale().convertToFloat());
  if (mlir::failed(decode.scratch("partial_out")) || mlir::failed(decode.scratch("partial_stats")) ||
      mlir::failed(decode.scratchCounters("split_counters")) ||
      mlir::failed(decode.pointer(prefill.group().outerOutput(0), "out")))
    return mlir::failure();
  decode.setLibraryLaunch("paged_attention_decode", config, 32 * kDecodeWarps,
                          {split.splits(blocksPerSeq, seqs), std::to_string(kvHeads), seqs},
                          0);
  return mlir::success();
}

/// What the paged attention variants decide on.
struct PagedAttentionFacts {
  mutable graph::PagedAttentionOp op; ///< (op accessors are not const)
  graph::KVCacheType cache;
  int64_t heads, kvHeads, headDim;
  mlir::Type element;
  ColumnView query; ///< Q, read in place: a view's root with its row width as the stride
};

std::string typeName(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  type.print(stream);
  return text;
}

/// The parameters of the paged attention library calls, in the order of
/// loom/attention_prefill.cuh (loom/attention_simt.cuh takes the same); the query tokens' extent
/// is returned for the launch grid.
mlir::FailureOr<std::string> addPagedParameters(KernelBuilder &kernel, const PagedAttentionFacts &f) {
  const Group &group = kernel.group();
  PackagePlan &plan = kernel.plan();
  graph::PagedAttentionOp attention = f.op;
  if (mlir::failed(kernel.pointer(f.query.root, "q")))
    return mlir::failure();
  kernel.intParameter("q_row_stride", f.query.rootWidth);
  kernel.kvPool("k_cache", true, f.element);
  kernel.kvPool("v_cache", false, f.element);
  if (mlir::failed(kernel.pointer(group.outerOutput(0), "out")) ||
      mlir::failed(kernel.pointer(attention.getSeqStarts(), "seq_starts")) ||
      mlir::failed(kernel.pointer(attention.getContextLens(), "context_lens")) ||
      mlir::failed(kernel.pointer(attention.getBlockTables(), "block_tables")))
    return mlir::failure();
  llvm::ArrayRef<std::string> seqs = plan.extents(attention.getContextLens());
  llvm::ArrayRef<std::string> tables = plan.extents(attention.getBlockTables());
  llvm::ArrayRef<std::string> tokens = plan.extents(group.outerOutput(0));
  if (seqs.empty() || tables.size() != 2 || tokens.empty() ||
      mlir::failed(extentParameter(kernel, "seqs", seqs[0])) ||
      mlir::failed(extentParameter(kernel, "blocks_per_seq", tables[1])))
    return mlir::failure();
  kernel.intParameter("layer", attention.getLayer());
  kernel.intParameter("cache_blocks", f.cache.getBlocks());
  kernel.floatParameter("scale", attention.getScale().convertToFloat());
  return tokens[0];
}

/// Why no tensor-core prefill kernel of kPrefillKernels (with loom/attention_decode.cuh beside
/// it) can take the op on the target, or "".
std::string tensorCoreProblem(KernelBuilder &kernel, const PagedAttentionFacts &f) {
  if (!selectPrefillKernel(kernel.target(), f.headDim, f.element))
    return "no tensor-core prefill kernel takes head_dim " + std::to_string(f.headDim) + " with " +
           typeName(f.element) + " KV (they take head dims 64 and 128, bf16 or f16)";
  if (f.query.rootWidth % 8 != 0)
    return "the query rows' width (" + std::to_string(f.query.rootWidth) + ") is not a multiple of 8";
  return "";
}

mlir::LogicalResult lowerTensorCoreAttention(KernelBuilder &kernel, const PagedAttentionFacts &f) {
  const PrefillKernel *prefill = selectPrefillKernel(kernel.target(), f.headDim, f.element);
  auto tokens = addPagedParameters(kernel, f);
  if (mlir::failed(tokens))
    return mlir::failure();
  graph::PagedAttentionOp attention = f.op;
  std::string seqs = kernel.plan().extents(attention.getContextLens())[0];
  // A bound on the query tiles of the ragged batch; CTAs past the last tile exit.
  std::string tiles = "ceildiv(" + *tokens + ", " + std::to_string(prefill->bm) + ") + " + seqs;
  llvm::SmallVector<std::pair<llvm::StringRef, int64_t>> config = {
      {"heads", f.heads}, {"kv_heads", f.kvHeads}, {"head_dim", f.headDim},
      {"block_size", f.cache.getBlockSize()}, {"causal", attention.getCausal()},
      {"bm", prefill->bm}, {"bn", prefill->bn}, {"warps", prefill->warps}};
  if (prefill->stages > 0)
    config.push_back({"stages", prefill->stages});
  kernel.setLibraryLaunch(prefill->library, config, 32 * prefill->warps,
                          {std::to_string(f.heads), tiles, "1"}, prefill->sharedBytes(*prefill, f.headDim));
  if (std::optional<DecodeSplit> split = decodeSplit(attention, kernel.plan()))
    return lowerPagedDecode(kernel, attention, f.query, *split);
  return mlir::success();
}

/// loom/attention_simt.cuh: warps per CTA (one query row of one head per CTA), its head dims.
constexpr int kSimtAttentionWarps = 4;
constexpr int64_t kSimtMaxHeadDim = 256;

std::string simtProblem(KernelBuilder &, const PagedAttentionFacts &f) {
  if (f.headDim < 1 || f.headDim > kSimtMaxHeadDim)
    return "head_dim " + std::to_string(f.headDim) + " exceeds the SIMT kernel's " +
           std::to_string(kSimtMaxHeadDim);
  if (!f.element.isBF16() && !f.element.isF16() && !f.element.isF32())
    return "the SIMT kernel reads bf16, f16 or f32 KV, not " + typeName(f.element);
  return "";
}

/// One kernel for every step (prefill, decode, mixed): grid (tokens, heads).
mlir::LogicalResult lowerSimtAttention(KernelBuilder &kernel, const PagedAttentionFacts &f) {
  auto tokens = addPagedParameters(kernel, f);
  if (mlir::failed(tokens))
    return mlir::failure();
  kernel.setLibraryLaunch("paged_attention_simt",
                          {{"heads", f.heads}, {"kv_heads", f.kvHeads}, {"head_dim", f.headDim},
                           {"block_size", f.cache.getBlockSize()}, {"causal", f.op.getCausal()},
                           {"warps", kSimtAttentionWarps}},
                          32 * kSimtAttentionWarps, {*tokens, std::to_string(f.heads), "1"}, 0);
  return mlir::success();
}

/// A paged attention kernel family: `problem` says why it cannot take the op ("" when it can).
/// The first that can is chosen; a later one is a fallback and records why the earlier could not.
struct PagedAttentionVariant {
  std::string (*problem)(KernelBuilder &, const PagedAttentionFacts &);
  mlir::LogicalResult (*lower)(KernelBuilder &, const PagedAttentionFacts &);
};
const PagedAttentionVariant kPagedAttentionVariants[] = {
    {tensorCoreProblem, lowerTensorCoreAttention},
    {simtProblem, lowerSimtAttention},
};

mlir::LogicalResult lowerPagedAttention(KernelBuilder &kernel, graph::PagedAttentionOp attention) {
  const Group &group = kernel.group();
  PackagePlan &plan = kernel.plan();
  graph::KVCacheType cache = cacheType(attention.getCache());
  PagedAttentionFacts facts{attention, cache, attention.getNumHeads(), attention.getNumKvHeads(),
                            attention.getHeadDim(), cache.getElementType(), {}};
  if (facts.kvHeads != cache.getKvHeads() || facts.headDim != cache.getHeadDim())
    return unsupported(group, "num_kv_heads and head_dim must match the kv_cache");
  mlir::Value queryOuter = group.outerInput(attention.getQuery());
  auto width = mlir::cast<mlir::RankedTensorType>(queryOuter.getType()).getDimSize(1);
  facts.query = plan.view(queryOuter).value_or(ColumnView{queryOuter, 0, width, width});
  if (facts.query.column != 0 || facts.query.width != facts.heads * facts.headDim)
    return unsupported(group, "the query must be the first heads · head_dim columns of its rows");
  llvm::SmallVector<std::string> problems;
  for (const PagedAttentionVariant &variant : kPagedAttentionVariants) {
    std::string problem = variant.problem(kernel, facts);
    if (!problem.empty()) {
      problems.push_back(problem);
      continue;
    }
    if (!problems.empty()) // tile-tiling remarks on it with `explain` (loomc --debug)
      kernel.builder().getInsertionBlock()->getParentOp()->setAttr(
          tile::kFallbackAttrName, kernel.builder().getStringAttr(llvm::join(problems, "; ")));
    return variant.lower(kernel, facts);
  }
  return unsupported(group, "no paged attention kernel fits: " + llvm::join(problems, "; "));
}

} // namespace

llvm::SmallVector<ScratchRequest> attentionScratch(const Group &group, const PackagePlan &plan) {
  auto attention = mlir::dyn_cast<graph::PagedAttentionOp>(group.anchor);
  std::optional<DecodeSplit> split = attention ? decodeSplit(attention, plan) : std::nullopt;
  if (!split)
    return {};
  // Per sequence, query head and split: HEAD_DIM output floats and (max, sum); per sequence and
  // KV head: the count of its splits that have stored their partials.
  int64_t partials = attention.getNumHeads() * split->maxPartialsPerHead();
  return {{"partial_out", partials * attention.getHeadDim()},
          {"partial_stats", partials * 2},
          {"split_counters", split->maxSeqs * attention.getNumKvHeads(), /*counters=*/true}};
}

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
