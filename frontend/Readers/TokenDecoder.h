// tokenizer.json "decoder": turns token strings back into text bytes.
#pragma once

#include "frontend/Readers/JsonFields.h"
#include "runtime/Support/Status.h"

#include <nlohmann/json.hpp>

#include <string>
#include <variant>
#include <vector>

namespace loom::frontend {

/// The decoder steps Llama-family tokenizers use: Sequence, Replace, ByteFallback,
/// Fuse, Strip, ByteLevel and Metaspace, applied to the list of token strings.
class TokenDecoder {
public:
  /// Reads a "decoder" value (null: tokens are concatenated); unknown types are an error.
  static StatusOr<TokenDecoder> fromJson(const nlohmann::json &value, const std::string &source);

  /// Decodes `tokens` to bytes, which may be invalid or cut-off UTF-8.
  /// With `replaceBadByteRuns`, a run of byte-fallback tokens that is not valid
  /// UTF-8 becomes one U+FFFD per byte (as Hugging Face decodes); without, the
  /// raw bytes pass through so a stream can wait for the rest of a character.
  std::string decode(std::vector<std::string> tokens, bool replaceBadByteRuns) const;

private:
  using Replace = StringReplace;
  struct ByteFallback {};
  struct Fuse {};
  struct Strip { std::string content; size_t start, stop; };
  struct ByteLevel {};
  struct Metaspace { std::string replacement; bool stripFirstSpace; };
  using Step = std::variant<Replace, ByteFallback, Fuse, Strip, ByteLevel, Metaspace>;

  static Status addSteps(const nlohmann::json &value, const std::string &source, int depth,
                         std::vector<Step> &steps);

  std::vector<Step> steps_;
};

} // namespace loom::frontend
