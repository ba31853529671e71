// buildLlamaForward: the decoder written with the DSL, one method per block.
#include "frontend/Models/LlamaForward.h"

#include "frontend/Builder/Builder.h"
#include "frontend/Models/LlamaSupport.h"

#include <fmt/format.h>

namespace loom::models {
namespace {

using frontend::ModelConfig;

/// The forward-step arguments (docs/graph-ops.md), in signature order.
struct StepArguments {
  Tensor tokens, positions, slots, seqStarts, contextLens, blockTables, logitRows;
  KVCache cache;
};

class LlamaGraph {
public:
  LlamaGraph(Builder &b, const ModelConfig &config) : b(b), config(config) {
    rope.headDim = config.headDim;
    rope.theta = static_cast<float>(config.ropeTheta);
    if (config.ropeScaling.type == frontend::RopeScalingType::kLlama3)
      rope.llama3 = Llama3RopeScaling{
          static_cast<float>(config.ropeScaling.factor),
          static_cast<float>(config.ropeScaling.lowFreqFactor),
          static_cast<float>(config.ropeScaling.highFreqFactor),
          config.ropeScaling.originalMaxPositionEmbeddings};
    attention = {config.numAttentionHeads, config.numKeyValueHeads, config.headDim,
                 std::nullopt, /*causal=*/true};
  }

  /// Logits of each sequence's logit row, and the cache after this step.
  std::pair<Tensor, KVCache> forward(StepArguments args) {
    b.setScope("model.embed_tokens");
    Tensor hidden = b.embedding(embedTable(), args.tokens);
    for (int64_t layer = 0; layer < config.numHiddenLayers; ++layer) {
      hidden = attentionBlock(layer, hidden, args);
      hidden = mlpBlock(layer, hidden);
    }
    b.setScope("model.norm");
    hidden = b.rmsNorm(hidden, b.weight("model.norm.weight", {config.hiddenSize}), eps());
    b.setScope("lm_head");
    Tensor rows = b.embedding(hidden, args.logitRows);
    Tensor lmHead = config.tieWordEmbeddings
                        ? embedTable()
                        : b.weight("lm_head.weight", {config.vocabSize, config.hiddenSize});
    return {b.cast(b.linear(rows, lmHead), DType::f32), args.cache};
  }

private:
  float eps() const { return static_cast<float>(config.rmsNormEps); }

  Tensor embedTable() {
    return b.weight("model.embed_tokens.weight", {config.vocabSize, config.hiddenSize});
  }

  std::string layerName(int64_t layer, std::string_view name) const {
    return fmt::format("model.layers.{}.{}", layer, name);
  }

  /// One linear over the concatenation (axis 0) of the projections `names` of `layer`, split
  /// back into their outputs, so the compiler sees one GEMM.
  std::vector<Tensor> mergedLinear(int64_t layer, Tensor x, std::vector<std::string_view> names,
                                   std::vector<int64_t> outFeatures, bool bias) {
    std::vector<Tensor> weights, biases;
    for (size_t i = 0; i < names.size(); ++i) {
      std::string prefix = layerName(layer, names[i]);
      weights.push_back(b.weight(prefix + ".weight", {outFeatures[i], x.dim(-1)}));
      if (bias)
        biases.push_back(b.weight(prefix + ".bias", {outFeatures[i]}));
    }
    Tensor mergedWeight = b.concat(weights, 0);
    Tensor merged = bias ? b.linear(x, mergedWeight, b.concat(biases, 0))
                         : b.linear(x, mergedWeight);
    return b.split(merged, -1, outFeatures);
  }

  /// The projection `name` of `layer` ([out, in] weight, optional bias).
  Tensor projection(int64_t layer, Tensor x, std::string_view name, int64_t outFeatures,
                    bool bias) {
    std::string prefix = layerName(layer, name);
    Tensor w = b.weight(prefix + ".weight", {outFeatures, x.dim(-1)});
    return bias ? b.linear(x, w, b.weight(prefix + ".bias", {outFeatures})) : b.linear(x, w);
  }

