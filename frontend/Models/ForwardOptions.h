// ForwardOptions: the bounds and KV-pool geometry a forward-step function is built for.
#pragma once

#include "frontend/Builder/DType.h"
#include "runtime/Engine/EngineConfig.h"

#include <cstdint>
#include <optional>

namespace loom::models {

/// Sizes fixed when a model's forward step is built (docs/graph-ops.md). The defaults match
/// rt::EngineConfig's.
struct ForwardOptions {
  /// Element type of weights, activations and the KV cache; by default the config's
  /// torch_dtype (bf16 when it is absent or "auto").
  std::optional<DType> dtype;
  int64_t blockSize = 16;   ///< tokens per KV block
  int64_t numBlocks = 1024; ///< blocks in the KV pool
  int64_t maxTokens = 2048; ///< loom.max_tokens: most tokens in one step
  int64_t maxSeqs = 256;    ///< loom.max_seqs: most sequences in one step
  /// Most tokens of one sequence; 0 means the model's max_position_embeddings. Sets
  /// loom.max_blocks_per_seq = ceil(maxContext / blockSize).
  int64_t maxContext = 0;
};

/// The storage dtype of a model compiled for the GPU: `requested` (e.g. --dtype) when given; for
/// a GGUF bf16, since its quantized blocks are dequantized on load and the config's float32
/// only describes those host values; otherwise nullopt (the config's torch_dtype).
inline std::optional<DType> compiledStorageDType(std::optional<DType> requested, bool fromGguf) {
  return requested || !fromGguf ? requested : std::optional<DType>(DType::bf16);
}

/// The options matching an engine's KV pool and step bounds, so the built graph and the engine
/// that drives it agree.
inline ForwardOptions forwardOptionsFor(const rt::EngineConfig &engine) {
  ForwardOptions options;
  options.blockSize = engine.blockSize;
  options.numBlocks = engine.numBlocks;
  options.maxTokens = engine.maxBatchedTokens;
  options.maxSeqs = engine.maxSequences;
  options.maxContext = engine.maxModelLen;
  return options;
}

} // namespace loom::models
