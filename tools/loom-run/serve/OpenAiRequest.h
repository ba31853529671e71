// OpenAiRequest: the body of POST /v1/completions and /v1/chat/completions, parsed and checked
// against a table of parameters.
#pragma once

#include "frontend/Readers/ChatTemplate.h"
#include "runtime/Engine/SamplingParams.h"
#include "tools/loom-run/serve/ApiError.h"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace loom::serve {

enum class Endpoint { kCompletions, kChatCompletions };

/// One request as the client asked for it; the prompt is not tokenized yet.
struct OpenAiRequest {
  Endpoint endpoint = Endpoint::kCompletions;
  std::string model;                          ///< empty when not given
  std::optional<std::string> promptText;      ///< completions: a text prompt
  std::vector<rt::TokenId> promptIds;         ///< completions: a prompt of token ids
  std::vector<frontend::ChatMessage> messages; ///< chat completions
  rt::SamplingParams sampling;                ///< OpenAI defaults: temperature 1, top_p 1
  bool maxTokensGiven = false;                ///< else completions: 16, chat: to the context
  bool stream = false;
  bool includeUsage = false; ///< stream_options.include_usage: a last chunk with usage
  bool echo = false;         ///< completions: the prompt text precedes the completion
};

/// The request, or a 400 error naming the parameter at fault. Unknown parameters, wrong JSON
/// types, values out of range and unsupported features (n > 1, logprobs, penalties other
/// than 0) are errors; null counts as absent.
std::variant<OpenAiRequest, ApiError> parseOpenAiRequest(std::string_view body, Endpoint endpoint);

} // namespace loom::serve
