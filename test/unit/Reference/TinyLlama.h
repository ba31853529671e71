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

#include "LlamaMlir.h"
#include "TestTensors.h"

#include <fmt/format.h>

#include <map>
#include <numeric>
#include <string>

namespace loom::ref::testing {

class TinyLlama {
public:
  static constexpr int64_t kHidden = 16, kHeads = 4, kKvHeads = 2, kHeadDim = 4, kFfn = 24,
                           kVocab = 32;

  explicit TinyLlama(uint32_t seed) {
    const std::pair<std::string, Shape> shapes[] = {
        {"model.embed_tokens.weight", {kVocab, kHidden}},
        {layerWeight("input_layernorm"), {kHidden}},
        {layerWeight("self_attn.q_proj"), {kHeads * kHeadDim, kHidden}},
        {layerWeight("self_attn.k_proj"), {kKvHeads * kHeadDim, kHidden}},
        {layerWeight("self_attn.v_proj"), {kKvHeads * kHeadDim, kHidden}},
        {layerWeight("self_attn.o_proj"), {kHidden, kHeads * kHeadDim}},
        {layerWeight("post_attention_layernorm"), {kHidden}},
        {layerWeight("mlp.gate_proj"), {kFfn, kHidden}},
        {layerWeight("mlp.up_proj"), {kFfn, kHidden}},
        {layerWeight("mlp.down_proj"), {kHidden, kFfn}},
        {"model.norm.weight", {kHidden}},
        {"lm_head.weight", {kVocab, kHidden}}};
    for (const auto &[name, shape] : shapes) {
      tensors_[name] = randomFloats(shape, seed++);
      weights.add(name, tensors_[name]);
    }
  }

  /// The forward-step function over a pool of `blocks` blocks of `blockSize` tokens.
  static std::string forwardMlir(int64_t blocks, int64_t blockSize) {
    return llamaForwardMlir(
        {1, kHidden, kHeads, kKvHeads, kHeadDim, kFfn, kVocab, 1e-5, 1e4, false, blocks, blockSize});
  }

  /// Logits [1, V] of the last token, the whole sequence computed at once with dense attention.
  HostTensor lastLogits(const std::vector<int32_t> &tokens) const {
    int64_t count = static_cast<int64_t>(tokens.size());
    std::vector<int64_t> ids(tokens.begin(), tokens.end()), positions(count);
    std::iota(positions.begin(), positions.end(), 0);
    HostTensor h = valueOf(embedding(at("model.embed_tokens.weight"), ints({count}, ids)));
    HostTensor x = valueOf(rmsNorm(h, layer("input_layernorm"), 1e-5f));
    RopeParams rope{kHeadDim, 1.0e4f, RopeStyle::rotateHalf, std::nullopt};
    HostTensor pos = ints({count}, positions);
    HostTensor q = valueOf(ref::rope(valueOf(linear(x, layer("self_attn.q_proj"), nullptr)), pos, rope));
    HostTensor k = valueOf(ref::rope(valueOf(linear(x, layer("self_attn.k_proj"), nullptr)), pos, rope));
    HostTensor v = valueOf(linear(x, layer("self_attn.v_proj"), nullptr));
    HostTensor a = valueOf(attention(q, k, v, ints({2}, {0, count}),
                                     AttentionParams{kHeads, kKvHeads, kHeadDim, 0.5f, true}));
    HostTensor h2 = valueOf(add(h, valueOf(linear(a, layer("self_attn.o_proj"), nullptr))));
    HostTensor y = valueOf(rmsNorm(h2, layer("post_attention_layernorm"), 1e-5f));
    HostTensor m = valueOf(mul(valueOf(silu(valueOf(linear(y, layer("mlp.gate_proj"), nullptr)))),
                               valueOf(linear(y, layer("mlp.up_proj"), nullptr))));
    HostTensor h3 = valueOf(add(h2, valueOf(linear(m, layer("mlp.down_proj"), nullptr))));
    HostTensor f = valueOf(rmsNorm(h3, at("model.norm.weight"), 1e-5f));
    HostTensor last = valueOf(embedding(f, ints({1}, {count - 1})));
    return valueOf(linear(last, at("lm_head.weight"), nullptr));
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
  static std::string layerWeight(const std::string &what) {
    return "model.layers.0." + what + ".weight";
  }
  const HostTensor &at(const std::string &name) const { return tensors_.at(name); }
  const HostTensor &layer(const std::string &what) const { return at(layerWeight(what)); }
  std::map<std::string, HostTensor> tensors_;
};

} // namespace loom::ref::testing
