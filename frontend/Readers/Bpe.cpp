// BPE: loading vocab and merges, and merging a piece with a rank-ordered heap.
#include "frontend/Readers/Bpe.h"

#include "frontend/Readers/JsonFields.h"
#include "frontend/Readers/Utf8.h"

#include <fmt/format.h>

#include <queue>

namespace loom::frontend {

StatusOr<BpeModel> BpeModel::fromJson(const nlohmann::json &model, const std::string &source) {
  JsonFields fields(model, fmt::format("{}: model", source));
  if (!model.is_object())
    return fields.wrongType("model", "an object", model);
  LOOM_ASSIGN_OR_RETURN(std::string type, fields.optionalString("type", "BPE"));
  if (type != "BPE")
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{}: unsupported tokenizer model type '{}' (only BPE is "
                                  "supported)", fields.source(), type));
  for (std::string_view key : {"continuing_subword_prefix", "end_of_word_suffix"})
    if (fields.has(key))
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("{}: '{}' is not supported", fields.source(), key));
  if (fields.has("dropout") && fields.find("dropout")->is_number() &&
      fields.find("dropout")->get<double>() != 0.0)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{}: BPE dropout is not supported", fields.source()));

  BpeModel bpe;
  const nlohmann::json *vocab = fields.find("vocab");
  if (!vocab)
    return fields.missing("vocab");
  if (!vocab->is_object())
    return fields.wrongType("vocab", "an object of token → id", *vocab);
  for (const auto &[token, idValue] : vocab->items()) {
    int64_t id = -1;
    if (!jsonToInt(idValue, id) || id < 0 || id > INT32_MAX)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("{}: vocab id of '{}' must be a non-negative 32-bit "
                                    "integer, got {}", fields.source(), token,
                                    briefJson(idValue)));
    bpe.vocab_.emplace(token, static_cast<int32_t>(id));
  }

  LOOM_ASSIGN_OR_RETURN(bpe.byteFallback_, fields.optionalBool("byte_fallback", false));
  LOOM_ASSIGN_OR_RETURN(bpe.fuseUnk_, fields.optionalBool("fuse_unk", false));
  LOOM_ASSIGN_OR_RETURN(bpe.ignoreMerges_, fields.optionalBool("ignore_merges", false));
  if (fields.has("unk_token")) {
    LOOM_ASSIGN_OR_RETURN(std::string unk, fields.requireString("unk_token"));
    auto it = bpe.vocab_.find(unk);
    if (it == bpe.vocab_.end())
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("{}: unk_token '{}' is not in the vocab", fields.source(),
                                    unk));
    bpe.unkId_ = it->second;
  }
  for (int byte = 0; byte < 256; ++byte) {
    auto it = bpe.vocab_.find(fmt::format("<0x{:02X}>", byte));
    bpe.byteIds_[byte] = it == bpe.vocab_.end() ? -1 : it->second;
  }
  const nlohmann::json *merges = fields.find("merges");
  if (merges)
    LOOM_RETURN_IF_ERROR(bpe.readMerges(*merges, fields.source()));
  return bpe;
}

Status BpeModel::readMerges(const nlohmann::json &merges, const std::string &source) {
  if (!merges.is_array())
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{}: merges must be a list, got {}", source,
                                  briefJson(merges)));
  int32_t rank = 0;
  for (const nlohmann::json &merge : merges) {
    std::string left, right;
    if (merge.is_string()) {
      auto text = merge.get<std::string>();
      size_t space = text.find(' ');
      if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos)
        return LOOM_ERROR(StatusCode::kInvalidArgument,
                          fmt::format("{}: merge {} must be two tokens separated by one "
                                      "space", source, briefJson(merge)));
      left = text.substr(0, space);
      right = text.substr(space + 1);
    } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
               merge[1].is_string()) {
      left = merge[0].get<std::string>();
      right = merge[1].get<std::string>();
    } else {
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("{}: merge {} must be \"a b\" or [\"a\", \"b\"]", source,
                                    briefJson(merge)));
    }
    auto leftId = vocab_.find(left), rightId = vocab_.find(right),
         resultId = vocab_.find(left + right);
    if (leftId == vocab_.end() || rightId == vocab_.end() || resultId == vocab_.end())
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("{}: merge {} uses a token missing from the vocab",
                                    source, briefJson(merge)));
    merges_.emplace(pairKey(leftId->second, rightId->second), Merge{rank++, resultId->second});
  }
  return Status::ok();
}

Status BpeModel::initialSymbols(std::string_view piece, std::vector<int32_t> &symbols) const {
  bool previousUnk = false;
  for (std::string_view character : utf8Characters(piece)) {
    if (auto it = vocab_.find(character); it != vocab_.end()) {
      symbols.push_back(it->second);
      previousUnk = false;
      continue;
    }
    if (byteFallback_) {
      bool allBytes = true;
      for (char byte : character)
        allBytes = allBytes && byteIds_[static_cast<uint8_t>(byte)] >= 0;
      if (allBytes) {
        for (char byte : character)
          symbols.push_back(byteIds_[static_cast<uint8_t>(byte)]);
        previousUnk = false;
        continue;
      }
    }
    if (!unkId_)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("character '{}' is not in the vocabulary and the "
                                    "tokenizer has no unk_token", character));
    if (!(fuseUnk_ && previousUnk))
      symbols.push_back(*unkId_);
    previousUnk = true;
  }
  return Status::ok();
}

Status BpeModel::tokenize(std::string_view piece, std::vector<int32_t> &ids) const {
  if (ignoreMerges_) {
    if (auto it = vocab_.find(piece); it != vocab_.end()) {
      ids.push_back(it->second);
      return Status::ok();
    }
  }
  std::vector<int32_t> symbols;
  LOOM_RETURN_IF_ERROR(initialSymbols(piece, symbols));
  size_t count = symbols.size();
  std::vector<int> next(count), previous(count);
  for (size_t i = 0; i < count; ++i) {
    next[i] = i + 1 < count ? static_cast<int>(i + 1) : -1;
    previous[i] = static_cast<int>(i) - 1;
  }
  std::vector<bool> alive(count, true);

  struct Candidate {
    int32_t rank;
    int position; ///< index of the left symbol
    bool operator>(const Candidate &other) const {
      return rank != other.rank ? rank > other.rank : position > other.position;
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
  auto push = [&](int left) {
    if (left < 0 || next[left] < 0)
      return;
    auto it = merges_.find(pairKey(symbols[left], symbols[next[left]]));
    if (it != merges_.end())
      heap.push({it->second.rank, left});
  };
  for (size_t i = 0; i + 1 < count; ++i)
    push(static_cast<int>(i));

  while (!heap.empty()) {
    Candidate top = heap.top();
    heap.pop();
    int left = top.position;
    if (!alive[left] || next[left] < 0)
      continue;
    auto it = merges_.find(pairKey(symbols[left], symbols[next[left]]));
    if (it == merges_.end() || it->second.rank != top.rank)
      continue; // stale: a neighbour changed since this pair was queued
    int right = next[left];
    symbols[left] = it->second.result;
    alive[right] = false;
    next[left] = next[right];
    if (next[right] >= 0)
      previous[next[right]] = left;
    push(previous[left]);
    push(left);
  }
  for (size_t i = 0; i < count; ++i)
    if (alive[i])
      ids.push_back(symbols[i]);
  return Status::ok();
}

} // namespace loom::frontend
