// A Tokenizer built from the `tokenizer.ggml.*` metadata of a GGUF file.
#pragma once

#include "frontend/Readers/GgufMetadata.h"
#include "frontend/Readers/Tokenizer.h"

namespace loom::frontend {

/// llama.cpp's token types (`tokenizer.ggml.token_type`).
enum class GgufTokenType : int64_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

/// Builds the tokenizer the metadata describes, as the equivalent tokenizer.json:
///  - "gpt2": byte-level BPE from tokens + merges; the pre-tokenizer is chosen by
///    `tokenizer.ggml.pre` ("smollm", "llama-bpe"/"llama3", "gpt-2"; others are an error).
///  - "llama": SentencePiece BPE from tokens + scores, with byte fallback; merges are
///    derived from the scores the way transformers' SentencePiece converter does, and
///    `tokenizer.ggml.add_space_prefix` (default true) prepends "▁".
/// Control tokens become special added tokens, user-defined tokens plain added tokens;
/// `tokenizer.ggml.add_bos_token` / `add_eos_token` wrap encoded text with
/// `bos_token_id` / `eos_token_id`.
StatusOr<Tokenizer> ggufTokenizer(const GgufMetadata &metadata);

} // namespace loom::frontend
