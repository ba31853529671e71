// tokenizer.ggml.* metadata → the equivalent tokenizer.json → Tokenizer.
#include "frontend/Readers/GgufTokenizer.h"

#include "frontend/Readers/Utf8.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <unordered_map>

namespace loom::frontend {
namespace {

using nlohmann::json;

/// A byte-level pre-tokenizer named by `tokenizer.ggml.pre`, as tokenizer.json text.
struct BytePreTokenizer {
  std::array<std::string_view, 3> names; ///< aliases llama.cpp accepts ("" = unused)
  std::string_view preTokenizer;
  bool ignoreMerges; ///< a piece that is a whole vocabulary token is not merged
};

constexpr std::array<BytePreTokenizer, 3> kBytePreTokenizers = {{
    {{"smollm", "", ""},
     R"({"type": "Sequence", "pretokenizers": [
          {"type": "Digits", "individual_digits": true},
          {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}]})",
     false},
    {{"llama-bpe", "llama3", "llama-v3"},
     R"({"type": "Sequence", "pretokenizers": [
          {"type": "Split", "behavior": "Isolated", "invert": false, "pattern": {"Regex":
           "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}},
          {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]})",
     true},
    {{"gpt-2", "gpt2", ""},
     R"({"type": "ByteLevel", "add_prefix_space": false, "use_regex": true})",
     false},
}};

constexpr std::string_view kSpace = "\xe2\x96\x81"; // "▁", SentencePiece's space

/// The token list and types every model kind starts from.
struct Vocabulary {
  const std::vector<std::string> *tokens = nullptr;
  std::vector<GgufTokenType> types;
  std::unordered_map<std::string_view, int32_t> ids;
};

StatusOr<Vocabulary> readVocabulary(const GgufMetadata &metadata) {
  Vocabulary vocab;
  LOOM_ASSIGN_OR_RETURN(vocab.tokens, metadata.requireStrings("tokenizer.ggml.tokens"));
  size_t count = vocab.tokens->size();
  if (count == 0 || count > static_cast<size_t>(INT32_MAX))
    return metadata.invalid(fmt::format("tokenizer.ggml.tokens has {} tokens", count));
  vocab.types.assign(count, GgufTokenType::kNormal);
  if (metadata.has("tokenizer.ggml.token_type")) {
    LOOM_ASSIGN_OR_RETURN(std::vector<int64_t> types,
                          metadata.requireInts("tokenizer.ggml.token_type"));
    if (types.size() != count)
      return metadata.invalid(fmt::format("tokenizer.ggml.token_type has {} entries for {} "
                                          "tokens",
                                          types.size(), count));
    for (size_t id = 0; id < count; ++id) {
      if (types[id] < 0 || types[id] > static_cast<int64_t>(GgufTokenType::kByte))
        return metadata.invalid(fmt::format("token {} has unknown token type {}", id, types[id]));
      vocab.types[id] = static_cast<GgufTokenType>(types[id]);
    }
  }
  for (size_t id = 0; id < count; ++id) {
    const std::string &token = (*vocab.tokens)[id];
    if (!isValidUtf8(token))
      return metadata.invalid(fmt::format("token {} is not valid UTF-8", id));
    auto [it, inserted] = vocab.ids.emplace(token, static_cast<int32_t>(id));
    if (!inserted)
      return metadata.invalid(
          fmt::format("token '{}' appears at ids {} and {}", token, it->second, id));
  }
  return vocab;
}

json vocabJson(const Vocabulary &vocab) {
  json out = json::object();
  for (size_t id = 0; id < vocab.tokens->size(); ++id)
    out[(*vocab.tokens)[id]] = id;
  return out;
}

/// Control (and, for SentencePiece, unknown) tokens are special; user-defined tokens are
/// matched verbatim but not special.
json addedTokensJson(const Vocabulary &vocab, bool unknownIsSpecial) {
  json out = json::array();
  for (size_t id = 0; id < vocab.tokens->size(); ++id) {
    GgufTokenType type = vocab.types[id];
    bool special =
        type == GgufTokenType::kControl || (unknownIsSpecial && type == GgufTokenType::kUnknown);
    if ((special || type == GgufTokenType::kUserDefined) && !(*vocab.tokens)[id].empty())
      out.push_back({{"id", id}, {"content", (*vocab.tokens)[id]}, {"special", special}});
  }
  return out;
}

