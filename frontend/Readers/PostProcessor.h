// tokenizer.json "post_processor": the special tokens wrapped around an encoded sequence.
#pragma once

#include "frontend/Readers/Bpe.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace loom::frontend {

/// TemplateProcessing's single-sequence template (e.g. `<s> $A`), possibly inside a
/// Sequence with ByteLevel (which changes no ids). Null or ByteLevel alone: no template.
class PostProcessor {
public:
  static StatusOr<PostProcessor> fromJson(const nlohmann::json &value,
                                          const std::string &source);

  /// `ids` with the template's special tokens around them.
  std::vector<int32_t> apply(const std::vector<int32_t> &ids) const;

  /// Every id the template inserts (for checking them against the vocabulary).
  std::vector<int32_t> templateIds() const;

private:
  struct Item {
    bool isSequence;
    std::vector<int32_t> ids; ///< the special token's ids when !isSequence
  };
  static Status addSteps(const nlohmann::json &value, const std::string &source,
                         int depth, PostProcessor &out);

  std::vector<Item> single_;
  bool hasTemplate_ = false;
};

} // namespace loom::frontend
