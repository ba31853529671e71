// The BPE model of tokenizer.json: vocabulary, ranked merges, byte fallback and unk.
#pragma once

#include "runtime/Support/Status.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace loom::frontend {

/// Hashes std::string and std::string_view alike, for heterogeneous lookups.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
using TokenMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

/// Byte-pair encoding of one pre-tokenized piece.
///
/// How it works: the piece starts as one symbol per character (a character
/// missing from the vocabulary becomes its `<0xNN>` byte tokens when
/// byte_fallback is on, else unk). A min-heap keyed by (merge rank, position)
/// then repeatedly merges the best-ranked adjacent pair, leftmost first, until
/// no adjacent pair has a merge — Hugging Face's `Word::merge_all`.
class BpeModel {
public:
  /// Reads the "model" object (type "BPE"); any other model type is an error.
  static StatusOr<BpeModel> fromJson(const nlohmann::json &model, const std::string &source);

  /// Appends the ids of `piece` (valid UTF-8) to `ids`.
  Status tokenize(std::string_view piece, std::vector<int32_t> &ids) const;

  const TokenMap &vocab() const { return vocab_; }
  bool byteFallback() const { return byteFallback_; }

private:
  struct Merge {
    int32_t rank;
    int32_t result;
  };
  static uint64_t pairKey(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }
  Status readMerges(const nlohmann::json &merges, const std::string &source);
  Status initialSymbols(std::string_view piece, std::vector<int32_t> &symbols) const;

  TokenMap vocab_;
  std::unordered_map<uint64_t, Merge> merges_;
  std::optional<int32_t> unkId_;
  std::array<int32_t, 256> byteIds_{}; ///< id of `<0xNN>`, or -1
  bool byteFallback_ = false;
  bool fuseUnk_ = false;
  bool ignoreMerges_ = false;
};

} // namespace loom::frontend
