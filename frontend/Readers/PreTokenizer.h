// tokenizer.json "pre_tokenizer": splits a normalized segment into the pieces BPE sees.
#pragma once

#include "frontend/Readers/Regex.h"

#include <nlohmann/json.hpp>

#include <string>
#include <variant>
#include <vector>

namespace loom::frontend {

/// How a Split keeps its matches (Hugging Face SplitDelimiterBehavior).
enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext,
                           kContiguous };

/// The pre-tokenizer steps of Llama-family tokenizers: Split (regex or string),
/// ByteLevel (GPT-2 regex + byte→character map), Metaspace, Digits, and Sequence.
class PreTokenizer {
public:
  /// Reads a "pre_tokenizer" value (null for none); unknown types are an error.
  static StatusOr<PreTokenizer> fromJson(const nlohmann::json &value,
                                         const std::string &source);

  /// Splits one normalized segment; `atInputStart` says whether it begins the input.
  StatusOr<std::vector<std::string>> apply(std::string segment, bool atInputStart) const;

  /// Whether a ByteLevel step maps bytes to GPT-2 characters.
  bool isByteLevel() const;

private:
  struct Split { Regex regex; SplitBehavior behavior; bool invert; };
  struct ByteLevel { bool addPrefixSpace; std::optional<Regex> regex; };
  enum class Prepend { kAlways, kFirst, kNever };
  struct Metaspace { std::string replacement; Prepend prepend; std::optional<Regex> split; };
  using Step = std::variant<Split, ByteLevel, Metaspace>;
  struct Piece { std::string text; bool atInputStart; };

  static Status addSteps(const nlohmann::json &value, const std::string &source, int depth,
                         std::vector<Step> &steps);
  static Status applyStep(const Step &step, std::vector<Piece> &pieces);

  std::vector<Step> steps_;
};

/// Splits `text` at the regex matches per `behavior` (after flipping match and
/// non-match if `invert`); empty pieces are dropped.
StatusOr<std::vector<std::string>> splitText(std::string_view text, const Regex &regex,
                                             SplitBehavior behavior, bool invert);

} // namespace loom::frontend
