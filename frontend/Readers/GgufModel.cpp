// Opening a GGUF model: config, tokenizer, chat format, HF-named f32 weights.
#include "frontend/Readers/GgufModel.h"

#include "frontend/Readers/GgufConfig.h"
#include "frontend/Readers/GgufNames.h"
#include "frontend/Readers/GgufTokenizer.h"

#include <fmt/format.h>

namespace loom::frontend {

StatusOr<ChatTemplate> ggufChatTemplate(const GgufMetadata &metadata) {
  if (metadata.has("tokenizer.chat_template")) {
    LOOM_ASSIGN_OR_RETURN(std::string jinja, metadata.requireString("tokenizer.chat_template"));
    return ChatTemplate::fromJinja(jinja);
  }
  for (std::string_view key : {"general.basename", "general.name"}) {
    const GgufValue *value = metadata.find(key);
    if (value && value->asString())
      return ChatTemplate::forFamily(*value->asString());
  }
  return LOOM_ERROR(
      StatusCode::kNotFound,
      fmt::format("{}: no tokenizer.chat_template and no model family name", metadata.source()));
}

StatusOr<GgufModel> GgufModel::open(const std::string &path) {
  LOOM_ASSIGN_OR_RETURN(GgufFile file, GgufFile::open(path));
  return fromFile(std::move(file));
}

StatusOr<GgufModel> GgufModel::fromFile(GgufFile file) {
  LOOM_ASSIGN_OR_RETURN(ModelConfig config, ggufModelConfig(file));
  LOOM_ASSIGN_OR_RETURN(Tokenizer tokenizer, ggufTokenizer(file.metadata()));
  if (tokenizer.vocabSize() != config.vocabSize)
    return file.metadata().invalid(fmt::format("the tokenizer has {} ids but the config {}",
                                               tokenizer.vocabSize(), config.vocabSize));
  GgufModel model(std::move(file), std::move(config), std::move(tokenizer));
  const std::vector<GgufTensorInfo> &tensors = model.file_.tensors();
  for (size_t i = 0; i < tensors.size(); ++i) {
    std::optional<std::string> hfName = ggufToHfTensorName(tensors[i].name);
    if (!hfName)
      return model.file_.metadata().invalid(fmt::format(
          "tensor '{}' has no Hugging Face equivalent that Loom loads", tensors[i].name));
    model.byHfName_.emplace(std::move(*hfName), i);
  }
  const GgufTensorInfo *embedding = model.file_.findTensor("token_embd.weight");
  std::vector<int64_t> embeddingShape = {model.config_.vocabSize, model.config_.hiddenSize};
  if (!embedding || embedding->shape != embeddingShape)
    return model.file_.metadata().invalid(
        fmt::format("token_embd.weight must exist with shape [{}, {}] (vocabulary x "
                    "embedding_length)",
                    embeddingShape[0], embeddingShape[1]));
  StatusOr<ChatTemplate> chat = ggufChatTemplate(model.file_.metadata());
  if (chat)
    model.chatTemplate_ = *chat;
  else
    model.chatTemplateStatus_ = chat.status();
  return model;
}

StatusOr<ChatTemplate> GgufModel::chatTemplate() const {
  if (chatTemplate_)
    return *chatTemplate_;
  return chatTemplateStatus_;
}

std::vector<std::string> GgufModel::tensorNames() const {
  std::vector<std::string> names;
  for (const auto &[name, index] : byHfName_)
    names.push_back(name);
  return names;
}

StatusOr<const GgufTensorInfo *> GgufModel::tensorInfo(std::string_view hfName) const {
  auto it = byHfName_.find(hfName);
  if (it == byHfName_.end())
    return LOOM_ERROR(StatusCode::kNotFound,
                      fmt::format("{}: no tensor '{}'", file_.source(), hfName));
  return &file_.tensors()[it->second];
}

StatusOr<FloatTensor> GgufModel::loadTensor(std::string_view hfName) const {
  LOOM_ASSIGN_OR_RETURN(const GgufTensorInfo *found, tensorInfo(hfName));
  const GgufTensorInfo &info = *found;
  FloatTensor tensor{info.shape, {}};
  LOOM_ASSIGN_OR_RETURN(tensor.values, file_.dequantize(info));
  RopeProjection projection = ropeProjectionOf(hfName);
  if (projection == RopeProjection::kNone)
    return tensor;
  int64_t heads =
      projection == RopeProjection::kQuery ? config_.numAttentionHeads : config_.numKeyValueHeads;
  int64_t rows = tensor.shape.front();
  Status status = unpermuteRopeRows(tensor.values, rows, info.numElements / rows, heads);
  if (!status)
    return status.withContext(fmt::format("{}: tensor '{}'", file_.source(), info.name));
  return tensor;
}

} // namespace loom::frontend
