// Chat prompt formats (ChatML, Llama 3) chosen from a model's chat template or family.
#pragma once

#include "runtime/Support/Status.h"

#include <span>
#include <string>
#include <string_view>

namespace loom::frontend {

struct ChatFormat; ///< one row of the format table (ChatTemplate.cpp)

/// One turn of a conversation.
struct ChatMessage {
  std::string role; ///< "system", "user" or "assistant"
  std::string content;
};

/// Renders a conversation the way a model's Jinja chat template would, for the
/// formats in a small table; not a template engine. Encode the result with
/// `addSpecialTokens = false`: the format already holds its special tokens.
class ChatTemplate {
public:
  /// The format called `name`: "chatml" or "llama3".
  static StatusOr<ChatTemplate> named(std::string_view name);
  /// Recognizes the format of a Jinja `chat_template` by its markers, and takes the
  /// default system prompt it inserts when the conversation has none (e.g. SmolLM2's).
  static StatusOr<ChatTemplate> fromJinja(std::string_view jinja);
  /// The format of a model family, e.g. "smollm2" or "qwen2" → ChatML.
  static StatusOr<ChatTemplate> forFamily(std::string_view family);

  std::string_view name() const;
  /// The text that ends every turn, e.g. "<|im_end|>": a stop string for generation.
  std::string_view endOfTurn() const;
  /// Prepended as a system turn when the first message is not one ("" for none).
  const std::string &defaultSystemPrompt() const { return defaultSystemPrompt_; }

  /// The prompt text of `messages`; with `addGenerationPrompt` it ends with the
  /// opening of an assistant turn, e.g. "<|im_start|>assistant\n".
  std::string render(std::span<const ChatMessage> messages, bool addGenerationPrompt = true) const;

private:
  explicit ChatTemplate(const ChatFormat &format) : format_(&format) {}

  const ChatFormat *format_;
  std::string defaultSystemPrompt_;
};

} // namespace loom::frontend
