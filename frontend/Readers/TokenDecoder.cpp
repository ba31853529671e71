// Decoder steps over token strings, after Hugging Face's decode_chain.
#include "frontend/Readers/TokenDecoder.h"

#include "frontend/Readers/ByteLevel.h"
#include "frontend/Readers/JsonFields.h"
#include "frontend/Readers/Normalizer.h"
#include "frontend/Readers/Utf8.h"

#include <fmt/format.h>

#include <optional>

namespace loom::frontend {
namespace {

/// The byte of a `<0xNN>` token, if it is one.
std::optional<uint8_t> byteToken(const std::string &token) {
  if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>')
    return std::nullopt;
  unsigned value = 0;
  for (char c : token.substr(3, 2)) {
    value <<= 4;
    if (c >= '0' && c <= '9')
      value |= c - '0';
    else if (c >= 'A' && c <= 'F')
      value |= c - 'A' + 10;
    else if (c >= 'a' && c <= 'f')
      value |= c - 'a' + 10;
    else
      return std::nullopt;
  }
  return static_cast<uint8_t>(value);
}

std::vector<std::string> applyByteFallback(std::vector<std::string> tokens,
                                           bool replaceBadByteRuns) {
  std::vector<std::string> out;
  std::string run;
  size_t runLength = 0;
  auto flush = [&] {
    if (runLength == 0)
      return;
    if (!replaceBadByteRuns || isValidUtf8(run)) {
      out.push_back(run);
    } else {
      std::string replaced;
      for (size_t i = 0; i < runLength; ++i)
        replaced += "\xEF\xBF\xBD";
      out.push_back(replaced);
    }
    run.clear();
    runLength = 0;
  };
  for (std::string &token : tokens) {
    if (std::optional<uint8_t> byte = byteToken(token)) {
      run += static_cast<char>(*byte);
      ++runLength;
      continue;
    }
    flush();
    out.push_back(std::move(token));
  }
  flush();
  return out;
}

std::string stripRepeated(std::string token, const std::string &content, size_t start,
                          size_t stop) {
  for (size_t i = 0; i < start && token.rfind(content, 0) == 0; ++i)
    token.erase(0, content.size());
  for (size_t i = 0; i < stop && token.size() >= content.size() &&
                     token.compare(token.size() - content.size(), content.size(), content) == 0;
       ++i)
    token.erase(token.size() - content.size());
  return token;
}

} // namespace

StatusOr<TokenDecoder> TokenDecoder::fromJson(const nlohmann::json &value,
                                              const std::string &source) {
  TokenDecoder decoder;
  if (!value.is_null())
    LOOM_RETURN_IF_ERROR(addSteps(value, source, 0, decoder.steps_));
  return decoder;
}

Status TokenDecoder::addSteps(const nlohmann::json &value, const std::string &source, int depth,
                              std::vector<Step> &steps) {
  return forEachPipelineStep(
      value, source, "decoder", "decoders", depth,
      [&](const JsonFields &fields, const std::string &type) -> Status {
        if (type == "Replace") {
          LOOM_ASSIGN_OR_RETURN(StringReplace replace, readStringReplace(fields));
          steps.push_back(std::move(replace));
          return Status::ok();
        }
        if (type == "ByteFallback") {
          steps.push_back(ByteFallback{});
          return Status::ok();
        }
        if (type == "Fuse") {
          steps.push_back(Fuse{});
          return Status::ok();
        }
        if (type == "Strip") {
          Strip strip;
          LOOM_ASSIGN_OR_RETURN(strip.content, fields.requireString("content"));
          LOOM_ASSIGN_OR_RETURN(int64_t start, fields.optionalInt("start", 0));
          LOOM_ASSIGN_OR_RETURN(int64_t stop, fields.optionalInt("stop", 0));
          if (strip.content.empty() || start < 0 || stop < 0)
            return fields.wrongType("content", "a character with non-negative start/stop", value);
          strip.start = static_cast<size_t>(start);
          strip.stop = static_cast<size_t>(stop);
          steps.push_back(std::move(strip));
          return Status::ok();
        }
        if (type == "ByteLevel") {
          steps.push_back(ByteLevel{});
          return Status::ok();
        }
        if (type == "Metaspace") {
          Metaspace metaspace;
          LOOM_ASSIGN_OR_RETURN(metaspace.replacement,
                                fields.optionalString("replacement", "\u2581"));
          if (metaspace.replacement.empty())
            return fields.wrongType("replacement", "a character", value);
          LOOM_ASSIGN_OR_RETURN(bool addPrefixSpace, fields.optionalBool("add_prefix_space", true));
          LOOM_ASSIGN_OR_RETURN(
              std::string scheme,
              fields.optionalString("prepend_scheme", addPrefixSpace ? "always" : "never"));
          metaspace.stripFirstSpace = scheme != "never";
          steps.push_back(std::move(metaspace));
          return Status::ok();
        }
        return LOOM_ERROR(StatusCode::kInvalidArgument,
                          fmt::format("{}: unsupported decoder type '{}' (supported: Sequence, "
                                      "Replace, ByteFallback, Fuse, Strip, ByteLevel, Metaspace)",
                                      fields.source(), type));
      });
}

std::string TokenDecoder::decode(std::vector<std::string> tokens, bool replaceBadByteRuns) const {
  for (const Step &step : steps_) {
    if (const auto *replace = std::get_if<Replace>(&step)) {
      for (std::string &token : tokens)
        token = replaceAll(token, replace->pattern, replace->content);
    } else if (std::holds_alternative<ByteFallback>(step)) {
      tokens = applyByteFallback(std::move(tokens), replaceBadByteRuns);
    } else if (std::holds_alternative<Fuse>(step)) {
      std::string fused;
      for (const std::string &token : tokens)
        fused += token;
      tokens = {std::move(fused)};
    } else if (const auto *strip = std::get_if<Strip>(&step)) {
      for (std::string &token : tokens)
        token = stripRepeated(std::move(token), strip->content, strip->start, strip->stop);
    } else if (std::holds_alternative<ByteLevel>(step)) {
      std::string bytes;
      for (const std::string &token : tokens)
        if (!byteLevelDecode(token, bytes))
          bytes += token;
      tokens = {std::move(bytes)};
    } else {
      const auto &metaspace = std::get<Metaspace>(step);
      // Like Hugging Face, the first token loses its replacement characters entirely.
      for (size_t i = 0; i < tokens.size(); ++i)
        tokens[i] = replaceAll(tokens[i], metaspace.replacement,
                               i == 0 && metaspace.stripFirstSpace ? "" : " ");
    }
  }
  std::string out;
  for (const std::string &token : tokens)
    out += token;
  return out;
}

} // namespace loom::frontend
