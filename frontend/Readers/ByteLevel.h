// GPT-2's byte ↔ printable-character map, used by byte-level BPE vocabularies.
#pragma once

#include <string>
#include <string_view>

namespace loom::frontend {

/// Maps every byte of `bytes` to its GPT-2 character ("Ġ" for a space), as UTF-8.
std::string byteLevelEncode(std::string_view bytes);

/// Maps the characters of `token` back to bytes, appending them to `out`;
/// false (and `out` untouched) if a character is not one of the 256.
bool byteLevelDecode(std::string_view token, std::string &out);

} // namespace loom::frontend
