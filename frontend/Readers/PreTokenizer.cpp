// Pre-tokenizer steps and Hugging Face's split behaviors.
#include "frontend/Readers/PreTokenizer.h"

#include "frontend/Readers/ByteLevel.h"
#include "frontend/Readers/JsonFields.h"
#include "frontend/Readers/Normalizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace loom::frontend {
namespace {

/// The regex GPT-2's ByteLevel pre-tokenizer splits with when use_regex is true.
constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

constexpr std::array<std::pair<std::string_view, SplitBehavior>, 5> kBehaviors = {{
    {"Removed", SplitBehavior::kRemoved},
    {"Isolated", SplitBehavior::kIsolated},
    {"MergedWithPrevious", SplitBehavior::kMergedWithPrevious},
    {"MergedWithNext", SplitBehavior::kMergedWithNext},
    {"Contiguous", SplitBehavior::kContiguous},
}};

/// A regex matching `literal` exactly.
std::string escapeRegex(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (static_cast<unsigned char>(c) < 0x80 && !std::isalnum(static_cast<unsigned char>(c)))
      out += '\\';
    out += c;
  }
  return out;
}

struct Span {
  size_t begin, end;
  bool isMatch;
};

/// Folds spans into pieces the way tokenizers' SplitDelimiterBehavior does.
/// MergedWithNext mirrors MergedWithPrevious: a match joins the piece after it
/// unless that piece is itself a match.
std::vector<Span> applyBehavior(std::vector<Span> spans, SplitBehavior behavior) {
  bool reversed = behavior == SplitBehavior::kMergedWithNext;
  if (reversed)
    std::reverse(spans.begin(), spans.end());
  std::vector<Span> out;
  bool previousMatch = false;
  for (const Span &span : spans) {
    bool extend = false;
    switch (behavior) {
    case SplitBehavior::kRemoved:
      if (span.isMatch)
        continue;
      break;
    case SplitBehavior::kIsolated:
      break;
    case SplitBehavior::kMergedWithPrevious:
    case SplitBehavior::kMergedWithNext:
      extend = span.isMatch && !previousMatch;
      break;
    case SplitBehavior::kContiguous:
      extend = span.isMatch == previousMatch;
      break;
    }
    if (extend && !out.empty()) {
      if (reversed)
        out.back().begin = span.begin;
      else
        out.back().end = span.end;
    } else {
      out.push_back(span);
    }
    previousMatch = span.isMatch;
  }
  if (reversed)
    std::reverse(out.begin(), out.end());
  return out;
}

} // namespace

StatusOr<std::vector<std::string>> splitText(std::string_view text, const Regex &regex,
                                             SplitBehavior behavior, bool invert) {
  LOOM_ASSIGN_OR_RETURN(auto matches, regex.findAll(text));
  std::vector<Span> spans;
  size_t previous = 0;
  for (auto [begin, end] : matches) {
    if (begin > previous)
      spans.push_back({previous, begin, invert});
    spans.push_back({begin, end, !invert});
    previous = end;
  }
  if (previous < text.size())
    spans.push_back({previous, text.size(), invert});
  std::vector<std::string> pieces;
  for (const Span &span : applyBehavior(std::move(spans), behavior))
    if (span.end > span.begin)
      pieces.emplace_back(text.substr(span.begin, span.end - span.begin));
  return pieces;
}

StatusOr<PreTokenizer> PreTokenizer::fromJson(const nlohmann::json &value,
                                              const std::string &source) {
  PreTokenizer preTokenizer;
  if (!value.is_null())
    LOOM_RETURN_IF_ERROR(addSteps(value, source, 0, preTokenizer.steps_));
  return preTokenizer;
}

bool PreTokenizer::isByteLevel() const {
  for (const Step &step : steps_)
    if (std::holds_alternative<ByteLevel>(step))
      return true;
  return false;
}

