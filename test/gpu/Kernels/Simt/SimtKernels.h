// The fallback kernels the tests run (loom/gemm_simt.cuh, loom/attention_simt.cuh, f32 and small
// heads of loom/kv_append.cuh) as wrapper sources in tables, with the element types and host
// rounding they need.
#pragma once

#include "runtime/CUDA/GpuArch.h"
#include "test/gpu/GpuTestSupport.h"

#include <fmt/format.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace loom::testing {

/// Storage types of the fallbacks.
enum class Element { kF32, kBf16, kF16 };

struct ElementInfo {
  Element element;
  const char *name, *device;
  size_t bytes;
};
inline constexpr ElementInfo kElements[] = {
    {Element::kF32, "f32", "float", 4}, {Element::kBf16, "bf16", "loom::bf16", 2}, {Element::kF16, "f16", "loom::f16", 2}};
inline const ElementInfo &elementInfo(Element element) { return kElements[int(element)]; }

/// `value` rounded to `element` (round to nearest even).
inline float roundTo(Element element, float value) {
  if (element == Element::kBf16)
    return bf16ToFloat(bf16Bits(value));
  if (element == Element::kF16)
    return float(static_cast<_Float16>(value));
  return value;
}

/// The bytes of already rounded values stored as `element`.
inline std::vector<uint8_t> encode(Element element, const std::vector<float> &values) {
  std::vector<uint8_t> bytes(values.size() * elementInfo(element).bytes);
  for (size_t i = 0; i < values.size(); ++i) {
    if (element == Element::kF32) {
      std::memcpy(&bytes[4 * i], &values[i], 4);
    } else if (element == Element::kBf16) {
      const uint16_t bits = bf16Bits(values[i]);
      std::memcpy(&bytes[2 * i], &bits, 2);
    } else {
      const _Float16 half = static_cast<_Float16>(values[i]);
      std::memcpy(&bytes[2 * i], &half, 2);
    }
  }
  return bytes;
}

inline std::vector<float> decode(Element element, const std::vector<uint8_t> &bytes) {
  std::vector<float> values(bytes.size() / elementInfo(element).bytes);
  for (size_t i = 0; i < values.size(); ++i) {
    if (element == Element::kF32) {
      std::memcpy(&values[i], &bytes[4 * i], 4);
    } else if (element == Element::kBf16) {
      uint16_t bits;
      std::memcpy(&bits, &bytes[2 * i], 2);
      values[i] = bf16ToFloat(bits);
    } else {
      _Float16 half;
      std::memcpy(&half, &bytes[2 * i], 2);
      values[i] = float(half);
    }
  }
  return values;
}

/// `count` values uniform in [-scale, scale), rounded to `element`.
inline std::vector<float> randomValues(Element element, size_t count, uint32_t seed, float scale = 1.0f) {
  std::vector<float> values = randomFloats(count, seed);
  for (float &value : values)
    value = roundTo(element, scale * value);
  return values;
}

/// GemmSimtConfig<BM, BN, BK, TM, TN>: the two tiles tile-tiling picks (SimtFallback.cpp).
struct GemmTile {
  int bm, bn, bk, tm, tn;
  int threads() const { return bm / tm * (bn / tn); }
};
inline constexpr GemmTile kGemmTiles[] = {{16, 64, 16, 1, 4}, {64, 64, 16, 4, 4}};

/// What a GEMM kernel folds in: nothing; the RMSNorm prologue with a gated silu; bias + residual.
enum class GemmVariant { kPlain, kRmsGatedSilu, kBiasResidual };

inline std::string gemmKernelName(Element element, int tile, GemmVariant variant) {
  return fmt::format("simt_gemm_{}_{}_{}", elementInfo(element).name, tile, int(variant));
}

/// extern "C" wrapper of one GEMM: (x, w, bias, residual, y, M, N, K); bias and residual are
/// read only by kBiasResidual.
inline std::string gemmKernelSource(Element element, int tile, GemmVariant variant) {
  const GemmTile &t = kGemmTiles[tile];
  const std::string type = elementInfo(element).device;
  const bool rms = variant == GemmVariant::kRmsGatedSilu;
  const std::string parts = variant == GemmVariant::kBiasResidual
                                ? fmt::format(", loom::epi::Bias<{0}>{{bias}}, loom::epi::Residual<{0}>{{residual, N}}", type)
                                : "";
  return fmt::format(
      "#include \"loom/gemm_simt.cuh\"\n"
      "extern \"C\" __global__ __launch_bounds__({1}) void {2}(const {0} *x, const {0} *w, const {0} *bias, "
      "const {0} *residual, {0} *y, int M, int N, int K) {{\n"
      "  loom::gemmSimt<loom::GemmSimtConfig<{3}, {4}, {5}, {6}, {7}>, {0}, {8}, {9}>(x, w, M, N, K, {10}, "
      "loom::epi::makeEpilogue(y, N{11}));\n}}\n",
      type, t.threads(), gemmKernelName(element, tile, variant), t.bm, t.bn, t.bk, t.tm, t.tn,
      rms ? "loom::RmsNormPrologue" : "loom::NoPrologue", rms ? "loom::Gated<loom::Silu>" : "loom::NoGating",
      rms ? "loom::RmsNormPrologue{1e-5f}" : "loom::NoPrologue{}", parts);
}

