// Test fixture model: a 1-layer Llama with random f32 weights as hand-written graph IR, and the
// same model composed directly from reference ops over the whole sequence (no KV cache) as oracle.
#pragma once

#include "frontend/Reference/Attention.h"
#include "frontend/Reference/Elementwise.h"
#include "frontend/Reference/Embedding.h"
#include "frontend/Reference/Gemm.h"
#include "frontend/Reference/Interpreter/WeightSource.h"
#include "frontend/Reference/Norms.h"
#include "frontend/Reference/Rope.h"
#include "runtime/Engine/HostSampler.h"

#include "TestTensors.h"

#include <fmt/format.h>

#include <map>
#include <string>

namespace loom::ref::testing {

class TinyLlama {
public:
  static constexpr int64_t kHidden = 16, kHeads = 4, kKvHeads = 2, kHeadDim = 4, kFfn = 24,
                           kVocab = 32;

  explicit TinyLlama(uint32_t seed) {
    const std::pair<const char *, Shape> shapes[] = {
        {"embed", {kVocab, kHidden}},        {"ln1", {kHidden}},
        {"q", {kHeads * kHeadDim, kHidden}}, {"k", {kKvHeads * kHeadDim, kHidden}},
        {"v", {kKvHeads * kHeadDim, kHidden}}, {"o", {kHidden, kHeads * kHeadDim}},
        {"ln2", {kHidden}},                  {"gate", {kFfn, kHidden}},
        {"up", {kFfn, kHidden}},             {"down", {kHidden, kFfn}},
        {"norm", {kHidden}},                 {"lm_head", {kVocab, kHidden}}};
    for (const auto &[name, shape] : shapes) {
      tensors_[name] = randomFloats(shape, seed++);
      weights.add(name, tensors_[name]);
    }
  }

