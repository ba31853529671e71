// tokenizer.json "normalizer": text rewrites applied before pre-tokenization.
#pragma once

#include "frontend/Readers/JsonFields.h"
#include "runtime/Support/Status.h"

#include <nlohmann/json.hpp>

#include <string>
#include <variant>
#include <vector>

namespace loom::frontend {

/// The normalizer steps Llama-family tokenizers use, flattened from any "Sequence".
/// NFC is accepted and leaves text unchanged (inputs are assumed to be NFC already).
class Normalizer {
public:
  /// Reads a "normalizer" value (null for none); unknown types are an error.
  static StatusOr<Normalizer> fromJson(const nlohmann::json &value, const std::string &source);

  /// Applies the steps to one segment of input (text between added tokens).
  std::string apply(std::string text) const;

private:
  struct Prepend { std::string prefix; };
  using Replace = StringReplace;
  using Step = std::variant<Prepend, Replace>;
  static Status addSteps(const nlohmann::json &value, const std::string &source,
                         int depth, std::vector<Step> &steps);

  std::vector<Step> steps_;
};

/// Replaces every occurrence of `pattern` (non-empty) in `text` by `content`.
std::string replaceAll(std::string_view text, std::string_view pattern,
                       std::string_view content);

} // namespace loom::frontend
