// UTF-8 per Unicode Table 3-7 (well-formed byte sequences).
#include "frontend/Readers/Utf8.h"

#include <cstdint>

namespace loom::frontend {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

/// Continuation bytes needed after `lead`, and the allowed range of the first one.
struct LeadInfo {
  int continuations; ///< -1: not a lead byte
  uint8_t firstLow, firstHigh;
};

LeadInfo leadInfo(uint8_t lead) {
  if (lead < 0x80) return {0, 0, 0};
  if (lead < 0xC2) return {-1, 0, 0};
  if (lead < 0xE0) return {1, 0x80, 0xBF};
  if (lead == 0xE0) return {2, 0xA0, 0xBF};
  if (lead == 0xED) return {2, 0x80, 0x9F};
  if (lead < 0xF0) return {2, 0x80, 0xBF};
  if (lead == 0xF0) return {3, 0x90, 0xBF};
  if (lead < 0xF4) return {3, 0x80, 0xBF};
  if (lead == 0xF4) return {3, 0x80, 0x8F};
  return {-1, 0, 0};
}

} // namespace

Utf8Step utf8Step(std::string_view bytes) {
  LeadInfo info = leadInfo(static_cast<uint8_t>(bytes[0]));
  if (info.continuations < 0)
    return {Utf8Step::kInvalid, 1};
  for (int i = 1; i <= info.continuations; ++i) {
    if (static_cast<size_t>(i) >= bytes.size())
      return {Utf8Step::kIncomplete, static_cast<size_t>(i)};
    auto byte = static_cast<uint8_t>(bytes[i]);
    uint8_t low = i == 1 ? info.firstLow : 0x80;
    uint8_t high = i == 1 ? info.firstHigh : 0xBF;
    if (byte < low || byte > high)
      return {Utf8Step::kInvalid, static_cast<size_t>(i)};
  }
  return {Utf8Step::kValid, static_cast<size_t>(info.continuations + 1)};
}

bool isValidUtf8(std::string_view bytes) {
  while (!bytes.empty()) {
    Utf8Step step = utf8Step(bytes);
    if (step.kind != Utf8Step::kValid)
      return false;
    bytes.remove_prefix(step.length);
  }
  return true;
}

std::vector<std::string_view> utf8Characters(std::string_view text) {
  std::vector<std::string_view> characters;
  while (!text.empty()) {
    size_t length = utf8Step(text).length;
    characters.push_back(text.substr(0, length));
    text.remove_prefix(length);
  }
  return characters;
}

char32_t decodeUtf8(std::string_view character) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(character[i]); };
  switch (character.size()) {
  case 1: return byte(0);
  case 2: return ((byte(0) & 0x1Fu) << 6) | (byte(1) & 0x3Fu);
  case 3: return ((byte(0) & 0x0Fu) << 12) | ((byte(1) & 0x3Fu) << 6) | (byte(2) & 0x3Fu);
  default:
    return ((byte(0) & 0x07u) << 18) | ((byte(1) & 0x3Fu) << 12) |
           ((byte(2) & 0x3Fu) << 6) | (byte(3) & 0x3Fu);
  }
}

std::string encodeUtf8(char32_t codePoint) {
  std::string out;
  if (codePoint < 0x80) {
    out += static_cast<char>(codePoint);
  } else if (codePoint < 0x800) {
    out += static_cast<char>(0xC0 | (codePoint >> 6));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  } else if (codePoint < 0x10000) {
    out += static_cast<char>(0xE0 | (codePoint >> 12));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (codePoint >> 18));
    out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  }
  return out;
}

std::string repairUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    Utf8Step step = utf8Step(bytes);
    if (step.kind == Utf8Step::kValid)
      out.append(bytes.substr(0, step.length));
    else
      out.append(kReplacement);
    bytes.remove_prefix(step.length);
  }
  return out;
}

size_t completeUtf8Prefix(std::string_view bytes) {
  size_t offset = 0;
  while (offset < bytes.size()) {
    Utf8Step step = utf8Step(bytes.substr(offset));
    if (step.kind == Utf8Step::kIncomplete)
      return offset;
    offset += step.length;
  }
  return offset;
}

} // namespace loom::frontend