/// TemplateProcessing around a sequence: [bos] $A [eos], per add_bos/add_eos_token.
StatusOr<json> postProcessorJson(const GgufMetadata &metadata, const Vocabulary &vocab,
                                 bool addBosByDefault) {
  json single = json::array(), specials = json::object();
  auto addSpecial = [&](std::string_view flag, bool fallback, std::string_view idKey) -> Status {
    LOOM_ASSIGN_OR_RETURN(bool add, metadata.optionalBool(flag, fallback));
    if (!add)
      return Status::ok();
    LOOM_ASSIGN_OR_RETURN(int64_t id, metadata.requireInt(idKey));
    if (id < 0 || static_cast<size_t>(id) >= vocab.tokens->size())
      return metadata.invalid(fmt::format("{} {} is outside the vocabulary ({} tokens)", idKey, id,
                                          vocab.tokens->size()));
    const std::string &token = (*vocab.tokens)[id];
    single.push_back({{"SpecialToken", {{"id", token}, {"type_id", 0}}}});
    specials[token] = {{"id", token}, {"ids", {id}}, {"tokens", {token}}};
    return Status::ok();
  };
  LOOM_RETURN_IF_ERROR(
      addSpecial("tokenizer.ggml.add_bos_token", addBosByDefault, "tokenizer.ggml.bos_token_id"));
  single.push_back({{"Sequence", {{"id", "A"}, {"type_id", 0}}}});
  LOOM_RETURN_IF_ERROR(
      addSpecial("tokenizer.ggml.add_eos_token", false, "tokenizer.ggml.eos_token_id"));
  if (single.size() == 1)
    return json();
  return json{{"type", "TemplateProcessing"}, {"single", single}, {"special_tokens", specials}};
}

StatusOr<json> byteLevelJson(const GgufMetadata &metadata, const Vocabulary &vocab) {
  LOOM_ASSIGN_OR_RETURN(std::string pre, metadata.requireString("tokenizer.ggml.pre"));
  const BytePreTokenizer *chosen = nullptr;
  for (const BytePreTokenizer &entry : kBytePreTokenizers)
    if (std::find(entry.names.begin(), entry.names.end(), pre) != entry.names.end() && !pre.empty())
      chosen = &entry;
  if (!chosen)
    return metadata.invalid(fmt::format("unsupported tokenizer.ggml.pre '{}' (supported: "
                                        "smollm, llama-bpe, gpt-2)",
                                        pre));
  LOOM_ASSIGN_OR_RETURN(const std::vector<std::string> *merges,
                        metadata.requireStrings("tokenizer.ggml.merges"));
  for (size_t i = 0; i < merges->size(); ++i)
    if (!isValidUtf8((*merges)[i]))
      return metadata.invalid(fmt::format("merge {} is not valid UTF-8", i));
  LOOM_ASSIGN_OR_RETURN(json post, postProcessorJson(metadata, vocab, false));
  return json{{"added_tokens", addedTokensJson(vocab, false)},
              {"pre_tokenizer", json::parse(chosen->preTokenizer)},
              {"post_processor", post},
              {"decoder", {{"type", "ByteLevel"}}},
              {"model",
               {{"type", "BPE"},
                {"vocab", vocabJson(vocab)},
                {"merges", *merges},
                {"ignore_merges", chosen->ignoreMerges}}}};
}

/// SentencePiece BPE merges from token scores, as transformers' SentencePieceExtractor:
/// every split of a token into two vocabulary tokens is a merge; merges rank by the
/// merged token's score, highest first (ties keep token id order, then the parts' ids).
json scoreMergesJson(const Vocabulary &vocab, const std::vector<double> &scores) {
  struct Merge {
    double score;
    int32_t left, right;
  };
  std::vector<Merge> merges;
  for (size_t id = 0; id < vocab.tokens->size(); ++id) {
    std::string_view token = (*vocab.tokens)[id];
    size_t first = merges.size();
    for (size_t split = 1; split < token.size(); ++split) {
      if ((static_cast<uint8_t>(token[split]) & 0xc0) == 0x80)
        continue; // not a character boundary
      auto left = vocab.ids.find(token.substr(0, split));
      auto right = vocab.ids.find(token.substr(split));
      if (left != vocab.ids.end() && right != vocab.ids.end())
        merges.push_back({scores[id], left->second, right->second});
    }
    std::sort(merges.begin() + first, merges.end(), [](const Merge &a, const Merge &b) {
      return std::pair(a.left, a.right) < std::pair(b.left, b.right);
    });
  }
  std::stable_sort(merges.begin(), merges.end(),
                   [](const Merge &a, const Merge &b) { return a.score > b.score; });
  json out = json::array();
  for (const Merge &merge : merges)
    out.push_back({(*vocab.tokens)[merge.left], (*vocab.tokens)[merge.right]});
  return out;
}

