// Added-token parsing and matching.
#include "frontend/Readers/AddedTokens.h"

#include "frontend/Readers/JsonFields.h"

#include <fmt/format.h>

#include <algorithm>

namespace loom::frontend {

StatusOr<AddedTokens> AddedTokens::fromJson(const nlohmann::json &value,
                                            const std::string &source) {
  AddedTokens added;
  if (value.is_null())
    return added;
  if (!value.is_array())
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{}: added_tokens must be a list, got {}", source,
                                  briefJson(value)));
  for (const nlohmann::json &item : value) {
    JsonFields fields(item, fmt::format("{}: added_tokens entry", source));
    if (!item.is_object())
      return fields.wrongType("added_tokens", "a list of objects", item);
    AddedToken token;
    LOOM_ASSIGN_OR_RETURN(int64_t id, fields.requireInt("id"));
    if (id < 0 || id > INT32_MAX)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("{}: id {} is out of range", fields.source(), id));
    token.id = static_cast<int32_t>(id);
    LOOM_ASSIGN_OR_RETURN(token.content, fields.requireString("content"));
    if (token.content.empty())
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("{}: token {} has empty content", fields.source(), id));
    LOOM_ASSIGN_OR_RETURN(token.special, fields.optionalBool("special", false));
    added.tokens_.push_back(std::move(token));
  }
  for (size_t i = 0; i < added.tokens_.size(); ++i)
    added.byFirstByte_[static_cast<uint8_t>(added.tokens_[i].content[0])].push_back(i);
  for (std::vector<size_t> &bucket : added.byFirstByte_)
    std::stable_sort(bucket.begin(), bucket.end(), [&](size_t a, size_t b) {
      return added.tokens_[a].content.size() > added.tokens_[b].content.size();
    });
  return added;
}

std::vector<TextSegment> AddedTokens::split(std::string_view text) const {
  std::vector<TextSegment> segments;
  size_t plainStart = 0;
  size_t position = 0;
  while (position < text.size()) {
    const AddedToken *match = nullptr;
    for (size_t index : byFirstByte_[static_cast<uint8_t>(text[position])]) {
      const AddedToken &token = tokens_[index];
      if (text.compare(position, token.content.size(), token.content) == 0) {
        match = &token;
        break;
      }
    }
    if (!match) {
      ++position;
      continue;
    }
    if (position > plainStart)
      segments.push_back({text.substr(plainStart, position - plainStart), std::nullopt,
                          plainStart});
    segments.push_back({text.substr(position, match->content.size()), match->id, position});
    position += match->content.size();
    plainStart = position;
  }
  if (plainStart < text.size())
    segments.push_back({text.substr(plainStart), std::nullopt, plainStart});
  return segments;
}

} // namespace loom::frontend
