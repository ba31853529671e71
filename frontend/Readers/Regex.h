// A compiled Unicode regular expression (PCRE2, UTF + Unicode properties) for pre-tokenizer splits.
#pragma once

#include "runtime/Support/Status.h"

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace loom::frontend {

/// A regex such as GPT-2's `'s|'t|... ?\p{L}+| ?\p{N}+|...|\s+(?!\S)|\s+`.
/// Copies share the compiled pattern; matching is thread-safe.
class Regex {
public:
  /// Compiles `pattern`; a syntax error names `source` and the offset.
  static StatusOr<Regex> compile(std::string_view pattern, std::string_view source);

  /// Non-empty, non-overlapping matches [begin, end) in valid UTF-8 `text`, left to right.
  StatusOr<std::vector<std::pair<size_t, size_t>>> findAll(std::string_view text) const;

private:
  std::shared_ptr<void> code_; ///< pcre2_code_8, freed by pcre2_code_free_8
};

} // namespace loom::frontend
