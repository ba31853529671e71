// TinyLlamaGguf: a small Llama GGUF for tool tests — llama.* metadata, a nine-token SentencePiece
// vocabulary with scores and a zero embedding table (no other tensors).
#pragma once

#include "test/unit/Readers/GgufWriter.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace loom::tools::testing {

/// The vocabulary: "▁ab" is reached by merging "▁" + "a" (score -4) before "a" + "b" (-5).
inline const std::vector<std::string> kTinyLlamaTokens = {"<unk>", "<s>", "</s>", "▁", "a",
                                                          "b",     "▁a",  "ab",   "▁ab"};

/// Writes the model to `path` (hidden 64, 2 layers, 8 heads, 2 KV heads).
inline void writeTinyLlamaGguf(const std::string &path) {
  frontend::testing::GgufWriter writer;
  writer.string("general.architecture", "llama");
  for (auto [key, value] : {std::pair<const char *, uint32_t>{"llama.context_length", 256},
                            {"llama.embedding_length", 64},
                            {"llama.block_count", 2},
                            {"llama.feed_forward_length", 160},
                            {"llama.attention.head_count", 8},
                            {"llama.attention.head_count_kv", 2},
                            {"llama.rope.dimension_count", 8},
                            {"tokenizer.ggml.bos_token_id", 1},
                            {"tokenizer.ggml.eos_token_id", 2}})
    writer.scalar<uint32_t>(key, 4, value);
  writer.scalar<float>("llama.attention.layer_norm_rms_epsilon", 6, 1e-5f);
  writer.scalar<float>("llama.rope.freq_base", 6, 10000.0f);
  writer.string("tokenizer.ggml.model", "llama");
  writer.strings("tokenizer.ggml.tokens", kTinyLlamaTokens);
  writer.array<float>("tokenizer.ggml.scores", 6, {0, 0, 0, -1, -2, -3, -4, -5, -6});
  writer.array<int32_t>("tokenizer.ggml.token_type", 5, {2, 3, 3, 1, 1, 1, 1, 1, 1});
  uint64_t vocab = kTinyLlamaTokens.size();
  writer.tensor("token_embd.weight", {64, vocab}, 0, std::string(64 * vocab * 4, '\0'));
  std::ofstream(path, std::ios::binary) << writer.bytes();
}

/// The model written to a temporary file named after `stem` and the process, removed at the end.
class TinyLlamaGgufFile {
public:
  explicit TinyLlamaGgufFile(const std::string &stem)
      : path_((std::filesystem::temp_directory_path() /
               (stem + "-" + std::to_string(::getpid()) + ".gguf"))
                  .string()) {
    writeTinyLlamaGguf(path_);
  }
  ~TinyLlamaGgufFile() { std::filesystem::remove(path_); }
  TinyLlamaGgufFile(const TinyLlamaGgufFile &) = delete;
  TinyLlamaGgufFile &operator=(const TinyLlamaGgufFile &) = delete;

  const std::string &path() const { return path_; }

private:
  std::string path_;
};

} // namespace loom::tools::testing
