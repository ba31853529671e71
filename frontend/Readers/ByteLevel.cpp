// GPT-2 bytes_to_unicode: printable Latin-1 bytes map to themselves, the other
// 68 bytes to U+0100 onwards in byte order.
#include "frontend/Readers/ByteLevel.h"

#include "frontend/Readers/Utf8.h"

#include <array>
#include <unordered_map>

namespace loom::frontend {
namespace {

struct ByteMap {
  std::array<std::string, 256> byteToText;
  std::unordered_map<char32_t, char> codePointToByte;

  ByteMap() {
    char32_t next = 256;
    for (int byte = 0; byte < 256; ++byte) {
      bool printable = (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) ||
                       (byte >= 0xAE && byte <= 0xFF);
      char32_t codePoint = printable ? static_cast<char32_t>(byte) : next++;
      byteToText[byte] = encodeUtf8(codePoint);
      codePointToByte[codePoint] = static_cast<char>(byte);
    }
  }
};

const ByteMap &byteMap() {
  static const ByteMap map;
  return map;
}

} // namespace

std::string byteLevelEncode(std::string_view bytes) {
  const ByteMap &map = byteMap();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char byte : bytes)
    out += map.byteToText[static_cast<uint8_t>(byte)];
  return out;
}

bool byteLevelDecode(std::string_view token, std::string &out) {
  const ByteMap &map = byteMap();
  std::string bytes;
  while (!token.empty()) {
    Utf8Step step = utf8Step(token);
    if (step.kind != Utf8Step::kValid)
      return false;
    auto it = map.codePointToByte.find(decodeUtf8(token.substr(0, step.length)));
    if (it == map.codePointToByte.end())
      return false;
    bytes += it->second;
    token.remove_prefix(step.length);
  }
  out += bytes;
  return true;
}

} // namespace loom::frontend
