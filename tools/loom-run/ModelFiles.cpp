// Opening a model folder or a GGUF file for loom-run.
#include "tools/loom-run/ModelFiles.h"

#include "frontend/Models/GgufWeightSource.h"
#include "frontend/Models/SafetensorsWeightSource.h"
#include "runtime/Support/Files.h"

#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace loom::tools {

namespace {

/// tokenizer_config.json's chat_template, else the model family's format.
StatusOr<frontend::ChatTemplate> folderChatTemplate(const std::string &dir,
                                                    const frontend::ModelConfig &config) {
  if (auto text = readFile(dir + "/tokenizer_config.json"); text.isOk()) {
    auto json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (json.is_object() && json.contains("chat_template") && json["chat_template"].is_string())
      return frontend::ChatTemplate::fromJinja(json["chat_template"].get<std::string>());
  }
  auto byFamily = frontend::ChatTemplate::forFamily(config.modelType);
  if (!byFamily.isOk())
    return byFamily.status().withContext(fmt::format("{} has no chat template", dir));
  return byFamily;
}

void setChat(ModelFiles &files, StatusOr<frontend::ChatTemplate> chat) {
  if (chat.isOk())
    files.chat = std::move(*chat);
  else
    files.chatError = chat.status();
}

StatusOr<std::unique_ptr<ModelFiles>> openGguf(const std::string &path, bool withWeights) {
  auto files = std::make_unique<ModelFiles>();
  LOOM_ASSIGN_OR_RETURN(frontend::GgufModel model, frontend::GgufModel::open(path));
  files->gguf = std::make_unique<frontend::GgufModel>(std::move(model));
  files->config = files->gguf->config();
  files->tokenizer = files->gguf->tokenizer();
  setChat(*files, files->gguf->chatTemplate());
  if (withWeights)
    files->weights = std::make_unique<models::GgufWeightSource>(*files->gguf, path);
  return files;
}

} // namespace

StatusOr<std::unique_ptr<ModelFiles>> openModelFiles(const std::string &path, bool withWeights) {
  if (path.ends_with(".gguf"))
    return openGguf(path, withWeights);
  auto files = std::make_unique<ModelFiles>();
  LOOM_ASSIGN_OR_RETURN(files->config, frontend::readModelConfig(path));
  std::string dir = std::filesystem::is_directory(path)
                        ? path
                        : std::filesystem::path(path).parent_path().string();
  if (auto tokenizer = frontend::Tokenizer::open(dir); tokenizer.isOk())
    files->tokenizer = std::move(*tokenizer);
  setChat(*files, folderChatTemplate(dir, files->config));
  if (withWeights) {
    LOOM_ASSIGN_OR_RETURN(auto checkpoint, models::SafetensorsWeightSource::open(path));
    files->weights = std::make_unique<models::SafetensorsWeightSource>(std::move(checkpoint));
  }
  return files;
}

} // namespace loom::tools
