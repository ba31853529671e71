// Windowed re-decoding with UTF-8 hold-back.
#include "frontend/Readers/StreamDecoder.h"

#include "frontend/Readers/Utf8.h"

namespace loom::frontend {

StatusOr<std::string> StreamDecoder::push(int32_t id) {
  window_.push_back(id);
  StatusOr<std::string> decoded = tokenizer_.decodeBytes(window_, skipSpecialTokens_);
  if (!decoded.isOk()) {
    window_.pop_back();
    return decoded.status();
  }
  const std::string &bytes = *decoded;
  // A window's decoding extends its prefix's; if a decoder ever rewrote earlier
  // bytes, emit nothing that would repeat them.
  if (bytes.size() < emitted_) {
    emitted_ = bytes.size();
    pending_.clear();
    return std::string();
  }
  std::string_view fresh = std::string_view(bytes).substr(emitted_);
  size_t ready = completeUtf8Prefix(fresh);
  std::string delta = repairUtf8(fresh.substr(0, ready));
  emitted_ += ready;
  pending_.assign(fresh.substr(ready));
  if (pending_.empty())
    shrinkWindow();
  return delta;
}

void StreamDecoder::shrinkWindow() {
  // Keep the window from its last visible token on: decoders treat the first
  // visible token specially (SentencePiece strips its space), so the window
  // must start at a token that was already first-or-not in the full decode.
  size_t keep = window_.size();
  while (keep > 0 && skipSpecialTokens_ && tokenizer_.isSpecial(window_[keep - 1]))
    --keep;
  if (keep == 0) {
    window_.clear(); // only skipped tokens: nothing visible was emitted from them
    emitted_ = 0;
    return;
  }
  window_.erase(window_.begin(), window_.begin() + static_cast<std::ptrdiff_t>(keep - 1));
  StatusOr<std::string> tail = tokenizer_.decodeBytes(window_, skipSpecialTokens_);
  emitted_ = tail.isOk() ? tail->size() : 0;
}

std::string StreamDecoder::finish() {
  std::string rest = repairUtf8(pending_);
  pending_.clear();
  window_.clear();
  emitted_ = 0;
  return rest;
}

} // namespace loom::frontend