  /// The forward-step function over a pool of `blocks` blocks of `blockSize` tokens.
  static std::string forwardMlir(int64_t blocks, int64_t blockSize) {
    return fmt::format(R"mlir(
!cache = !graph.kv_cache<layers = 1, blocks = {0}, blockSize = {1}, kvHeads = 2, headDim = 4, elementType = f32>
func.func @forward(%tokens: tensor<?xi32>, %positions: tensor<?xi32>, %slots: tensor<?xi32>,
                   %seq_starts: tensor<?xi32>, %context_lens: tensor<?xi32>,
                   %block_tables: tensor<?x?xi32>, %logit_rows: tensor<?xi32>, %kv: !cache)
    -> (tensor<?x32xf32>, !cache) {{
  %emb = graph.weight "embed" : tensor<32x16xf32>
  %h = graph.embedding %emb, %tokens : tensor<32x16xf32>, tensor<?xi32> -> tensor<?x16xf32>
  %ln1 = graph.weight "ln1" : tensor<16xf32>
  %x = graph.rms_norm %h, %ln1 {{eps = 1.0e-5 : f32}} : tensor<?x16xf32>, tensor<16xf32>
  %wq = graph.weight "q" : tensor<16x16xf32>
  %wk = graph.weight "k" : tensor<8x16xf32>
  %wv = graph.weight "v" : tensor<8x16xf32>
  %q = graph.linear %x, %wq : tensor<?x16xf32>, tensor<16x16xf32> -> tensor<?x16xf32>
  %k = graph.linear %x, %wk : tensor<?x16xf32>, tensor<8x16xf32> -> tensor<?x8xf32>
  %v = graph.linear %x, %wv : tensor<?x16xf32>, tensor<8x16xf32> -> tensor<?x8xf32>
  %qr = graph.rope %q, %positions {{head_dim = 4 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32}} : tensor<?x16xf32>, tensor<?xi32>
  %kr = graph.rope %k, %positions {{head_dim = 4 : i64, style = #graph.rope_style<rotate_half>, theta = 1.0e4 : f32}} : tensor<?x8xf32>, tensor<?xi32>
  %c = graph.kv_append %kv, %kr, %v, %slots {{layer = 0 : i64}} : !cache, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?xi32>
  %a = graph.paged_attention %qr, %c, %block_tables, %seq_starts, %context_lens {{causal, head_dim = 4 : i64, layer = 0 : i64, num_heads = 4 : i64, num_kv_heads = 2 : i64, scale = 0.5 : f32}} : tensor<?x16xf32>, !cache, tensor<?x?xi32>, tensor<?xi32>, tensor<?xi32>
  %wo = graph.weight "o" : tensor<16x16xf32>
  %o = graph.linear %a, %wo : tensor<?x16xf32>, tensor<16x16xf32> -> tensor<?x16xf32>
  %h2 = graph.add %h, %o : tensor<?x16xf32>
  %ln2 = graph.weight "ln2" : tensor<16xf32>
  %y = graph.rms_norm %h2, %ln2 {{eps = 1.0e-5 : f32}} : tensor<?x16xf32>, tensor<16xf32>
  %wg = graph.weight "gate" : tensor<24x16xf32>
  %wu = graph.weight "up" : tensor<24x16xf32>
  %wd = graph.weight "down" : tensor<16x24xf32>
  %g = graph.linear %y, %wg : tensor<?x16xf32>, tensor<24x16xf32> -> tensor<?x24xf32>
  %s = graph.silu %g : tensor<?x24xf32>
  %u = graph.linear %y, %wu : tensor<?x16xf32>, tensor<24x16xf32> -> tensor<?x24xf32>
  %m = graph.mul %s, %u : tensor<?x24xf32>
  %d = graph.linear %m, %wd : tensor<?x24xf32>, tensor<16x24xf32> -> tensor<?x16xf32>
  %h3 = graph.add %h2, %d : tensor<?x16xf32>
  %lnf = graph.weight "norm" : tensor<16xf32>
  %f = graph.rms_norm %h3, %lnf {{eps = 1.0e-5 : f32}} : tensor<?x16xf32>, tensor<16xf32>
  %last = graph.embedding %f, %logit_rows : tensor<?x16xf32>, tensor<?xi32> -> tensor<?x16xf32>
  %lm = graph.weight "lm_head" : tensor<32x16xf32>
  %logits = graph.linear %last, %lm : tensor<?x16xf32>, tensor<32x16xf32> -> tensor<?x32xf32>
  return %logits, %c : tensor<?x32xf32>, !cache
}}
)mlir",
                       blocks, blockSize);
  }

  /// Logits [1, V] of the last token, the whole sequence computed at once with dense attention.
  HostTensor lastLogits(const std::vector<int32_t> &tokens) const {
    int64_t count = static_cast<int64_t>(tokens.size());
    std::vector<int64_t> ids(tokens.begin(), tokens.end()), positions(count);
    std::iota(positions.begin(), positions.end(), 0);
    HostTensor h = valueOf(embedding(at("embed"), ints({count}, ids)));
    HostTensor x = valueOf(rmsNorm(h, at("ln1"), 1e-5f));
    RopeParams rope{1.0e4f, kHeadDim, RopeStyle::kRotateHalf, std::nullopt};
    HostTensor pos = ints({count}, positions);
    HostTensor q = valueOf(ref::rope(valueOf(linear(x, at("q"), nullptr)), pos, rope));
    HostTensor k = valueOf(ref::rope(valueOf(linear(x, at("k"), nullptr)), pos, rope));
    HostTensor v = valueOf(linear(x, at("v"), nullptr));
    HostTensor a = valueOf(attention(q, k, v, ints({2}, {0, count}),
                                     AttentionParams{kHeads, kKvHeads, kHeadDim, 0.5f, true}));
    HostTensor h2 = valueOf(add(h, valueOf(linear(a, at("o"), nullptr))));
    HostTensor y = valueOf(rmsNorm(h2, at("ln2"), 1e-5f));
    HostTensor m = valueOf(mul(valueOf(silu(valueOf(linear(y, at("gate"), nullptr)))),
                               valueOf(linear(y, at("up"), nullptr))));
    HostTensor h3 = valueOf(add(h2, valueOf(linear(m, at("down"), nullptr))));
    HostTensor f = valueOf(rmsNorm(h3, at("norm"), 1e-5f));
    HostTensor last = valueOf(embedding(f, ints({1}, {count - 1})));
    return valueOf(linear(last, at("lm_head"), nullptr));
  }

  /// What the model generates for `prompt` alone: the oracle of every runner test.
  std::vector<int32_t> generate(std::vector<int32_t> tokens, const rt::SamplingParams &params) const {
    std::vector<int32_t> output;
    while (static_cast<int>(output.size()) < params.maxTokens) {
      HostTensor logits = lastLogits(tokens);
      rt::SamplerRng rng = rt::SamplerRng::forToken(params.seed.value_or(0), output.size());
      int32_t next = rt::sampleOnHost(logits.row(0), params, tokens, rng);
      output.push_back(next);
      tokens.push_back(next);
    }
    return output;
  }

  MapWeightSource weights;

private:
  const HostTensor &at(const std::string &name) const { return tensors_.at(name); }
  std::map<std::string, HostTensor> tensors_;
};

} // namespace loom::ref::testing
