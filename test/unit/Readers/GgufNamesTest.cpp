// llama.cpp → Hugging Face tensor names and the Q/K row un-permutation.
#include "frontend/Readers/GgufNames.h"

#include <gtest/gtest.h>

#include <numeric>

namespace loom::frontend {
namespace {

TEST(GgufNamesTest, MapsLlamaTensorNames) {
  const std::pair<std::string_view, std::string_view> expected[] = {
      {"token_embd.weight", "model.embed_tokens.weight"},
      {"output_norm.weight", "model.norm.weight"},
      {"output.weight", "lm_head.weight"},
      {"blk.0.attn_q.weight", "model.layers.0.self_attn.q_proj.weight"},
      {"blk.0.attn_k.weight", "model.layers.0.self_attn.k_proj.weight"},
      {"blk.7.attn_v.weight", "model.layers.7.self_attn.v_proj.weight"},
      {"blk.12.attn_output.weight", "model.layers.12.self_attn.o_proj.weight"},
      {"blk.3.attn_norm.weight", "model.layers.3.input_layernorm.weight"},
      {"blk.3.ffn_gate.weight", "model.layers.3.mlp.gate_proj.weight"},
      {"blk.3.ffn_up.weight", "model.layers.3.mlp.up_proj.weight"},
      {"blk.29.ffn_down.weight", "model.layers.29.mlp.down_proj.weight"},
      {"blk.3.ffn_norm.weight", "model.layers.3.post_attention_layernorm.weight"},
      {"blk.1.attn_q.bias", "model.layers.1.self_attn.q_proj.bias"},
  };
  for (auto [gguf, hf] : expected) {
    std::optional<std::string> name = ggufToHfTensorName(gguf);
    ASSERT_TRUE(name.has_value()) << gguf;
    EXPECT_EQ(*name, hf);
  }
  for (std::string_view unmapped :
       {"rope_freqs.weight", "blk.0.attn_qkv.weight", "blk.x.attn_q.weight", "blk..attn_q.weight",
        "blk.01.attn_q.weight", "blk.0.attn_q", "blk.0.attn_q.weight.extra", "token_embd",
        "blk.-1.attn_q.weight", ""})
    EXPECT_FALSE(ggufToHfTensorName(unmapped).has_value()) << unmapped;
}

TEST(GgufNamesTest, RopeProjections) {
  EXPECT_EQ(ropeProjectionOf("model.layers.4.self_attn.q_proj.weight"), RopeProjection::kQuery);
  EXPECT_EQ(ropeProjectionOf("model.layers.4.self_attn.q_proj.bias"), RopeProjection::kQuery);
  EXPECT_EQ(ropeProjectionOf("model.layers.4.self_attn.k_proj.weight"), RopeProjection::kKey);
  EXPECT_EQ(ropeProjectionOf("model.layers.4.self_attn.v_proj.weight"), RopeProjection::kNone);
  EXPECT_EQ(ropeProjectionOf("model.layers.4.self_attn.o_proj.weight"), RopeProjection::kNone);
}

TEST(GgufNamesTest, UnpermutesInterleavedRowsPerHead) {
  // Two heads of size 4, two columns. llama.cpp stores HF rows (x0, x1, x2, x3) of a head
  // as (x0, x2, x1, x3): HF row i*D/2 + j sits at GGUF row 2*j + i.
  std::vector<float> values = {10, 10.5, 12, 12.5, 11, 11.5, 13, 13.5,
                               20, 20.5, 22, 22.5, 21, 21.5, 23, 23.5};
  ASSERT_TRUE(unpermuteRopeRows(values, 8, 2, 2).isOk());
  EXPECT_EQ(values, (std::vector<float>{10, 10.5, 11, 11.5, 12, 12.5, 13, 13.5, 20, 20.5, 21, 21.5,
                                        22, 22.5, 23, 23.5}));
}

TEST(GgufNamesTest, UnpermuteInvertsTheConverterPermutation) {
  // convert_hf_to_gguf.py: w.reshape(heads, 2, D/2, cols).swapaxes(1, 2).reshape(w.shape)
  const int64_t heads = 3, headDim = 8, cols = 5, half = headDim / 2;
  std::vector<float> hf(heads * headDim * cols);
  std::iota(hf.begin(), hf.end(), 0.0f);
  std::vector<float> gguf(hf.size());
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t j = 0; j < half; ++j)
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t c = 0; c < cols; ++c)
          gguf[((h * half + j) * 2 + i) * cols + c] = hf[((h * 2 + i) * half + j) * cols + c];
  ASSERT_NE(gguf, hf);
  ASSERT_TRUE(unpermuteRopeRows(gguf, heads * headDim, cols, heads).isOk());
  EXPECT_EQ(gguf, hf);
}

TEST(GgufNamesTest, UnpermuteRejectsShapesThatDoNotSplitIntoHeads) {
  std::vector<float> values(12);
  EXPECT_FALSE(unpermuteRopeRows(values, 12, 1, 5).isOk()) << "12 rows into 5 heads";
  EXPECT_FALSE(unpermuteRopeRows(values, 12, 1, 4).isOk()) << "odd head size 3";
  EXPECT_FALSE(unpermuteRopeRows(values, 6, 1, 2).isOk()) << "6 x 1 is not 12 values";
  EXPECT_FALSE(unpermuteRopeRows(values, 12, 1, 0).isOk());
  Status status = unpermuteRopeRows(values, 12, 1, 4);
  EXPECT_NE(status.message().find("do not split into 4 heads of an even size"), std::string::npos)
      << status.message();
}

} // namespace
} // namespace loom::frontend
