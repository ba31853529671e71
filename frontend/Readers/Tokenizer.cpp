// Loading tokenizer.json and the encode/decode flows.
#include "frontend/Readers/Tokenizer.h"

#include "frontend/Readers/AddedTokens.h"
#include "frontend/Readers/Bpe.h"
#include "frontend/Readers/JsonFields.h"
#include "frontend/Readers/Normalizer.h"
#include "frontend/Readers/PostProcessor.h"
#include "frontend/Readers/PreTokenizer.h"
#include "frontend/Readers/TokenDecoder.h"
#include "frontend/Readers/Utf8.h"
#include "runtime/Support/Files.h"

#include <fmt/format.h>

#include <filesystem>

namespace loom::frontend {

struct Tokenizer::Tables {
  BpeModel model;
  AddedTokens added;
  Normalizer normalizer;
  PreTokenizer preTokenizer;
  PostProcessor postProcessor;
  TokenDecoder decoder;
  std::vector<std::string> idToToken; ///< "" where no token has the id
  std::vector<bool> present;
  std::vector<bool> special;
  TokenMap addedIds;
};

namespace {

/// Ids may leave gaps, but not so many that the id table dwarfs the vocabulary.
constexpr int64_t kIdSlack = 1 << 16;

Status invalid(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

const nlohmann::json &fieldOrNull(const nlohmann::json &json, const char *key) {
  static const nlohmann::json null;
  auto it = json.find(key);
  return it == json.end() ? null : *it;
}

} // namespace

StatusOr<Tokenizer> Tokenizer::fromJson(std::string_view text, std::string_view source) {
  std::string where(source);
  LOOM_ASSIGN_OR_RETURN(nlohmann::json json, parseJson(text, where));
  if (!json.is_object())
    return invalid(fmt::format("{}: must be a JSON object, got {}", where, briefJson(json)));
  JsonFields fields(json, where);
  const nlohmann::json *model = fields.find("model");
  if (!model)
    return fields.missing("model");

  auto tables = std::make_shared<Tables>();
  LOOM_ASSIGN_OR_RETURN(tables->model, BpeModel::fromJson(*model, where));
  LOOM_ASSIGN_OR_RETURN(tables->added,
                        AddedTokens::fromJson(fieldOrNull(json, "added_tokens"), where));
  LOOM_ASSIGN_OR_RETURN(tables->normalizer,
                        Normalizer::fromJson(fieldOrNull(json, "normalizer"), where));
  LOOM_ASSIGN_OR_RETURN(tables->preTokenizer,
                        PreTokenizer::fromJson(fieldOrNull(json, "pre_tokenizer"), where));
  LOOM_ASSIGN_OR_RETURN(tables->postProcessor,
                        PostProcessor::fromJson(fieldOrNull(json, "post_processor"), where));
  LOOM_ASSIGN_OR_RETURN(tables->decoder,
                        TokenDecoder::fromJson(fieldOrNull(json, "decoder"), where));

  int64_t maxId = -1;
  for (const auto &[token, id] : tables->model.vocab())
    maxId = std::max<int64_t>(maxId, id);
  for (const AddedToken &token : tables->added.tokens())
    maxId = std::max<int64_t>(maxId, token.id);
  int64_t entries = static_cast<int64_t>(tables->model.vocab().size() +
                                         tables->added.tokens().size());
  if (maxId < 0)
    return invalid(fmt::format("{}: the vocabulary is empty", where));
  if (maxId >= 2 * entries + kIdSlack)
    return invalid(fmt::format("{}: token id {} is far beyond the {} tokens defined", where,
                               maxId, entries));
  size_t size = static_cast<size_t>(maxId) + 1;
  tables->idToToken.resize(size);
  tables->present.resize(size, false);
  tables->special.resize(size, false);
  for (const auto &[token, id] : tables->model.vocab()) {
    if (tables->present[id] && tables->idToToken[id] != token)
      return invalid(fmt::format("{}: tokens '{}' and '{}' share id {}", where,
                                 tables->idToToken[id], token, id));
    tables->idToToken[id] = token;
    tables->present[id] = true;
  }
  for (const AddedToken &token : tables->added.tokens()) {
    if (tables->present[token.id] && tables->idToToken[token.id] != token.content)
      return invalid(fmt::format("{}: added token '{}' reuses id {} of '{}'", where,
                                 token.content, token.id, tables->idToToken[token.id]));
    tables->idToToken[token.id] = token.content;
    tables->present[token.id] = true;
    tables->special[token.id] = token.special;
    tables->addedIds[token.content] = token.id;
  }
  for (int32_t id : tables->postProcessor.templateIds())
    if (id < 0 || static_cast<size_t>(id) >= size || !tables->present[id])
      return invalid(fmt::format("{}: post_processor inserts id {}, which no token has",
                                 where, id));
  Tokenizer tokenizer;
  tokenizer.tables_ = std::move(tables);
  return tokenizer;
}

StatusOr<Tokenizer> Tokenizer::open(const std::string &path) {
  std::error_code error;
  std::string file = std::filesystem::is_directory(path, error)
                         ? (std::filesystem::path(path) / "tokenizer.json").string()
                         : path;
  LOOM_ASSIGN_OR_RETURN(std::string text, readFile(file));
  return fromJson(text, file);
}

StatusOr<std::vector<int32_t>> Tokenizer::encode(std::string_view text,
                                                 bool addSpecialTokens) const {
  if (!isValidUtf8(text))
    return invalid("text to encode is not valid UTF-8");
  const Tables &tables = *tables_;
  std::vector<int32_t> ids;
  for (const TextSegment &segment : tables.added.split(text)) {
    if (segment.addedId) {
      ids.push_back(*segment.addedId);
      continue;
    }
    std::string normalized = tables.normalizer.apply(std::string(segment.text));
    LOOM_ASSIGN_OR_RETURN(std::vector<std::string> pieces,
                          tables.preTokenizer.apply(std::move(normalized),
                                                    segment.offset == 0));
    for (const std::string &piece : pieces)
      LOOM_RETURN_IF_ERROR(tables.model.tokenize(piece, ids));
  }
  return addSpecialTokens ? tables.postProcessor.apply(ids) : ids;
}

StatusOr<std::string> Tokenizer::decodeRaw(std::span<const int32_t> ids,
                                           bool skipSpecialTokens,
                                           bool replaceBadByteRuns) const {
  const Tables &tables = *tables_;
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    if (id < 0 || static_cast<size_t>(id) >= tables.present.size() || !tables.present[id])
      return invalid(fmt::format("token id {} is not in the vocabulary (size {})", id,
                                 tables.present.size()));
    if (skipSpecialTokens && tables.special[id])
      continue;
    tokens.push_back(tables.idToToken[id]);
  }
  return tables.decoder.decode(std::move(tokens), replaceBadByteRuns);
}

StatusOr<std::string> Tokenizer::decodeBytes(std::span<const int32_t> ids,
                                             bool skipSpecialTokens) const {
  return decodeRaw(ids, skipSpecialTokens, /*replaceBadByteRuns=*/false);
}

StatusOr<std::string> Tokenizer::decode(std::span<const int32_t> ids,
                                        bool skipSpecialTokens) const {
  LOOM_ASSIGN_OR_RETURN(std::string bytes,
                        decodeRaw(ids, skipSpecialTokens, /*replaceBadByteRuns=*/true));
  return repairUtf8(bytes);
}

int32_t Tokenizer::vocabSize() const { return static_cast<int32_t>(tables_->present.size()); }

std::optional<int32_t> Tokenizer::tokenToId(std::string_view token) const {
  if (auto it = tables_->addedIds.find(token); it != tables_->addedIds.end())
    return it->second;
  if (auto it = tables_->model.vocab().find(token); it != tables_->model.vocab().end())
    return it->second;
  return std::nullopt;
}

std::optional<std::string_view> Tokenizer::idToToken(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= tables_->present.size() || !tables_->present[id])
    return std::nullopt;
  return tables_->idToToken[id];
}

bool Tokenizer::isSpecial(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < tables_->special.size() && tables_->special[id];
}

} // namespace loom::frontend
