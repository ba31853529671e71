// UTF-8 validation, splitting and repair for the tokenizer and the streaming decoder.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace loom::frontend {

/// The sequence at the start of some bytes: how many bytes it spans, and whether
/// it is a whole valid character, an invalid one, or valid so far but cut off.
struct Utf8Step {
  enum Kind { kValid, kInvalid, kIncomplete } kind;
  size_t length; ///< bytes consumed; for kInvalid the maximal invalid subpart (≥ 1)
};

/// Classifies the sequence starting at `bytes[0]` (`bytes` must not be empty).
Utf8Step utf8Step(std::string_view bytes);

/// Whether `bytes` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool isValidUtf8(std::string_view bytes);

/// The characters of valid UTF-8 `text`, each as its own view.
std::vector<std::string_view> utf8Characters(std::string_view text);

/// The code point of the single valid character `character`.
char32_t decodeUtf8(std::string_view character);

/// The UTF-8 encoding of `codePoint`.
std::string encodeUtf8(char32_t codePoint);

/// `bytes` with every invalid sequence replaced by U+FFFD (one per maximal
/// subpart, like Rust's from_utf8_lossy); an incomplete tail also becomes U+FFFD.
std::string repairUtf8(std::string_view bytes);

/// Length of the longest prefix of `bytes` that does not end in an incomplete
/// (but so far valid) sequence: the bytes a stream can emit now.
size_t completeUtf8Prefix(std::string_view bytes);

} // namespace loom::frontend
