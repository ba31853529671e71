// The chat format table and rendering.
#include "frontend/Readers/ChatTemplate.h"

#include "frontend/Readers/Normalizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace loom::frontend {

/// A chat format: text before the conversation, and each turn as
/// `turnStart(role) + content + turnEnd`.
struct ChatFormat {
  std::string_view name;
  std::string_view jinjaMarker; ///< text only this format's Jinja templates contain
  std::string_view begin;
  std::string_view turnStartBefore; ///< turn start = before + role + after
  std::string_view turnStartAfter;
  std::string_view turnEnd;
  std::string_view endOfTurn;
  bool trimContent; ///< the template strips whitespace around each message
};

namespace {

constexpr std::array<ChatFormat, 2> kFormats = {{
    {"chatml", "<|im_start|>", "", "<|im_start|>", "\n", "<|im_end|>\n", "<|im_end|>", false},
    {"llama3", "<|start_header_id|>", "<|begin_of_text|>", "<|start_header_id|>",
     "<|end_header_id|>\n\n", "<|eot_id|>", "<|eot_id|>", true},
}};

/// Model families (matched case-insensitively as substrings) and their format.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kFamilies = {{
    {"smollm", "chatml"},
    {"qwen", "chatml"},
    {"llama-3", "llama3"},
    {"llama3", "llama3"},
}};

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos)
    return {};
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

/// The literal system prompt a template writes as a whole system turn, if any: the
/// text between the system turn's start and its end, holding no template syntax.
/// Newlines may be real or written "\n" inside a Jinja string literal.
std::string literalSystemPrompt(const ChatFormat &format, std::string_view jinja) {
  for (std::string_view newline : {"\n", "\\n"}) {
    std::string start = fmt::format("{}system{}", format.turnStartBefore,
                                    replaceAll(format.turnStartAfter, "\n", newline));
    size_t at = jinja.find(start);
    if (at == std::string_view::npos)
      continue;
    std::string_view rest = jinja.substr(at + start.size());
    size_t end = rest.find(format.endOfTurn);
    std::string_view prompt = rest.substr(0, end);
    if (end == std::string_view::npos || prompt.find_first_of("{}'\"+") != std::string_view::npos)
      continue;
    return replaceAll(prompt, "\\n", "\n");
  }
  return "";
}

} // namespace

StatusOr<ChatTemplate> ChatTemplate::named(std::string_view name) {
  for (const ChatFormat &format : kFormats)
    if (format.name == name)
      return ChatTemplate(format);
  return LOOM_ERROR(StatusCode::kNotFound,
                    fmt::format("unknown chat format '{}' (known: chatml, llama3)", name));
}

StatusOr<ChatTemplate> ChatTemplate::fromJinja(std::string_view jinja) {
  for (const ChatFormat &format : kFormats) {
    if (jinja.find(format.jinjaMarker) == std::string_view::npos)
      continue;
    ChatTemplate chat(format);
    chat.defaultSystemPrompt_ = literalSystemPrompt(format, jinja);
    return chat;
  }
  return LOOM_ERROR(StatusCode::kNotFound,
                    fmt::format("unrecognized chat template (known formats: chatml, llama3): "
                                "{:.60}...",
                                jinja));
}

StatusOr<ChatTemplate> ChatTemplate::forFamily(std::string_view family) {
  std::string lower = lowercase(family);
  for (auto [marker, format] : kFamilies)
    if (lower.find(marker) != std::string::npos)
      return named(format);
  return LOOM_ERROR(StatusCode::kNotFound,
                    fmt::format("no chat format is known for model family '{}'", family));
}

std::string_view ChatTemplate::name() const { return format_->name; }
std::string_view ChatTemplate::endOfTurn() const { return format_->endOfTurn; }

std::string ChatTemplate::render(std::span<const ChatMessage> messages,
                                 bool addGenerationPrompt) const {
  const ChatFormat &format = *format_;
  std::string text(format.begin);
  auto appendTurn = [&](std::string_view role, std::string_view content) {
    text += format.turnStartBefore;
    text += role;
    text += format.turnStartAfter;
    text += format.trimContent ? trim(content) : content;
    text += format.turnEnd;
  };
  if (!messages.empty() && messages.front().role != "system" && !defaultSystemPrompt_.empty())
    appendTurn("system", defaultSystemPrompt_);
  for (const ChatMessage &message : messages)
    appendTurn(message.role, message.content);
  if (addGenerationPrompt) {
    text += format.turnStartBefore;
    text += "assistant";
    text += format.turnStartAfter;
  }
  return text;
}

} // namespace loom::frontend
