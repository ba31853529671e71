// ServedModel: tokenizing prompts, applying the chat format, defaults and limits.
#include "tools/loom-run/serve/ServedModel.h"

#include <fmt/format.h>

namespace loom::serve {

namespace {

constexpr int kDefaultCompletionTokens = 16; // OpenAI's default max_tokens for completions

} // namespace

std::variant<EngineRequest, ApiError>
ServedModel::toEngineRequest(const OpenAiRequest &request, std::string &promptText) const {
  if (!request.model.empty() && request.model != name)
    return ApiError{404, fmt::format("the model '{}' does not exist; this server serves '{}'",
                                     request.model, name),
                    "invalid_request_error", "model", "model_not_found"};
  bool chatRequest = request.endpoint == Endpoint::kChatCompletions;
  std::string_view promptParam = chatRequest ? "messages" : "prompt";
  EngineRequest engineRequest;
  if (chatRequest) {
    if (!chat)
      return ApiError::invalidParam("messages",
                                    fmt::format("this model has no chat format ({}); start the "
                                                "server with --chat-template chatml|llama3",
                                                chatError.message()));
    promptText = chat->render(request.messages);
  } else if (request.promptText) {
    promptText = *request.promptText;
  }
  if (request.promptText || chatRequest) {
    auto ids = tokenizer.encode(promptText, /*addSpecialTokens=*/!chatRequest);
    if (!ids.isOk())
      return ApiError::invalidParam(std::string(promptParam), ids.status().message());
    engineRequest.prompt = std::move(*ids);
  } else {
    engineRequest.prompt = request.promptIds;
    auto text = tokenizer.decode(request.promptIds, /*skipSpecialTokens=*/true);
    promptText = text.isOk() ? *text : std::string();
  }
  int promptTokens = static_cast<int>(engineRequest.prompt.size());
  if (promptTokens > engine.maxModelLen)
    return ApiError{400,
                    fmt::format("this model's maximum context length is {} tokens, but the "
                                "prompt has {} tokens",
                                engine.maxModelLen, promptTokens),
                    "invalid_request_error", std::string(promptParam), "context_length_exceeded"};

  rt::SamplingParams &params = engineRequest.params;
  params = request.sampling;
  if (!request.maxTokensGiven)
    params.maxTokens = chatRequest ? engine.maxModelLen : kDefaultCompletionTokens;
  params.stopTokenIds.insert(params.stopTokenIds.end(), extraStopTokenIds.begin(),
                             extraStopTokenIds.end());
  if (chatRequest)
    params.stopStrings.emplace_back(chat->endOfTurn());
  if (Status valid = rt::validateRequest(engineRequest.prompt, params, engine,
                                         /*canDetokenize=*/true);
      !valid.isOk())
    return ApiError::invalidParam(promptTokens == 0 ? std::string(promptParam) : "",
                                  valid.message());
  return engineRequest;
}

} // namespace loom::serve
