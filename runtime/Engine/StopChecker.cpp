// StopChecker: token, string, length and context stops.
#include "runtime/Engine/StopChecker.h"

#include <algorithm>

namespace loom::rt {

namespace {
/// Whether `text` ends with U+FFFD or with a UTF-8 character cut short.
bool endsIncomplete(const std::string &text) {
  if (text.ends_with("\xEF\xBF\xBD"))
    return true;
  for (size_t back = 1; back <= std::min<size_t>(4, text.size()); ++back) {
    auto byte = static_cast<unsigned char>(text[text.size() - back]);
    if ((byte & 0xC0) == 0x80)
      continue; // continuation byte: keep looking for the lead byte
    size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    return length > back;
  }
  return false;
}
} // namespace

StopChecker::StopChecker(std::optional<TokenId> eosTokenId, int maxModelLen,
                         Detokenizer detokenizer)
    : eosTokenId_(eosTokenId), maxModelLen_(maxModelLen),
      detokenizer_(std::move(detokenizer)) {}

std::optional<FinishReason> StopChecker::check(Sequence &seq) const {
  const SamplingParams &params = seq.params();
  TokenId last = seq.tokens().back();
  size_t addedBytes = appendText(seq);
  if (!params.ignoreEos && eosTokenId_ == last)
    return FinishReason::kEos;
  if (std::find(params.stopTokenIds.begin(), params.stopTokenIds.end(), last) !=
      params.stopTokenIds.end())
    return FinishReason::kStopToken;
  if (matchStopString(seq, addedBytes))
    return FinishReason::kStopString;
  if (seq.numOutputTokens() >= params.maxTokens)
    return FinishReason::kMaxTokens;
  if (seq.size() >= maxModelLen_)
    return FinishReason::kContextLimit;
  return std::nullopt;
}

size_t StopChecker::appendText(Sequence &seq) const {
  if (!detokenizer_)
    return 0;
  constexpr size_t kPromptContext = 5; // prompt tokens decoded with the first output token
  DetokenizedText &state = seq.detokenized();
  std::span<const TokenId> tokens = seq.tokens();
  if (state.readOffset == 0) {
    state.readOffset = static_cast<size_t>(seq.numPromptTokens());
    state.prefixOffset = state.readOffset - std::min(state.readOffset, kPromptContext);
  }
  std::string before = detokenizer_(
      tokens.subspan(state.prefixOffset, state.readOffset - state.prefixOffset));
  std::string after = detokenizer_(tokens.subspan(state.prefixOffset));
  if (after.size() <= before.size() || endsIncomplete(after))
    return 0;
  size_t added = after.size() - before.size();
  state.text += after.substr(before.size());
  state.prefixOffset = state.readOffset;
  state.readOffset = tokens.size();
  return added;
}

bool StopChecker::matchStopString(Sequence &seq, size_t addedBytes) const {
  if (addedBytes == 0)
    return false;
  std::string &text = seq.detokenized().text;
  size_t newStart = text.size() - addedBytes;
  std::optional<size_t> earliest;
  for (const std::string &stop : seq.params().stopStrings) {
    // Only matches that end inside the new text are new.
    size_t from = newStart >= stop.size() - 1 ? newStart - (stop.size() - 1) : 0;
    size_t at = text.find(stop, from);
    if (at != std::string::npos && (!earliest || at < *earliest))
      earliest = at;
  }
  if (!earliest)
    return false;
  text.resize(*earliest);
  return true;
}

} // namespace loom::rt
