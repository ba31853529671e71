// ModelConfig from the metadata of a GGUF file (llama.cpp's `<arch>.*` keys).
#pragma once

#include "frontend/Readers/GgufFile.h"
#include "frontend/Readers/ModelConfig.h"

namespace loom::frontend {

/// Fills the ModelConfig a config.json would give from `general.architecture` (only
/// "llama") and its keys: context_length, embedding_length, block_count,
/// feed_forward_length, attention.head_count(_kv), attention.key_length,
/// attention.layer_norm_rms_epsilon, rope.freq_base, rope.dimension_count,
/// rope.scaling.{type,factor}; missing required keys and inconsistent sizes are errors. The
/// vocabulary size is the length of `tokenizer.ggml.tokens` (else `<arch>.vocab_size`); word
/// embeddings are tied when the file has no `output.weight`. Weights are dequantized to f32, so
/// torchDtype is "float32".
StatusOr<ModelConfig> ggufModelConfig(const GgufFile &file);

} // namespace loom::frontend
