// The attention-family kernel wrappers (prefill, decode, kv_append, fused rope + kv_append)
// exactly as the CUDA emitter writes them, with their launch formulas; shared by the GPU tests,
// the NVRTC compile test and loom-bench.
#pragma once

#include "runtime/CUDA/Launch.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace loom::testing {

/// Storage type of activations and the KV pool.
enum class AttentionType { kBf16, kF16 };

inline const char *cudaTypeName(AttentionType type) {
  return type == AttentionType::kBf16 ? "loom::bf16" : "loom::f16";
}
inline const char *shortTypeName(AttentionType type) {
  return type == AttentionType::kBf16 ? "bf16" : "f16";
}

/// The static shape of one attention layer: what the op's attributes and kv_cache type fix.
struct AttentionShape {
  AttentionType type = AttentionType::kBf16;
  int heads = 32, kvHeads = 8, headDim = 128, blockSize = 16;

  std::string tag() const {
    return fmt::format("{}_h{}_kv{}_d{}_bs{}", shortTypeName(type), heads, kvHeads, headDim,
                       blockSize);
  }
};

/// `extern "C" __global__ __launch_bounds__(threads, 1) void name(params) { body; }`; the
/// minimum of one CTA per SM lets ptxas use up to 255 registers (without it, it aims at two).
inline std::string attentionWrapper(const std::string &include, const std::string &name,
                                    int threads, const std::string &params,
                                    const std::string &body) {
  return fmt::format("#include \"loom/{}\"\n"
                     "extern \"C\" __global__ __launch_bounds__({}, 1) void {}({}) {{\n"
                     "  {};\n}}\n",
                     include, threads, name, params, body);
}

/// Which prefill kernel: FA2-style mma.sync (sm_80+, loom/attention_prefill.cuh) or the Hopper
/// wgmma kernel with a producer warpgroup (sm_90a only, loom/attention_prefill_sm90.cuh).
enum class PrefillPath { kMmaSync, kSm90 };

/// attentionPrefill with AttentionPrefillConfig<headDim, bm, bn, warps>, or (kSm90)
/// attentionPrefillSm90 with AttentionPrefillSm90Config<headDim, bn, stages> (bm 128, 12 warps).
struct PrefillKernelSpec {
  AttentionShape shape;
  int bm = 128, bn = 64, warps = 8;
  bool causal = true;
  PrefillPath path = PrefillPath::kMmaSync;
  int stages = 2; ///< K/V ring depth of the Hopper kernel

  /// The Hopper kernel for `shape`: 128 query rows by `bn` positions, `stages` tiles in flight
  /// (the defaults are the compiler's choice, compiler/Conversion/GraphToTile/AttentionKernel.cpp).
  static PrefillKernelSpec sm90(AttentionShape shape, bool causal = true, int bn = 128,
                                int stages = 2) {
    return {shape, 128, bn, 12, causal, PrefillPath::kSm90, stages};
  }
  bool sm90Only() const { return path == PrefillPath::kSm90; }
  int threads() const { return warps * 32; }
  unsigned sharedBytes() const {
    if (sm90Only()) // AttentionPrefillSm90Config::kSharedBytes: slack, Q, K and V rings, barriers
      return unsigned(1024 + (bm + 2 * stages * bn) * shape.headDim * 2 + 8 * (1 + 4 * stages));
    return unsigned((bm + 2 * bn) * shape.headDim * 2);
  }
  std::string name() const {
    if (sm90Only())
      return fmt::format("paged_prefill_sm90_{}_{}x{}s{}{}", shape.tag(), bm, bn, stages,
                         causal ? "" : "_full");
    return fmt::format("paged_prefill_{}_{}x{}w{}{}", shape.tag(), bm, bn, warps,
                       causal ? "" : "_full");
  }
  std::string source() const {
    const char *t = cudaTypeName(shape.type);
    const std::string config =
        sm90Only() ? fmt::format("loom::sm90::AttentionPrefillSm90Config<{}, {}, {}>",
                                 shape.headDim, bn, stages)
                   : fmt::format("loom::AttentionPrefillConfig<{}, {}, {}, {}>", shape.headDim,
                                 bm, bn, warps);
    return attentionWrapper(
        sm90Only() ? "attention_prefill_sm90.cuh" : "attention_prefill.cuh", name(), threads(),
        fmt::format("const {0} *q, int qRowStride, const {0} *kCache, const {0} *vCache, "
                    "{0} *out, const int *seqStarts, const int *contextLens, "
                    "const int *blockTables, int seqs, int blocksPerSeq, int layer, "
                    "int cacheBlocks, float scale",
                    t),
        fmt::format("{}<{}, {}, {}, {}, {}, {}>(q, qRowStride, kCache, vCache, out, seqStarts, "
                    "contextLens, blockTables, seqs, blocksPerSeq, layer, cacheBlocks, scale)",
                    sm90Only() ? "loom::sm90::attentionPrefillSm90" : "loom::attentionPrefill",
                    config, t, shape.heads, shape.kvHeads, shape.blockSize, causal));
  }
  rt::LaunchConfig launch(int tokens, int seqs) const {
    const unsigned tiles = unsigned((tokens + bm - 1) / bm + seqs);
    return {{unsigned(shape.heads), tiles, 1}, {unsigned(threads()), 1, 1}, sharedBytes()};
  }
};

/// Threads of the decode split kernel and of kv_append CTAs (AttentionDecodeConfig::kThreads,
/// loom::kKvAppendThreads); the wrappers spell thread counts as literals, as the emitter does.
constexpr int kDecodeThreads = 128, kKvAppendThreads = 128;