/// Attention instantiations: element, heads : kv heads, head dim, causal.
struct AttentionCase {
  Element element;
  int heads, kvHeads, headDim;
  bool causal;
  static constexpr int kBlockSize = 16, kWarps = 4;
  std::string name() const {
    return fmt::format("simt_attention_{}_h{}_{}_d{}_{}", elementInfo(element).name, heads, kvHeads, headDim,
                       causal ? "causal" : "full");
  }
  std::string source() const {
    return fmt::format(
        "#include \"loom/attention_simt.cuh\"\n"
        "extern \"C\" __global__ __launch_bounds__({7}) void {1}(const {0} *q, int qRowStride, const {0} *kCache, "
        "const {0} *vCache, {0} *out, const int *seqStarts, const int *contextLens, const int *blockTables, "
        "int seqs, int blocksPerSeq, int layer, int cacheBlocks, float scale) {{\n"
        "  loom::attentionSimt<{0}, {2}, {3}, {4}, {5}, {6}, {8}>(q, qRowStride, kCache, vCache, out, seqStarts, "
        "contextLens, blockTables, seqs, blocksPerSeq, layer, cacheBlocks, scale);\n}}\n",
        elementInfo(element).device, name(), heads, kvHeads, headDim, kBlockSize, causal ? "true" : "false",
        32 * kWarps, kWarps);
  }
};

inline constexpr AttentionCase kAttentionCases[] = {
    {Element::kF32, 8, 4, 8, true},   {Element::kF32, 8, 4, 32, true}, {Element::kBf16, 8, 4, 8, true},
    {Element::kBf16, 4, 2, 32, true}, {Element::kF32, 8, 4, 8, false}, {Element::kF16, 2, 1, 256, true},
};

/// ropeKvAppend instantiations (loom/kv_append.cuh) with f32 and small heads.
struct RopeCase {
  Element element;
  bool interleaved;
  int heads, kvHeads, headDim;
  static constexpr int kBlockSize = 16, kRows = 4, kThreads = 128;
  std::string name() const {
    return fmt::format("rope_kv_append_{}_{}_d{}", elementInfo(element).name, interleaved ? "interleaved" : "half", headDim);
  }
  std::string source() const {
    return fmt::format(
        "#include \"loom/kv_append.cuh\"\n"
        "extern \"C\" __global__ __launch_bounds__({7}, 1) void {1}({0} *qkv, const int *positions, const int *slots, "
        "{0} *kCache, {0} *vCache, int tokens, int layer, int cacheBlocks) {{\n"
        "  loom::ropeKvAppend<{0}, loom::RopeStyle::{2}, {3}, {4}, {5}, {6}, {8}>(qkv, positions, slots, kCache, vCache, "
        "tokens, layer, cacheBlocks, loom::RopeFrequencies{{10000.0f, 0.0f, 0.0f, 0.0f, 0.0f}});\n}}\n",
        elementInfo(element).device, name(), interleaved ? "kInterleaved" : "kRotateHalf", heads, kvHeads, headDim,
        kBlockSize, kThreads, kRows);
  }
};

inline const RopeCase kRopeCases[] = {
    {Element::kF32, false, 8, 4, 8},  {Element::kF32, true, 8, 4, 8},  {Element::kBf16, false, 8, 4, 8},
    {Element::kF16, true, 4, 2, 16}, {Element::kF32, false, 4, 2, 32},
    // Lanes per head not dividing the 128 threads: bf16 head_dim 96 (6 lanes), f16 head_dim 18
    // (rotate-half pairs of one element), f32 head_dim 256 interleaved (64 lanes).
    {Element::kBf16, false, 4, 2, 96}, {Element::kBf16, true, 4, 2, 96},
    {Element::kF16, false, 2, 1, 18},  {Element::kF32, true, 2, 1, 256},
};

/// Every wrapper of the tables, (name, source).
inline std::vector<std::pair<std::string, std::string>> simtKernelSources() {
  std::vector<std::pair<std::string, std::string>> sources;
  for (const ElementInfo &e : kElements)
    for (int tile = 0; tile < 2; ++tile)
      for (GemmVariant variant : {GemmVariant::kPlain, GemmVariant::kRmsGatedSilu, GemmVariant::kBiasResidual})
        sources.emplace_back(gemmKernelName(e.element, tile, variant), gemmKernelSource(e.element, tile, variant));
  for (const AttentionCase &c : kAttentionCases)
    sources.emplace_back(c.name(), c.source());
  for (const RopeCase &c : kRopeCases)
    sources.emplace_back(c.name(), c.source());
  return sources;
}

/// Device buffers of any Element, and the table's kernels compiled once per process.
class SimtGpuTest : public DeviceBufferTest {
protected:
  uint64_t uploadAs(Element element, const std::vector<float> &values) { return upload(encode(element, values)); }
  std::vector<float> downloadAs(Element element, uint64_t address, size_t count) {
    return decode(element, download<uint8_t>(address, count * elementInfo(element).bytes));
  }
  /// The kernel `name` of `source`, or nullptr (a failure) when it does not compile or load.
  rt::Kernel *kernel(const std::string &name, const std::string &source) {
    static std::map<std::string, LoadedKernel> loaded;
    auto found = loaded.find(name);
    if (found == loaded.end()) {
      auto compiled = compileAndLoad(name, source);
      EXPECT_TRUE(compiled.isOk()) << compiled.status().toString();
      if (!compiled.isOk())
        return nullptr;
      found = loaded.emplace(name, std::move(compiled).value()).first;
    }
    return found->second.kernel.get();
  }
};

} // namespace loom::testing
