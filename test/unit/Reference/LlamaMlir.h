// Test helper: the forward-step function of a Llama decoder written out as graph-dialect text
// (Hugging Face weight names), so runner tests need no model builder.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace loom::ref::testing {

/// What the text depends on: the model's shape and the KV pool's.
struct LlamaShape {
  int64_t layers = 1, hidden = 0, heads = 0, kvHeads = 0, headDim = 0, ffn = 0, vocab = 0;
  double eps = 1e-5, theta = 10000.0;
  bool tiedEmbeddings = false;
  int64_t blocks = 0, blockSize = 0;
};

/// `@forward` as docs/graph-ops.md specifies it, all in f32.
inline std::string llamaForwardMlir(const LlamaShape &s) {
  const int64_t q = s.heads * s.headDim, kv = s.kvHeads * s.headDim;
  auto weight = [](const std::string &result, const std::string &name, const std::string &type) {
    return fmt::format("  {} = graph.weight \"{}\" : tensor<{}xf32>\n", result, name, type);
  };
  auto linear = [](const std::string &result, const std::string &x, const std::string &w,
                   int64_t in, int64_t out) {
    return fmt::format("  {0} = graph.linear {1}, {2} : tensor<?x{3}xf32>, tensor<{4}x{3}xf32> "
                       "-> tensor<?x{4}xf32>\n",
                       result, x, w, in, out);
  };
  auto rmsNorm = [&](const std::string &result, const std::string &x, const std::string &w) {
    return fmt::format("  {} = graph.rms_norm {}, {} {{eps = {:e} : f32}} : tensor<?x{}xf32>, "
                       "tensor<{}xf32>\n",
                       result, x, w, s.eps, s.hidden, s.hidden);
  };
  auto rope = [&](const std::string &result, const std::string &x, int64_t width) {
    return fmt::format("  {} = graph.rope {}, %positions {{head_dim = {} : i64, style = "
                       "#graph.rope_style<rotate_half>, theta = {:e} : f32}} : tensor<?x{}xf32>, "
                       "tensor<?xi32>\n",
                       result, x, s.headDim, s.theta, width);
  };
  std::string cache = fmt::format("!graph.kv_cache<layers = {}, blocks = {}, blockSize = {}, "
                                  "kvHeads = {}, headDim = {}, elementType = f32>",
                                  s.layers, s.blocks, s.blockSize, s.kvHeads, s.headDim);
  std::string text = fmt::format(
      "!cache = {}\nfunc.func @forward(%tokens: tensor<?xi32>, %positions: tensor<?xi32>, "
      "%slots: tensor<?xi32>, %seq_starts: tensor<?xi32>, %context_lens: tensor<?xi32>, "
      "%block_tables: tensor<?x?xi32>, %logit_rows: tensor<?xi32>, %kv0: !cache) -> "
      "(tensor<?x{}xf32>, !cache) {{\n",
      cache, s.vocab);
  text += weight("%embed", "model.embed_tokens.weight", fmt::format("{}x{}", s.vocab, s.hidden));
  text += fmt::format("  %h0 = graph.embedding %embed, %tokens : tensor<{}x{}xf32>, tensor<?xi32> "
                      "-> tensor<?x{}xf32>\n",
                      s.vocab, s.hidden, s.hidden);
  for (int64_t l = 0; l < s.layers; ++l) {
    auto name = [&](const char *what) { return fmt::format("model.layers.{}.{}.weight", l, what); };
    auto v = [&](const char *what) { return fmt::format("%l{}_{}", l, what); };
    std::string h = fmt::format("%h{}", l);
    text += weight(v("ln1"), name("input_layernorm"), std::to_string(s.hidden));
    text += rmsNorm(v("x"), h, v("ln1"));
    text += weight(v("wq"), name("self_attn.q_proj"), fmt::format("{}x{}", q, s.hidden));
    text += weight(v("wk"), name("self_attn.k_proj"), fmt::format("{}x{}", kv, s.hidden));
    text += weight(v("wv"), name("self_attn.v_proj"), fmt::format("{}x{}", kv, s.hidden));
    text += weight(v("wo"), name("self_attn.o_proj"), fmt::format("{}x{}", s.hidden, q));
    text += linear(v("q"), v("x"), v("wq"), s.hidden, q);
    text += linear(v("k"), v("x"), v("wk"), s.hidden, kv);
    text += linear(v("v"), v("x"), v("wv"), s.hidden, kv);
    text += rope(v("qr"), v("q"), q);
    text += rope(v("kr"), v("k"), kv);
    text += fmt::format("  %kv{0} = graph.kv_append %kv{1}, {2}, {3}, %slots {{layer = {1} : i64}} "
                        ": !cache, tensor<?x{4}xf32>, tensor<?x{4}xf32>, tensor<?xi32>\n",
                        l + 1, l, v("kr"), v("v"), kv);
    text += fmt::format("  {} = graph.paged_attention {}, %kv{}, %block_tables, %seq_starts, "
                        "%context_lens {{causal, head_dim = {} : i64, layer = {} : i64, num_heads "
                        "= {} : i64, num_kv_heads = {} : i64, scale = {:e} : f32}} : "
                        "tensor<?x{}xf32>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>\n",
                        v("a"), v("qr"), l + 1, s.headDim, l, s.heads, s.kvHeads,
                        1.0 / std::sqrt(static_cast<double>(s.headDim)), q);
    text += linear(v("o"), v("a"), v("wo"), q, s.hidden);
    text += fmt::format("  {} = graph.add {}, {} : tensor<?x{}xf32>\n", v("h"), h, v("o"), s.hidden);
    text += weight(v("ln2"), name("post_attention_layernorm"), std::to_string(s.hidden));
    text += rmsNorm(v("y"), v("h"), v("ln2"));
    text += weight(v("wg"), name("mlp.gate_proj"), fmt::format("{}x{}", s.ffn, s.hidden));
    text += weight(v("wu"), name("mlp.up_proj"), fmt::format("{}x{}", s.ffn, s.hidden));
    text += weight(v("wd"), name("mlp.down_proj"), fmt::format("{}x{}", s.hidden, s.ffn));
    text += linear(v("g"), v("y"), v("wg"), s.hidden, s.ffn);
    text += fmt::format("  {} = graph.silu {} : tensor<?x{}xf32>\n", v("s"), v("g"), s.ffn);
    text += linear(v("u"), v("y"), v("wu"), s.hidden, s.ffn);
    text += fmt::format("  {} = graph.mul {}, {} : tensor<?x{}xf32>\n", v("m"), v("s"), v("u"), s.ffn);
    text += linear(v("d"), v("m"), v("wd"), s.ffn, s.hidden);
    text += fmt::format("  %h{} = graph.add {}, {} : tensor<?x{}xf32>\n", l + 1, v("h"), v("d"),
                        s.hidden);
  }
  text += weight("%normw", "model.norm.weight", std::to_string(s.hidden));
  text += rmsNorm("%final", fmt::format("%h{}", s.layers), "%normw");
  text += fmt::format("  %last = graph.embedding %final, %logit_rows : tensor<?x{0}xf32>, "
                      "tensor<?xi32> -> tensor<?x{0}xf32>\n",
                      s.hidden);
  text += weight("%lm", s.tiedEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight",
                 fmt::format("{}x{}", s.vocab, s.hidden));
  text += linear("%logits", "%last", "%lm", s.hidden, s.vocab);
  text += fmt::format("  return %logits, %kv{} : tensor<?x{}xf32>, !cache\n}}\n", s.layers, s.vocab);
  return text;
}

} // namespace loom::ref::testing
