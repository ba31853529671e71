// tokenizer.json "added_tokens": tokens matched verbatim in the input before BPE runs.
#pragma once

#include "runtime/Support/Status.h"

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loom::frontend {

/// One added token, e.g. {"id": 1, "content": "<s>", "special": true}.
struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool special = false;
};

/// A run of input text: either plain text for the model, or one added token.
struct TextSegment {
  std::string_view text;
  std::optional<int32_t> addedId;
  size_t offset = 0; ///< where the segment starts in the input
};

/// The added tokens of a tokenizer and the leftmost-longest split of text around them.
class AddedTokens {
public:
  static StatusOr<AddedTokens> fromJson(const nlohmann::json &value, const std::string &source);

  const std::vector<AddedToken> &tokens() const { return tokens_; }

  /// Splits `text` at every added token, preferring the longest at each position.
  std::vector<TextSegment> split(std::string_view text) const;

private:
  std::vector<AddedToken> tokens_;
  std::array<std::vector<size_t>, 256> byFirstByte_; ///< indices, longest content first
};

} // namespace loom::frontend