Status PreTokenizer::addSteps(const nlohmann::json &value, const std::string &source, int depth,
                              std::vector<Step> &steps) {
  return forEachPipelineStep(
      value, source, "pre_tokenizer", "pretokenizers", depth,
      [&](const JsonFields &fields, const std::string &type) -> Status {
        if (type == "Split") {
          const nlohmann::json *pattern = fields.find("pattern");
          std::string regexText;
          if (pattern && pattern->is_object() && pattern->contains("Regex") &&
              (*pattern)["Regex"].is_string())
            regexText = (*pattern)["Regex"].get<std::string>();
          else if (pattern && pattern->is_object() && pattern->contains("String") &&
                   (*pattern)["String"].is_string())
            regexText = escapeRegex((*pattern)["String"].get<std::string>());
          else
            return fields.wrongType("pattern", "{\"Regex\": ...} or {\"String\": ...}",
                                    pattern ? *pattern : nlohmann::json());
          LOOM_ASSIGN_OR_RETURN(std::string behaviorName, fields.requireString("behavior"));
          auto behavior =
              std::find_if(kBehaviors.begin(), kBehaviors.end(),
                           [&](const auto &entry) { return entry.first == behaviorName; });
          if (behavior == kBehaviors.end())
            return LOOM_ERROR(
                StatusCode::kInvalidArgument,
                fmt::format("{}: unknown split behavior '{}'", fields.source(), behaviorName));
          LOOM_ASSIGN_OR_RETURN(bool invert, fields.optionalBool("invert", false));
          LOOM_ASSIGN_OR_RETURN(Regex regex, Regex::compile(regexText, fields.source()));
          steps.push_back(Split{std::move(regex), behavior->second, invert});
          return Status::ok();
        }
        if (type == "Digits") {
          LOOM_ASSIGN_OR_RETURN(bool individual, fields.optionalBool("individual_digits", false));
          LOOM_ASSIGN_OR_RETURN(Regex regex,
                                Regex::compile(individual ? R"(\p{N})" : R"(\p{N}+)", source));
          steps.push_back(Split{std::move(regex), SplitBehavior::kIsolated, false});
          return Status::ok();
        }
        if (type == "ByteLevel") {
          ByteLevel step;
          LOOM_ASSIGN_OR_RETURN(step.addPrefixSpace, fields.optionalBool("add_prefix_space", true));
          LOOM_ASSIGN_OR_RETURN(bool useRegex, fields.optionalBool("use_regex", true));
          if (useRegex) {
            LOOM_ASSIGN_OR_RETURN(step.regex, Regex::compile(kGpt2Pattern, source));
          }
          steps.push_back(std::move(step));
          return Status::ok();
        }
        if (type == "Metaspace") {
          Metaspace step;
          LOOM_ASSIGN_OR_RETURN(step.replacement, fields.optionalString("replacement", "\u2581"));
          if (step.replacement.empty())
            return fields.wrongType("replacement", "a character", *fields.find("replacement"));
          LOOM_ASSIGN_OR_RETURN(bool addPrefixSpace, fields.optionalBool("add_prefix_space", true));
          LOOM_ASSIGN_OR_RETURN(
              std::string scheme,
              fields.optionalString("prepend_scheme", addPrefixSpace ? "always" : "never"));
          if (scheme == "always")
            step.prepend = Prepend::kAlways;
          else if (scheme == "first")
            step.prepend = Prepend::kFirst;
          else if (scheme == "never")
            step.prepend = Prepend::kNever;
          else
            return LOOM_ERROR(
                StatusCode::kInvalidArgument,
                fmt::format("{}: unknown prepend_scheme '{}'", fields.source(), scheme));
          LOOM_ASSIGN_OR_RETURN(bool split, fields.optionalBool("split", true));
          if (split) {
            LOOM_ASSIGN_OR_RETURN(step.split,
                                  Regex::compile(escapeRegex(step.replacement), source));
          }
          steps.push_back(std::move(step));
          return Status::ok();
        }
        return LOOM_ERROR(StatusCode::kInvalidArgument,
                          fmt::format("{}: unsupported pre_tokenizer type '{}' (supported: "
                                      "Sequence, Split, Digits, ByteLevel, Metaspace)",
                                      fields.source(), type));
      });
}

Status PreTokenizer::applyStep(const Step &step, std::vector<Piece> &pieces) {
  std::vector<Piece> out;
  for (Piece &piece : pieces) {
    std::vector<std::string> parts;
    if (const auto *split = std::get_if<Split>(&step)) {
      LOOM_ASSIGN_OR_RETURN(parts,
                            splitText(piece.text, split->regex, split->behavior, split->invert));
    } else if (const auto *byteLevel = std::get_if<ByteLevel>(&step)) {
      if (byteLevel->addPrefixSpace && piece.text.rfind(' ', 0) != 0)
        piece.text.insert(0, " ");
      if (byteLevel->regex) {
        LOOM_ASSIGN_OR_RETURN(
            parts, splitText(piece.text, *byteLevel->regex, SplitBehavior::kIsolated, false));
      } else {
        parts.push_back(piece.text);
      }
      for (std::string &part : parts)
        part = byteLevelEncode(part);
    } else {
      const auto &metaspace = std::get<Metaspace>(step);
      std::string text = replaceAll(piece.text, " ", metaspace.replacement);
      bool startsWithReplacement = text.rfind(metaspace.replacement, 0) == 0;
      if (!startsWithReplacement && (metaspace.prepend == Prepend::kAlways ||
                                     (metaspace.prepend == Prepend::kFirst && piece.atInputStart)))
        text.insert(0, metaspace.replacement);
      if (metaspace.split) {
        LOOM_ASSIGN_OR_RETURN(
            parts, splitText(text, *metaspace.split, SplitBehavior::kMergedWithNext, false));
      } else {
        parts.push_back(std::move(text));
      }
    }
    for (size_t i = 0; i < parts.size(); ++i)
      if (!parts[i].empty())
        out.push_back({std::move(parts[i]), piece.atInputStart && i == 0});
  }
  pieces = std::move(out);
  return Status::ok();
}

StatusOr<std::vector<std::string>> PreTokenizer::apply(std::string segment,
                                                       bool atInputStart) const {
  std::vector<Piece> pieces;
  if (!segment.empty())
    pieces.push_back({std::move(segment), atInputStart});
  for (const Step &step : steps_)
    LOOM_RETURN_IF_ERROR(applyStep(step, pieces));
  std::vector<std::string> out;
  out.reserve(pieces.size());
  for (Piece &piece : pieces)
    out.push_back(std::move(piece.text));
  return out;
}

} // namespace loom::frontend
