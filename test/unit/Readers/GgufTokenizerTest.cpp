// Tokenizers from tokenizer.ggml.* metadata: byte-level BPE (gpt2) and SentencePiece (llama).
#include "frontend/Readers/GgufTokenizer.h"

#include "frontend/Readers/GgufFile.h"
#include "test/unit/Readers/GgufWriter.h"

#include <gtest/gtest.h>

#include <functional>

namespace loom::frontend {
namespace {

using testing::GgufWriter;

/// A tiny byte-level vocabulary: three control tokens, characters and merges that build
/// "hello", "Ġworld" and "123".
// clang-format off
const std::vector<std::string> kTokens = {
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "h", "e", "l", "o", "Ġ", "w", "r", "d",
    "1", "2", "3", "4", "5", "he", "ll", "hell", "hello", "Ġw", "or", "Ġwor", "ld", "Ġworld",
    "12", "123"};
// clang-format on
const std::vector<std::string> kMerges = {"h e",   "l l", "he ll",   "hell o", "Ġ w", "o r",
                                          "Ġw or", "l d", "Ġwor ld", "1 2",    "12 3"};

int32_t idOf(std::string_view token) {
  return static_cast<int32_t>(std::find(kTokens.begin(), kTokens.end(), token) - kTokens.begin());
}

std::string byteLevelFile(std::string_view pre,
                          const std::function<void(GgufWriter &)> &extra = {}) {
  GgufWriter writer;
  writer.string("tokenizer.ggml.model", "gpt2");
  writer.string("tokenizer.ggml.pre", pre);
  writer.strings("tokenizer.ggml.tokens", kTokens);
  std::vector<int32_t> types(kTokens.size(), 1);
  types[0] = types[1] = types[2] = 3;
  writer.array<int32_t>("tokenizer.ggml.token_type", 5, types);
  writer.strings("tokenizer.ggml.merges", kMerges);
  writer.scalar<uint32_t>("tokenizer.ggml.bos_token_id", 4, 1);
  writer.scalar<uint32_t>("tokenizer.ggml.eos_token_id", 4, 2);
  if (extra)
    extra(writer);
  return writer.bytes();
}

StatusOr<Tokenizer> tokenizerOf(const std::string &bytes) {
  StatusOr<GgufFile> file = testing::parseGguf(bytes, "tok.gguf");
  if (!file.isOk())
    return file.status();
  return ggufTokenizer(file->metadata());
}

std::vector<int32_t> ids(std::initializer_list<std::string_view> tokens) {
  std::vector<int32_t> out;
  for (std::string_view token : tokens)
    out.push_back(idOf(token));
  return out;
}

TEST(GgufTokenizerTest, SmolLmByteLevelBpe) {
  StatusOr<Tokenizer> tokenizer = tokenizerOf(byteLevelFile("smollm"));
  ASSERT_TRUE(tokenizer.isOk()) << tokenizer.status().toString();
  EXPECT_EQ(tokenizer->vocabSize(), static_cast<int32_t>(kTokens.size()));
  StatusOr<std::vector<int32_t>> encoded = tokenizer->encode("hello world 123");
  ASSERT_TRUE(encoded.isOk()) << encoded.status().toString();
  // smollm splits every digit on its own, so "123" is never merged; no BOS by default.
  EXPECT_EQ(*encoded, ids({"hello", "Ġworld", "Ġ", "1", "2", "3"}));
  encoded = tokenizer->encode("<|im_start|>hello<|im_end|>");
  ASSERT_TRUE(encoded.isOk()) << encoded.status().toString();
  EXPECT_EQ(*encoded, ids({"<|im_start|>", "hello", "<|im_end|>"}));
  EXPECT_TRUE(tokenizer->isSpecial(idOf("<|im_end|>")));
  EXPECT_FALSE(tokenizer->isSpecial(idOf("hello")));
  EXPECT_EQ(*tokenizer->decode(*encoded), "<|im_start|>hello<|im_end|>");
  EXPECT_EQ(*tokenizer->decode(*encoded, /*skipSpecialTokens=*/true), "hello");
  EXPECT_EQ(*tokenizer->decode(ids({"hello", "Ġworld", "Ġ", "1", "2", "3"})), "hello world 123");
}

TEST(GgufTokenizerTest, Llama3PreTokenizerGroupsDigitsAndAddsBos) {
  StatusOr<Tokenizer> tokenizer = tokenizerOf(byteLevelFile(
      "llama-bpe", [](GgufWriter &w) { w.scalar<bool>("tokenizer.ggml.add_bos_token", 7, true); }));
  ASSERT_TRUE(tokenizer.isOk()) << tokenizer.status().toString();
  StatusOr<std::vector<int32_t>> encoded = tokenizer->encode("12345 hello");
  ASSERT_TRUE(encoded.isOk()) << encoded.status().toString();
  // \p{N}{1,3} keeps "123" together; then "45"; then " hello" as "Ġ" + "hello".
  EXPECT_EQ(*encoded, ids({"<|im_start|>", "123", "4", "5", "Ġ", "hello"}));
  EXPECT_EQ(*tokenizer->encode("hello", /*addSpecialTokens=*/false), ids({"hello"}));
}

TEST(GgufTokenizerTest, RejectsUnsupportedOrInconsistentMetadata) {
  auto expectError = [](const std::string &bytes, std::string_view fragment) {
    testing::expectErrorContaining(tokenizerOf(bytes).status(), fragment);
  };
  expectError(byteLevelFile("qwen2"), "unsupported tokenizer.ggml.pre 'qwen2' (supported: "
                                      "smollm, llama-bpe, gpt-2)");
  expectError(byteLevelFile(""), "unsupported tokenizer.ggml.pre ''");
  GgufWriter bert;
  bert.string("tokenizer.ggml.model", "bert");
  expectError(bert.bytes(), "unsupported tokenizer.ggml.model 'bert' (supported: gpt2, llama)");
  GgufWriter noModel;
  expectError(noModel.bytes(), "missing required metadata key 'tokenizer.ggml.model'");
  GgufWriter noMerges;
  noMerges.string("tokenizer.ggml.model", "gpt2");
  noMerges.string("tokenizer.ggml.pre", "smollm");
  noMerges.strings("tokenizer.ggml.tokens", {"a", "b"});
  expectError(noMerges.bytes(), "missing required metadata key 'tokenizer.ggml.merges'");
  GgufWriter duplicate;
  duplicate.string("tokenizer.ggml.model", "gpt2");
  duplicate.strings("tokenizer.ggml.tokens", {"a", "b", "a"});
  expectError(duplicate.bytes(), "token 'a' appears at ids 0 and 2");
  GgufWriter shortTypes;
  shortTypes.string("tokenizer.ggml.model", "gpt2");
  shortTypes.strings("tokenizer.ggml.tokens", {"a", "b"});
  shortTypes.array<int32_t>("tokenizer.ggml.token_type", 5, {1});
  expectError(shortTypes.bytes(), "tokenizer.ggml.token_type has 1 entries for 2 tokens");
  expectError(byteLevelFile("smollm",
                            [](GgufWriter &w) {
                              w.scalar<bool>("tokenizer.ggml.add_bos_token", 7, true);
                              w.scalar<uint32_t>("tokenizer.ggml.bos_token_id", 4, 99);
                            }),
              "metadata key 'tokenizer.ggml.bos_token_id' appears more than once");
  GgufWriter badBos;
  badBos.string("tokenizer.ggml.model", "gpt2");
  badBos.string("tokenizer.ggml.pre", "smollm");
  badBos.strings("tokenizer.ggml.tokens", {"a", "b"});
  badBos.strings("tokenizer.ggml.merges", {"a b"});
  badBos.scalar<bool>("tokenizer.ggml.add_bos_token", 7, true);
  badBos.scalar<uint32_t>("tokenizer.ggml.bos_token_id", 4, 99);
  expectError(badBos.bytes(),
              "tokenizer.ggml.bos_token_id 99 is outside the vocabulary (2 tokens)");
  GgufWriter llamaNoScores;
  llamaNoScores.string("tokenizer.ggml.model", "llama");
  llamaNoScores.strings("tokenizer.ggml.tokens", {"<unk>", "a"});
  expectError(llamaNoScores.bytes(), "missing required metadata key 'tokenizer.ggml.scores'");
}

} // namespace
} // namespace loom::frontend