  Tensor attentionBlock(int64_t layer, Tensor hidden, StepArguments &args) {
    b.setScope(layerName(layer, "self_attn"));
    int64_t qFeatures = config.numAttentionHeads * config.headDim;
    int64_t kvFeatures = config.numKeyValueHeads * config.headDim;
    Tensor x = b.rmsNorm(
        hidden, b.weight(layerName(layer, "input_layernorm.weight"), {config.hiddenSize}), eps());
    std::vector<Tensor> qkv =
        mergedLinear(layer, x, {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"},
                     {qFeatures, kvFeatures, kvFeatures}, config.qkvBias);
    Tensor q = b.rope(qkv[0], args.positions, rope);
    Tensor k = b.rope(qkv[1], args.positions, rope);
    args.cache = b.kvAppend(args.cache, k, qkv[2], args.slots, layer);
    Tensor attended = b.pagedAttention(q, args.cache, args.blockTables, args.seqStarts,
                                       args.contextLens, layer, attention);
    Tensor out = projection(layer, attended, "self_attn.o_proj", config.hiddenSize,
                            config.outputBias);
    return b.add(hidden, out);
  }

  Tensor mlpBlock(int64_t layer, Tensor hidden) {
    b.setScope(layerName(layer, "mlp"));
    Tensor x = b.rmsNorm(
        hidden,
        b.weight(layerName(layer, "post_attention_layernorm.weight"), {config.hiddenSize}),
        eps());
    std::vector<Tensor> gateUp =
        mergedLinear(layer, x, {"mlp.gate_proj", "mlp.up_proj"},
                     {config.intermediateSize, config.intermediateSize}, config.mlpBias);
    Tensor activated = b.mul(b.silu(gateUp[0]), gateUp[1]);
    return b.add(hidden, projection(layer, activated, "mlp.down_proj", config.hiddenSize,
                                    config.mlpBias));
  }

  Builder &b;
  const ModelConfig &config;
  RopeOptions rope;
  AttentionOptions attention;
};

} // namespace

StatusOr<LlamaForward> buildLlamaForward(mlir::MLIRContext &context, const ModelConfig &config,
                                         const ForwardOptions &options) {
  LOOM_RETURN_IF_ERROR(checkLlamaSupport(config, options));
  LOOM_ASSIGN_OR_RETURN(DType dtype, llamaDType(config, options));
  int64_t maxContext = llamaMaxContext(config, options);
  int64_t maxBlocksPerSeq = (maxContext + options.blockSize - 1) / options.blockSize;
  KVCacheShape cacheShape{config.numHiddenLayers, options.numBlocks, options.blockSize,
                          config.numKeyValueHeads, config.headDim};

  Builder b(context, "forward");
  b.setWeightDType(dtype);
  Dim tokens = Dim::dynamic("tokens", options.maxTokens);
  Dim seqs = Dim::dynamic("seqs", options.maxSeqs);
  StepArguments args;
  args.tokens = b.input("tokens", {tokens}, DType::i32);
  args.positions = b.input("positions", {tokens}, DType::i32);
  args.slots = b.input("slots", {tokens}, DType::i32);
  args.seqStarts = b.input("seq_starts", {Dim::dynamic("seqs+1")}, DType::i32);
  args.contextLens = b.input("context_lens", {seqs}, DType::i32);
  args.blockTables = b.input(
      "block_tables", {seqs, Dim::dynamic("blocks_per_seq", maxBlocksPerSeq)}, DType::i32);
  args.logitRows = b.input("logit_rows", {seqs}, DType::i32);
  args.cache = b.kvCacheInput("kv_cache", cacheShape, dtype);

  LlamaGraph graph(b, config);
  auto [logits, cache] = graph.forward(args);
  std::vector<WeightSpec> weights = b.weights();
  LOOM_ASSIGN_OR_RETURN(mlir::OwningOpRef<mlir::ModuleOp> module, b.finish({{"logits", logits}, {"kv_cache", cache}}));
  LlamaForward forward;
  forward.module = std::move(module);
  forward.weights = std::move(weights);
  forward.kvCache = cacheShape;
  forward.dtype = dtype;
  forward.maxBlocksPerSeq = maxBlocksPerSeq;
  return forward;
}

} // namespace loom::models
