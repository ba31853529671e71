// CostModel: candidate tile configurations, their launch shapes and roofline estimates.
//
// How it works: each family enumerates configurations from small tables. A configuration's
// launch shape (threads, dynamic shared memory, grid as a dim expression) follows the device
// library's wrapper contracts; its time is the roofline max(bytes / bandwidth, flops / peak)
// where GEMM compute is quantized to whole waves of CTAs (CTAs per SM limited by shared
// memory, registers and threads) and a tile takes the longer of its math and its operands'
// L2 traffic (small tiles re-read X and W more often). GEMMs are scored at the row bound (max tokens) and at a
// small M (decode), so a configuration that only wins at one of them does not take both.
#include "compiler/Transforms/Tile/CostModel.h"

#include "compiler/Transforms/Tile/GemvVariants.h"
#include "compiler/Transforms/Tile/MmaAtoms.h"
#include "compiler/Transforms/Tile/SkinnyVariants.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace loom::tile {

namespace {

using Values = std::map<std::string, int64_t>;

/// GEMV configurations (warps, max_m, row_tiles, unroll) in the order of their measured speed
/// on the H100 (docs/perf-gemm.md: 16 warps of one row tile at M <= 8; at M = 16, 16 warps for
/// short N, 4 for long N); the cost model's ties go to the first, and fewer warps win where
/// they let every CTA be resident at once (kGemvWaveTurnaroundSeconds). max_m x 16 x row_tiles
/// / 2 output pairs must not exceed the threads (loom/gemv.cuh). {4, 8, 1, 2} is MAX_M 8's
/// counterpart of {4, 16, 1, 2}: 4 resident CTAs per SM with gated registers (one wave of a 1B
/// model's 512 gate/up CTAs, as measured at MAX_M 16). Gated GEMVs take one row tile only: two
/// measured slower in the 1B decode chain (8 warps +67 us per 16 layers, 16 warps spill;
/// docs/perf-baseline.md, session 7).
constexpr std::array<std::array<int64_t, 4>, 10> kGemvCandidates = {{
    {16, 8, 1, 2}, {16, 8, 1, 4}, {8, 8, 1, 2}, {4, 8, 1, 4}, {4, 8, 2, 2}, {4, 8, 1, 2},
    {16, 16, 1, 2}, {4, 16, 1, 2}, {8, 16, 1, 2}, {8, 16, 2, 2}}};

/// Bytes of W loads one SM needs in flight to stream at the memory bandwidth (about the
/// bandwidth-latency product over the SMs: 3 TB/s x ~1.3 us / 132).
constexpr double kGemvBytesInFlightPerSm = 32 * 1024;
/// What a GEMV pays when its CTAs do not all fit on the SMs at once: the SMs of the next wave
/// start only after CTAs of the first drain (reduction, epilogue, exit, the new CTA's first
/// loads). Measured on the H100 in a 16-layer decode chain (docs/perf-baseline.md, session 7):
/// QKV (192 CTAs) 1.7 us faster as one wave of 8-warp CTAs than as 1.45 waves of 16-warp ones,
/// gate/up (512 CTAs) 3.6 us faster as one wave of 4-warp CTAs than as 3.9 waves. Paid once:
/// where every configuration needs several waves (an LM head), CTAs of different SMs drift apart
/// and the stream stays at the bandwidth (98.8% of copy measured), so bandwidth decides.
constexpr double kGemvWaveTurnaroundSeconds = 2e-6;

/// Split K over a thread-block cluster (loom/gemv.cuh's SPLIT, sm_90), measured on the H100 in
/// CUDA graphs of PDL launches (docs/perf-gemm.md, session 9): a GEMV grid of fewer CTAs than
/// SMs streams W at about kGemvSmBytesPerSecond per busy SM (one 16-warp CTA per SM: 74-78 GB/s
/// at 8 and 16 CTAs), at most at the copy rate (3.0 of the H100's 3.35 TB/s); a split pays
/// kGemvClusterSeconds for its cluster barriers and the reduction through distributed shared memory
/// (0.9-1.0 us more than split 1 for QKV, o_proj and down; clusters alone cost nothing). So a split
/// pays only on grids that leave most SMs idle (W of 128 x 8192: 5.5 -> 3.6 us at split 8), never
/// to even out a partial second wave (QKV's 192 CTAs: 6.5 -> 7.4 us at split 2).
constexpr double kGemvSmBytesPerSecond = 77e9;
constexpr double kGemvStreamEfficiency = 3.0 / 3.35;
constexpr double kGemvClusterSeconds = 1.0e-6;
constexpr std::array<int64_t, 3> kGemvSplits = {2, 4, 8}; // a portable cluster has at most 8 CTAs

/// The W stream of a GEMV grid of `ctas` CTAs: each busy SM's rate, at most the copy rate.
double gemvStreamSeconds(double bytes, int64_t ctas, const GpuTarget &target) {
  const double busy = double(std::min<int64_t>(ctas, target.multiprocessors));
  return bytes / std::min(target.memoryBytesPerSecond * kGemvStreamEfficiency, busy * kGemvSmBytesPerSecond);
}

/// A GEMV's K split and the seconds it saves over split 1 ({1, 0} when none pays): the split of
/// the shortest stream plus cluster cost, among those whose CTAs fit the `slots` resident at once
/// and give every warp of every rank a K step of `stepK` columns (sm_90 and up: clusters).
std::pair<int64_t, double> gemvSplit(double bytes, int64_t ctas, int64_t slots, int64_t warps, int64_t stepK,
                                     int64_t k, const GpuTarget &target) {
  const double unsplit = gemvStreamSeconds(bytes, ctas, target);
  std::pair<int64_t, double> best = {1, 0.0};
  for (int64_t split : kGemvSplits) {
    if (target.sm < 90 || split * warps * stepK > k || ctas * split > slots)
      break;
    const double saved = unsplit - gemvStreamSeconds(bytes, ctas * split, target) - kGemvClusterSeconds;
    if (saved > best.second)
      best = {split, saved};
  }
  return best;
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::string ceilDivExpr(const std::string &a, int64_t b) {
  return b == 1 ? a : "ceildiv(" + a + ", " + std::to_string(b) + ")";
}

/// CTAs one SM runs at once with `config`.
int64_t ctasPerSm(const TileConfig &config, const GpuTarget &target) {
  int64_t byThreads = target.maxThreadsPerSm / std::max(config.threads, 1);
  int64_t byRegisters = target.registersPerSm / std::max(config.threads * config.registersEstimate, 1);
  int64_t shared = config.sharedBytes + config.staticSharedBytes;
  int64_t byShared = shared ? target.sharedBytesPerSm / shared : 32;
  return std::max<int64_t>(0, std::min({byThreads, byRegisters, byShared, int64_t(32)}));
}

/// GEMM time for M rows: whole waves of output tiles, each tile's math at the per-CTA peak.
double gemmSeconds(const KernelShape &shape, const GpuTarget &target, const TileConfig &config,
                   int64_t m, int64_t bm, int64_t bn) {
  int64_t tiles = ceilDiv(m, bm) * ceilDiv(shape.n, bn);
  int64_t slots = target.multiprocessors * std::max<int64_t>(ctasPerSm(config, target), 1);
  double waves = double(ceilDiv(tiles, slots));
  // A tile's time: its math at the per-CTA peak, or its operands through its share of L2.
  double perCtaFlops = target.tensorFlopsPerSecond / double(slots);
  double perCtaOperandBytes = target.l2BytesPerSecond / double(slots);
  double compute = waves * std::max(2.0 * double(bm * bn * shape.k) / perCtaFlops,
                                    double((bm + bn) * shape.k * 2) / perCtaOperandBytes);
  double bytes = double(m * shape.k + shape.n * shape.k + m * shape.n) * 2.0;
  return std::max(compute, bytes / target.memoryBytesPerSecond);
}

/// The GEMM's time at the roofline for M rows: no tile or wave losses.
double gemmFloorSeconds(const KernelShape &shape, const GpuTarget &target, int64_t m) {
  double bytes = double(m * shape.k + shape.gating * shape.n * shape.k + m * shape.n) * 2.0;
  return rooflineSeconds(bytes, 2.0 * double(m * shape.n * shape.k * shape.gating), target);
}

/// The row counts a GEMM is scored at: powers of two above the rows its decode GEMV and skinny
/// copies take when tile-tiling added them (launch guards `rows > 16`, `rows > 128`; none in
/// batch-invariant mode), up to and including its bound.
std::vector<int64_t> guardedRows(const KernelShape &shape) {
  std::vector<int64_t> rows;
  for (int64_t m = int64_t(llvm::PowerOf2Ceil(uint64_t(shape.rowsAbove + 1))); m < shape.rowsBound; m *= 2)
    rows.push_back(m);
  rows.push_back(shape.rowsBound);
  return rows;
}

/// The keys each GEMM configuration kind must give (its distinguishing key first).
const std::vector<std::vector<std::string>> kGemmConfigKeys = {
    {"split", "max_m", "ring"},                          // skinny (SkinnyVariants.h)
    {"max_m", "warps", "row_tiles", "unroll"},           // GEMV
    {"consumers", "bm", "bn", "stages", "group_m"},      // wgmma
    {"bk", "bm", "bn", "stages", "warps_m", "warps_n"}}; // mma.sync

mlir::FailureOr<TileConfig> completeGemm(const KernelShape &shape, const GpuTarget &target,
                                         const Values &v, TileConfig config) {
  // A configuration missing a key of its kind (a bad tuning entry, a hand-written config)
  // fails instead of aborting on a missing value.
  for (const std::vector<std::string> &keys : kGemmConfigKeys) {
    if (!v.count(keys.front()))
      continue;
    for (const std::string &key : keys)
      if (!v.count(key))
        return mlir::failure();
    break;
  }
  if (v.count("split")) // skinny: its configuration is a rule of the shape
    return skinnyConfig(shape, target);
  if (!v.count("max_m") && !v.count("consumers") && !v.count("bk"))
    return mlir::failure();
  // Scored over the rows the GEMM's launch guard leaves it: each row count's time over its own
  // floor, so a tile that quantizes badly at 1k rows loses even if it wins at the bound.
  auto score = [&](int64_t bm, int64_t bn) {
    std::vector<int64_t> rows = guardedRows(shape);
    double relative = 0;
    for (int64_t m : rows)
      relative += gemmSeconds(shape, target, config, m, bm, bn) / gemmFloorSeconds(shape, target, m);
    return gemmFloorSeconds(shape, target, shape.rowsBound) * relative / double(rows.size());
  };
  if (v.count("max_m")) { // GEMV: W streamed once, X rows on the tensor cores' B side
    int64_t cols = 16 * v.at("row_tiles");
    config.values["bm"] = v.at("max_m"); // the output tile a program stores
    config.values["bn"] = cols;
    config.threads = 32 * v.at("warps");
    // 16 bytes of 2 W rows per row tile, unroll step and gate, double-buffered (ptxas, sm_90a:
    // 66-108 registers ungated at 16 rows, 98-100 gated with one row tile and unroll 2).
    config.registersEstimate = 64 + 16 * v.at("row_tiles") * v.at("unroll") * shape.gating;
    double bytes = double(shape.gating * shape.n * shape.k) * 2.0;
    // Split K over a cluster where the grid leaves SMs idle; split 1 leaves no k_split key.
    const int64_t tiles = ceilDiv(shape.n, cols), rowBlocks = ceilDiv(shape.rowsBound, v.at("max_m"));
    int64_t slots = target.multiprocessors * std::max<int64_t>(ctasPerSm(config, target), 1);
    auto [split, splitSaves] = gemvSplit(bytes, tiles * rowBlocks, slots, v.at("warps"), 32 * v.at("unroll"), shape.k, target);
    if (split > 1)
      config.values["k_split"] = split;
    config.grid = {std::to_string(tiles * split), ceilDivExpr(shape.rows, v.at("max_m")), "1"};
    // The W stream runs at full bandwidth only with every SM busy and enough loads in flight:
    // each warp has 2 rows x row_tiles x unroll 16-byte loads per lane (x gating) outstanding.
    int64_t ctas = tiles * rowBlocks; // (a split's ranks counted in splitSaves)
    int64_t resident = std::min(ceilDiv(ctas, target.multiprocessors), std::max<int64_t>(ctasPerSm(config, target), 1));
    double inFlight = double(resident * v.at("warps") * 2 * v.at("row_tiles") * v.at("unroll") * shape.gating * 512);
    double idleSms = std::max(1.0, double(target.multiprocessors) / double(ctas));
    config.seconds = bytes / target.memoryBytesPerSecond * double(ceilDiv(shape.rowsBound, v.at("max_m"))) *
                         idleSms * std::max(1.0, kGemvBytesInFlightPerSm / inFlight) +
                     (ctas > slots ? kGemvWaveTurnaroundSeconds : 0.0) - splitSaves;
    return config;
  }
  int64_t bm = v.at("bm"), bn = v.at("bn"), stages = v.at("stages");
  if (v.count("consumers")) { // wgmma: producer warpgroup + 64 rows per consumer warpgroup
    int64_t stageBytes = (bm + bn) * 64 * 2;
    config.threads = 128 * (v.at("consumers") + 1);
    // Ring + barriers + the staging buffers of the 16-byte epilogue stores (2 KiB per consumer
    // warp, loom/gemm_sm90.cuh); without them the kernel falls back to slower pair stores.
    config.sharedBytes = int(1024 + stages * (stageBytes + 16) + v.at("consumers") * 4 * 2048);
    config.registersEstimate = std::min<int64_t>(240, bn / 2 + 40);
    // Gated: a stage holds bn / 2 gate rows and the matching up rows, so a tile has bn / 2 outputs.
    int64_t outputsN = bn / shape.gating, tilesN = ceilDiv(shape.n, outputsN);
    config.grid = {"min(" + ceilDivExpr(shape.rows, bm) + " * " + std::to_string(tilesN) + ", " +
                       std::to_string(target.multiprocessors) + ")",
                   "1", "1"};
    config.seconds = score(bm, outputsN);
    return config;
  }
  int64_t bk = v.at("bk"), warpsM = v.at("warps_m"), warpsN = v.at("warps_n");
  config.threads = int(32 * warpsM * warpsN);
  // Gated: each output tile multiplies bn gate rows and bn up rows (loom/gemm.cuh).
  config.sharedBytes = int(stages * (bm + shape.gating * bn) * bk * 2);
  int64_t accumulators = shape.gating * bm * bn / config.threads;
  config.registersEstimate = int(accumulators + (bm / warpsM / 16) * 4 + (bn / warpsN / 8) * 2 + 40);
  config.grid = {ceilDivExpr(shape.rows, bm) + " * " + std::to_string(ceilDiv(shape.n, bn)), "1", "1"};
  config.seconds = score(bm, bn);
  return config;
}

std::vector<Values> gemmCandidates(const KernelShape &shape, const GpuTarget &target) {
  std::vector<Values> candidates;
  std::string why;
  const MmaAtom *atom = selectMmaAtom(target, shape.operand, shape.rowScale, why);
  if (!atom)
    return candidates;
  if (shape.rowsBound <= kGemvMaxRows) {
    for (auto [warps, maxM, rowTiles, unroll] : kGemvCandidates)
      if ((maxM >= 16) == (shape.rowsBound > 8) && (shape.gating == 1 || rowTiles == 1))
        candidates.push_back({{"warps", warps}, {"max_m", maxM}, {"row_tiles", rowTiles}, {"unroll", unroll}});
    return candidates;
  }
  if (atom->needsWgmma) {
    // 192x256 does not compile (ptxas C7602, rejected by gemm_sm90.cuh); group_m 16 measured
    // 0-4% faster than 8 at 8192^3 (docs/perf-wgmma.md).
    for (auto [bm, bn] : {std::pair{128, 128}, {128, 256}, {192, 128}})
      for (int stages : {3, 4, 5})
        candidates.push_back({{"bm", bm}, {"bn", bn}, {"stages", stages}, {"consumers", bm / 64}, {"group_m", 16}});
    return candidates;
  }
  for (auto [bm, bn, warpsM, warpsN] :
       {std::tuple{64, 64, 2, 2}, {128, 64, 2, 2}, {64, 128, 2, 2}, {128, 128, 2, 2}, {128, 128, 2, 4}, {128, 256, 2, 4}})
    for (int bk : {32, 64})
      for (int stages : {2, 3, 4})
        candidates.push_back({{"bm", bm}, {"bn", bn}, {"bk", bk}, {"warps_m", warpsM}, {"warps_n", warpsN}, {"stages", stages}});
  return candidates;
}

/// The widest vector (elements) that keeps accesses at most 16 bytes and divides `length`.
int64_t vectorWidth(int64_t narrowestBytes, int64_t length) {
  for (int64_t vec = 16 / narrowestBytes; vec > 1; vec /= 2)
    if (length % vec == 0)
      return vec;
  return 1;
}

} // namespace

double rooflineSeconds(double bytes, double flops, const GpuTarget &target) {
  return std::max(bytes / target.memoryBytesPerSecond, flops / target.tensorFlopsPerSecond);
}

std::string launchProblem(const TileConfig &config, const GpuTarget &target) {
  if (config.threads > 1024)
    return std::to_string(config.threads) + " threads exceed 1024";
  if (int shared = config.sharedBytes + config.staticSharedBytes; shared > target.sharedBytesPerBlock)
    return std::to_string(shared) + " bytes of shared memory" +
           (config.staticSharedBytes ? " (" + std::to_string(config.staticSharedBytes) + " of them static)" : "") +
           " exceed " + target.name.str() + "'s " + std::to_string(target.sharedBytesPerBlock);
  if (config.registersEstimate > 255)
    return "about " + std::to_string(config.registersEstimate) + " registers per thread exceed 255";
  if (ctasPerSm(config, target) < 1)
    return "not one CTA fits on an SM";
  return "";
}

mlir::FailureOr<TileConfig> completeConfig(const KernelShape &shape, const GpuTarget &target,
                                           Values values) {
  TileConfig config;
  config.values = values;
  config.staticSharedBytes = int(shape.staticSharedBytes);
  if (shape.family == KernelFamily::kGemm)
    return completeGemm(shape, target, values, config);
  double seconds = rooflineSeconds(shape.bytes, shape.flops, target);
  if (shape.family == KernelFamily::kVector) {
    config.threads = int(values.at("threads"));
    config.registersEstimate = int(32 + 8 * values.at("vec") * values.at("unroll") / 4);
    config.grid[0] = ceilDivExpr(shape.rows, values.at("block"));
  } else {
    config.threads = int(values.at("threads_per_row") * values.at("rows"));
    // A streamed row costs a packet of registers per thread, a held one its share of the row.
    config.registersEstimate =
        shape.streamsRows ? int(48 + values.at("vec"))
                          : int(32 + 2 * ceilDiv(shape.rowLength, values.at("threads_per_row")));
    config.grid[0] = ceilDivExpr(shape.rows, values.at("rows"));
  }
  // Partly used warps and too few CTAs to fill the machine stretch the time.
  int64_t ctas = shape.family == KernelFamily::kVector
                     ? ceilDiv(shape.rowsBound, values.at("block"))
                     : ceilDiv(shape.rowsBound, values.at("rows"));
  double laneUse = double(config.threads) / double(ceilDiv(config.threads, 32) * 32);
  config.seconds = seconds / laneUse *
                   std::max(1.0, double(target.multiprocessors) / double(std::max<int64_t>(ctas, 1)));
  return config;
}

std::vector<TileConfig> candidateConfigs(const KernelShape &shape, const GpuTarget &target) {
  std::vector<Values> candidates;
  if (shape.family == KernelFamily::kGemm) {
    candidates = gemmCandidates(shape, target);
  } else if (shape.family == KernelFamily::kVector) {
    int64_t vec = 16 / shape.narrowestBytes;
    for (int unroll : {1, 2, 4})
      candidates.push_back({{"vec", vec}, {"unroll", unroll}, {"threads", 256}, {"block", vec * unroll * 256}});
  } else {
    int64_t vec = vectorWidth(shape.narrowestBytes, shape.rowLength);
    // Rows stay in registers: at most 8 packets of a row per thread.
    int64_t perRow = int64_t(llvm::PowerOf2Ceil(uint64_t(ceilDiv(shape.rowLength, vec * 8))));
    perRow = std::clamp<int64_t>(perRow, 8, 1024);
    for (int64_t rows = 64; rows >= 1; rows /= 2) // ties go to the larger CTA
      if (rows * perRow <= 1024)
        candidates.push_back({{"vec", vec}, {"threads_per_row", perRow}, {"rows", rows}});
  }
  std::vector<TileConfig> configs;
  for (Values &values : candidates)
    if (auto config = completeConfig(shape, target, values); mlir::succeeded(config))
      configs.push_back(*config);
  return configs;
}

} // namespace loom::tile
