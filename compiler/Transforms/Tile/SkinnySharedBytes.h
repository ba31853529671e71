// SkinnySharedBytes: the dynamic shared memory of both skinny GEMM configs, stated once on the host.
#pragma once

// Plain constexpr arithmetic, no MLIR: tile-tiling sizes skinny launches with it, and the GPU
// tests and loom-bench (test/gpu/Kernels/Gemm/LinearKernelSource.h) launch with it and
// static_assert that the device Config's sharedBytes is exactly this value.

#include <algorithm>
#include <cstdint>

namespace loom::tile {

/// W rows per CTA of both skinny GEMMs (loom::SkinnyConfig::kWeightRows,
/// loom::sm90::SkinnySm90Config::kWeightRows).
inline constexpr int64_t kSkinnyWeightRowsPerCta = 128;
/// K columns per ring stage of loom::SkinnyConfig (kChunk); rows of 2-byte elements.
inline constexpr int64_t kSkinnyChunk = 128;
/// Bytes of one W or X row in a stage of the wgmma skinny ring: a 64-column bf16 K block.
inline constexpr int64_t kWgmmaSkinnyStageBytesPerRow = 128;
/// X rows per TMA box of the wgmma skinny GEMM (SkinnySm90Config::kXBoxRows).
inline constexpr int64_t kWgmmaSkinnyXBoxRows = 64;

/// Bytes of the split-K partial sums both skinny GEMMs keep for `maxM` rows (kPartialBytes:
/// a float row per X row, padded by 4 floats).
constexpr int64_t skinnyPartialBytes(int64_t maxM) { return maxM * (kSkinnyWeightRowsPerCta + 4) * 4; }

/// loom::SkinnyConfig<maxM, SPLIT, stages>::sharedBytes (loom/gemm_skinny.cuh): the ring of
/// W and X chunks (reused for the partials), then the rows' sums of squares.
constexpr int64_t skinnySharedBytes(int64_t maxM, int64_t stages) {
  const int64_t ring = stages * (kSkinnyWeightRowsPerCta + maxM) * kSkinnyChunk * 2;
  return std::max(ring, skinnyPartialBytes(maxM)) + 4 * maxM;
}

/// SkinnySm90Config::kNarrowStages: stages of the same ring bytes when a stage holds one 64-row
/// X box (a CTA with at most 64 rows).
constexpr int64_t wgmmaSkinnyNarrowStages(int64_t maxM, int64_t stages) {
  return stages * (kSkinnyWeightRowsPerCta + maxM) * kWgmmaSkinnyStageBytesPerRow /
         ((kSkinnyWeightRowsPerCta + kWgmmaSkinnyXBoxRows) * kWgmmaSkinnyStageBytesPerRow);
}

/// loom::sm90::SkinnySm90Config<maxM, SPLIT, stages>::sharedBytes (loom/gemm_sm90_skinny.cuh):
/// 1024 B to align the ring, the ring (reused for the partials), 16 B of barriers per stage of
/// the narrow ring, then the rows' sums of squares.
constexpr int64_t wgmmaSkinnySharedBytes(int64_t maxM, int64_t stages) {
  const int64_t ring = stages * (kSkinnyWeightRowsPerCta + maxM) * kWgmmaSkinnyStageBytesPerRow;
  return 1024 + std::max(ring, skinnyPartialBytes(maxM)) + 16 * wgmmaSkinnyNarrowStages(maxM, stages) + 4 * maxM;
}

} // namespace loom::tile
