// Incremental detokenization: text deltas as tokens arrive, never half a character.
#pragma once

#include "frontend/Readers/Tokenizer.h"

#include <string>
#include <vector>

namespace loom::frontend {

/// Turns a stream of token ids into a stream of UTF-8 text deltas whose
/// concatenation equals `decode` of all the ids.
///
/// How it works (as Hugging Face's DecodeStream): it keeps a window of recent
/// ids and how many bytes of the window's decoding it has emitted. Each push
/// re-decodes the window, emits the new bytes up to the last complete
/// character, and holds back a cut-off one (a byte-fallback or byte-level
/// token can end mid-character). When nothing is held back the window shrinks
/// to the last visible id (and any skipped special ids after it), which keeps
/// each push O(1) amortized while preserving context-dependent decoding such as
/// the first token's stripped space.
class StreamDecoder {
public:
  explicit StreamDecoder(Tokenizer tokenizer, bool skipSpecialTokens = true)
      : tokenizer_(std::move(tokenizer)), skipSpecialTokens_(skipSpecialTokens) {}

  /// Adds `id`; returns the text it completes (possibly empty).
  StatusOr<std::string> push(int32_t id);

  /// Ends the stream: held-back bytes of an unfinished character become U+FFFD.
  std::string finish();

private:
  void shrinkWindow();

  Tokenizer tokenizer_;
  bool skipSpecialTokens_;
  std::vector<int32_t> window_;
  std::string pending_; ///< decoded bytes of the window not yet emitted
  size_t emitted_ = 0;  ///< bytes of the window's decoding already emitted
};

} // namespace loom::frontend