StatusOr<json> sentencePieceJson(const GgufMetadata &metadata, const Vocabulary &vocab) {
  LOOM_ASSIGN_OR_RETURN(std::vector<double> scores,
                        metadata.requireNumbers("tokenizer.ggml.scores"));
  if (scores.size() != vocab.tokens->size())
    return metadata.invalid(fmt::format("tokenizer.ggml.scores has {} entries for {} tokens",
                                        scores.size(), vocab.tokens->size()));
  LOOM_ASSIGN_OR_RETURN(bool addSpacePrefix,
                        metadata.optionalBool("tokenizer.ggml.add_space_prefix", true));
  json model = {{"type", "BPE"},
                {"vocab", vocabJson(vocab)},
                {"merges", scoreMergesJson(vocab, scores)},
                {"byte_fallback", true},
                {"fuse_unk", true}};
  auto unknown = std::find(vocab.types.begin(), vocab.types.end(), GgufTokenType::kUnknown);
  LOOM_ASSIGN_OR_RETURN(int64_t unkId, metadata.optionalInt("tokenizer.ggml.unknown_token_id",
                                                            unknown - vocab.types.begin()));
  if (unkId >= 0 && static_cast<size_t>(unkId) < vocab.tokens->size())
    model["unk_token"] = (*vocab.tokens)[unkId];

  json replaceSpace = {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kSpace}};
  json normalizers = json::array();
  if (addSpacePrefix)
    normalizers.push_back({{"type", "Prepend"}, {"prepend", kSpace}});
  normalizers.push_back(replaceSpace);
  json decoders = {{{"type", "Replace"}, {"pattern", {{"String", kSpace}}}, {"content", " "}},
                   {{"type", "ByteFallback"}},
                   {{"type", "Fuse"}}};
  if (addSpacePrefix)
    decoders.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
  LOOM_ASSIGN_OR_RETURN(json post, postProcessorJson(metadata, vocab, true));
  return json{{"added_tokens", addedTokensJson(vocab, true)},
              {"normalizer", {{"type", "Sequence"}, {"normalizers", normalizers}}},
              {"post_processor", post},
              {"decoder", {{"type", "Sequence"}, {"decoders", decoders}}},
              {"model", model}};
}

/// The tokenizer models llama.cpp names in `tokenizer.ggml.model`.
struct TokenizerModel {
  std::string_view name;
  StatusOr<json> (*toJson)(const GgufMetadata &, const Vocabulary &);
};
constexpr std::array<TokenizerModel, 2> kModels = {{
    {"gpt2", byteLevelJson},
    {"llama", sentencePieceJson},
}};

} // namespace

StatusOr<Tokenizer> ggufTokenizer(const GgufMetadata &metadata) {
  LOOM_ASSIGN_OR_RETURN(std::string name, metadata.requireString("tokenizer.ggml.model"));
  auto model = std::find_if(kModels.begin(), kModels.end(),
                            [&](const TokenizerModel &entry) { return entry.name == name; });
  if (model == kModels.end())
    return metadata.invalid(fmt::format("unsupported tokenizer.ggml.model '{}' (supported: "
                                        "gpt2, llama)",
                                        name));
  LOOM_ASSIGN_OR_RETURN(Vocabulary vocab, readVocabulary(metadata));
  LOOM_ASSIGN_OR_RETURN(json tokenizerJson, model->toJson(metadata, vocab));
  return Tokenizer::fromJson(tokenizerJson.dump(),
                             fmt::format("{}: tokenizer.ggml metadata", metadata.source()));
}

} // namespace loom::frontend
