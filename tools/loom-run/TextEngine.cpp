// TextEngine: load, tokenizer check, trace session and a detokenizing engine, in that order.
#include "tools/loom-run/TextEngine.h"

#include <fmt/format.h>

#include <cstdio>

namespace loom::tools {

std::vector<rt::TokenId> TextEngine::extraStopTokenIds() const {
  const auto &eosIds = model->config().eosTokenIds;
  std::vector<rt::TokenId> ids;
  for (size_t i = 1; i < eosIds.size(); ++i)
    ids.push_back(static_cast<rt::TokenId>(eosIds[i]));
  return ids;
}

StatusOr<TextEngine> loadTextEngine(const ModelRequest &request, const std::string &tracePath,
                                    const Progress &progress) {
  TextEngine text;
  LOOM_ASSIGN_OR_RETURN(text.model, loadServingModel(request, progress));
  if (!text.model->files().tokenizer)
    return LOOM_ERROR(StatusCode::kNotFound, fmt::format("{} has no tokenizer", request.path));
  rt::Detokenizer detokenize = [tokenizer = text.tokenizer()](std::span<const rt::TokenId> ids) {
    auto decoded = tokenizer.decode(ids, /*skipSpecialTokens=*/true);
    return decoded.isOk() ? *decoded : std::string();
  };
  text.trace = traceSessionFor(*text.model, tracePath);
  rt::ModelRunner &runner = engineRunner(*text.model, text.trace.get());
  LOOM_ASSIGN_OR_RETURN(text.engine,
                        rt::Engine::create(text.model->engineConfig(), runner, detokenize));
  return text;
}

void printProgress(const std::string &line) { fmt::print(stderr, "[loom-run] {}\n", line); }

} // namespace loom::tools
