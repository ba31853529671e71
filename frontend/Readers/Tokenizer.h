// A Hugging Face tokenizer.json BPE tokenizer: SentencePiece-style (Metaspace, byte
// fallback) or GPT-2 byte-level, with added/special tokens and BOS templates.
#pragma once

#include "runtime/Support/Status.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loom::frontend {

/// Encodes text to token ids and decodes them back. Copies share the loaded tables.
///
/// encode: split the input at added tokens → normalize each other segment →
/// pre-tokenize into pieces → BPE each piece → wrap with the post-processor's
/// template (e.g. BOS) when `addSpecialTokens`.
class Tokenizer {
public:
  /// Parses tokenizer.json text; `source` names it in errors.
  static StatusOr<Tokenizer> fromJson(std::string_view text, std::string_view source);
  /// Reads `path`: a tokenizer.json file or a model folder holding one.
  static StatusOr<Tokenizer> open(const std::string &path);

  /// Token ids of `text`, which must be valid UTF-8.
  StatusOr<std::vector<int32_t>> encode(std::string_view text,
                                        bool addSpecialTokens = true) const;

  /// The text of `ids`; invalid UTF-8 from byte tokens becomes U+FFFD.
  StatusOr<std::string> decode(std::span<const int32_t> ids,
                               bool skipSpecialTokens = false) const;

  /// Decoded bytes of `ids`, possibly ending in part of a character (for streaming).
  StatusOr<std::string> decodeBytes(std::span<const int32_t> ids, bool skipSpecialTokens) const;

  /// One past the largest id.
  int32_t vocabSize() const;
  std::optional<int32_t> tokenToId(std::string_view token) const;
  /// The token string of `id`, or nullopt if no token has that id.
  std::optional<std::string_view> idToToken(int32_t id) const;
  bool isSpecial(int32_t id) const;

private:
  struct Tables;
  StatusOr<std::string> decodeRaw(std::span<const int32_t> ids, bool skipSpecialTokens,
                                  bool replaceBadByteRuns) const;

  std::shared_ptr<const Tables> tables_;
};

} // namespace loom::frontend
