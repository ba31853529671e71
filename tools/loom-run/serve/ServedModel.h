// ServedModel: the model behind the server — its name, tokenizer, chat format and engine
// limits — and the turning of an OpenAI request into a tokenized engine request.
#pragma once

#include "frontend/Readers/ChatTemplate.h"
#include "frontend/Readers/Tokenizer.h"
#include "runtime/Engine/EngineConfig.h"
#include "tools/loom-run/serve/EngineWorker.h"
#include "tools/loom-run/serve/OpenAiRequest.h"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace loom::serve {

struct ServedModel {
  std::string name; ///< the id clients name in "model" and that /v1/models lists
  frontend::Tokenizer tokenizer;
  std::optional<frontend::ChatTemplate> chat;
  Status chatError; ///< why there is no chat format
  rt::EngineConfig engine;
  std::vector<rt::TokenId> extraStopTokenIds; ///< end-of-sequence ids beyond the engine's EOS

  /// The prompt tokens and sampling parameters of `request`, or a 400 (404 for another model)
  /// naming the problem: no chat format, a prompt longer than the context, bad parameters.
  /// `promptText` receives the prompt's text (for echo).
  std::variant<EngineRequest, ApiError> toEngineRequest(const OpenAiRequest &request,
                                                        std::string &promptText) const;
};

} // namespace loom::serve
