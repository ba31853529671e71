// Decides when a sequence stops after each generated token.
#pragma once

#include "runtime/Engine/Sequence.h"
#include "runtime/Engine/Types.h"

#include <functional>
#include <optional>
#include <span>
#include <string>

namespace loom::rt {

/// Turns token ids into text (a tokenizer's decode).
using Detokenizer = std::function<std::string(std::span<const TokenId>)>;

/// Checks, in order: EOS (unless ignore_eos), stop token ids, stop strings,
/// max tokens, context length. Stop strings are matched on the detokenized
/// output, so a match may span several tokens; the output text is cut before
/// the match (the token ids keep every generated token).
class StopChecker {
public:
  StopChecker(std::optional<TokenId> eosTokenId, int maxModelLen,
              Detokenizer detokenizer = {});

  bool canDetokenize() const { return static_cast<bool>(detokenizer_); }

  /// Call after appending a token to `seq`: updates its output text and
  /// returns why it stops, if it does.
  std::optional<FinishReason> check(Sequence &seq) const;

private:
  /// Appends the new token's text (incremental: a trailing U+FFFD, an
  /// incomplete UTF-8 character, waits for the next token). Returns how many
  /// bytes were added.
  size_t appendText(Sequence &seq) const;
  bool matchStopString(Sequence &seq, size_t addedBytes) const;

  std::optional<TokenId> eosTokenId_;
  int maxModelLen_;
  Detokenizer detokenizer_;
};

} // namespace loom::rt