/// attentionDecodeSplit with AttentionDecodeConfig<..., blocksPerSplit>: splits, partials and
/// their in-kernel merge (no combine kernel).
struct DecodeKernelSpec {
  AttentionShape shape;
  int blocksPerSplit = 32; // 512 tokens: 88-93% of copy on the H100 (docs/perf-attention.md)
  /// The launch's split (<= blocksPerSplit; 0: blocksPerSplit): the grid's x extent is
  /// ceil(blocksPerSeq / it), as the compiler launches small batches with smaller splits.
  int gridBlocksPerSplit = 0;

  std::string name() const { return fmt::format("paged_decode_{}_s{}", shape.tag(), blocksPerSplit); }
  int splits(int blocksPerSeq) const {
    const int perSplit = gridBlocksPerSplit > 0 ? gridBlocksPerSplit : blocksPerSplit;
    return (blocksPerSeq + perSplit - 1) / perSplit;
  }
  /// Floats of partialOut and partialStats.
  size_t partialOutFloats(int seqs, int blocksPerSeq) const {
    return size_t(seqs) * shape.heads * splits(blocksPerSeq) * shape.headDim;
  }
  size_t partialStatsFloats(int seqs, int blocksPerSeq) const {
    return size_t(seqs) * shape.heads * splits(blocksPerSeq) * 2;
  }
  /// Ints of splitCounters (zero before a launch; the launch leaves them zero).
  size_t counterInts(int seqs) const { return size_t(seqs) * shape.kvHeads; }
  std::string config() const {
    return fmt::format("loom::AttentionDecodeConfig<{}, {}, {}, {}, {}>", shape.heads,
                       shape.kvHeads, shape.headDim, shape.blockSize, blocksPerSplit);
  }
  std::string source() const {
    const char *t = cudaTypeName(shape.type);
    return attentionWrapper(
        "attention_decode.cuh", name(), kDecodeThreads,
        fmt::format("const {0} *q, int qRowStride, const {0} *kCache, const {0} *vCache, "
                    "const int *contextLens, const int *blockTables, int blocksPerSeq, "
                    "int layer, int cacheBlocks, float scale, float *partialOut, "
                    "float *partialStats, int *splitCounters, {0} *out",
                    t),
        fmt::format("loom::attentionDecodeSplit<{}, {}>(q, qRowStride, kCache, vCache, "
                    "contextLens, blockTables, blocksPerSeq, layer, cacheBlocks, scale, "
                    "partialOut, partialStats, splitCounters, out)",
                    config(), t));
  }
  rt::LaunchConfig launch(int seqs, int blocksPerSeq) const {
    return {{unsigned(splits(blocksPerSeq)), unsigned(shape.kvHeads), unsigned(seqs)},
            {unsigned(kDecodeThreads), 1, 1},
            0};
  }
};

/// The RoPE attributes of graph.rope (factor <= 0: no Llama-3 scaling).
struct RopeParameters {
  float theta = 10000.0f, factor = 0.0f, lowFreqFactor = 1.0f, highFreqFactor = 4.0f;
  float originalMaxPosition = 8192.0f;
  bool interleaved = false;
};

/// kvAppend, or ropeKvAppend when `fusedRope`.
struct KvAppendKernelSpec {
  AttentionShape shape;
  int rowsPerCta = 4;
  bool fusedRope = false;
  RopeParameters rope;

  std::string name() const {
    return fmt::format("{}_{}_r{}{}", fusedRope ? "rope_kv_append" : "kv_append", shape.tag(),
                       rowsPerCta,
                       fusedRope ? (rope.interleaved ? "_inter" : "_half") +
                                       std::string(rope.factor > 0 ? "_llama3" : "")
                                 : "");
  }
  std::string source() const {
    const char *t = cudaTypeName(shape.type);
    if (!fusedRope)
      return attentionWrapper(
          "kv_append.cuh", name(), kKvAppendThreads,
          fmt::format("const {0} *k, const {0} *v, int rowStride, const int *slots, "
                      "{0} *kCache, {0} *vCache, int tokens, int layer, int cacheBlocks",
                      t),
          fmt::format("loom::kvAppend<{}, {}, {}, {}, {}>(k, v, rowStride, slots, kCache, "
                      "vCache, tokens, layer, cacheBlocks)",
                      t, shape.kvHeads, shape.headDim, shape.blockSize, rowsPerCta));
    auto literal = [](float value) { return fmt::format("{:#.9g}f", value); };
    return attentionWrapper(
        "kv_append.cuh", name(), kKvAppendThreads,
        fmt::format("{0} *qkv, const int *positions, const int *slots, {0} *kCache, "
                    "{0} *vCache, int tokens, int layer, int cacheBlocks",
                    t),
        fmt::format("loom::ropeKvAppend<{}, loom::RopeStyle::{}, {}, {}, {}, {}, {}>(qkv, "
                    "positions, slots, kCache, vCache, tokens, layer, cacheBlocks, "
                    "loom::RopeFrequencies{{{}, {}, {}, {}, {}}})",
                    t, rope.interleaved ? "kInterleaved" : "kRotateHalf", shape.heads,
                    shape.kvHeads, shape.headDim, shape.blockSize, rowsPerCta,
                    literal(rope.theta), literal(rope.factor), literal(rope.lowFreqFactor),
                    literal(rope.highFreqFactor), literal(rope.originalMaxPosition)));
  }
  rt::LaunchConfig launch(int tokens) const {
    const unsigned blocks = unsigned(std::max(1, (tokens + rowsPerCta - 1) / rowsPerCta));
    return {{blocks, 1, 1}, {unsigned(kKvAppendThreads), 1, 1}, 0};
  }
};

} // namespace loom::testing
