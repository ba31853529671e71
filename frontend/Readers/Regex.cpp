// PCRE2 wrapper.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "frontend/Readers/Regex.h"

#include <fmt/format.h>
#include <pcre2.h>

namespace loom::frontend {
namespace {

std::string pcreMessage(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof(buffer));
  return reinterpret_cast<const char *>(buffer);
}

} // namespace

StatusOr<Regex> Regex::compile(std::string_view pattern, std::string_view source) {
  int errorCode = 0;
  PCRE2_SIZE errorOffset = 0;
  pcre2_code *code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                    PCRE2_UTF | PCRE2_UCP, &errorCode, &errorOffset, nullptr);
  if (!code)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{}: cannot compile regex at offset {}: {}", source,
                                  errorOffset, pcreMessage(errorCode)));
  Regex regex;
  regex.code_ = std::shared_ptr<void>(code, [](void *p) {
    pcre2_code_free(static_cast<pcre2_code *>(p));
  });
  return regex;
}

StatusOr<std::vector<std::pair<size_t, size_t>>>
Regex::findAll(std::string_view text) const {
  auto *code = static_cast<pcre2_code *>(code_.get());
  std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data *)> data(
      pcre2_match_data_create_from_pattern(code, nullptr), pcre2_match_data_free);
  if (!data)
    return LOOM_ERROR(StatusCode::kOutOfMemory, "cannot allocate regex match data");
  std::vector<std::pair<size_t, size_t>> matches;
  size_t offset = 0;
  while (offset <= text.size()) {
    int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(),
                         offset, PCRE2_NO_UTF_CHECK, data.get(), nullptr);
    if (rc == PCRE2_ERROR_NOMATCH)
      break;
    if (rc < 0)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("regex match failed: {}", pcreMessage(rc)));
    PCRE2_SIZE *vector = pcre2_get_ovector_pointer(data.get());
    size_t begin = vector[0], end = vector[1];
    if (end > begin) {
      matches.emplace_back(begin, end);
      offset = end;
      continue;
    }
    // An empty match: step over one character and search again.
    if (begin >= text.size())
      break;
    offset = begin + 1;
    while (offset < text.size() && (static_cast<uint8_t>(text[offset]) & 0xC0) == 0x80)
      ++offset;
  }
  return matches;
}

} // namespace loom::frontend
