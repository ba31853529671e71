// A tiny random-weight Llama for the whole-model tests: its config, the forward step built for
// an engine configuration, compile() into a package, and the same name-seeded weights for the
// CPU interpreter and for a package's weight recipes.
#pragma once

#include "compiler/Pipelines/Pipelines.h"
#include "frontend/Models/LlamaForward.h"
#include "frontend/Reference/Interpreter/WeightSource.h"
#include "runtime/Package/Package.h"
#include "runtime/Package/WeightProvider.h"

#include "mlir/IR/Diagnostics.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <random>

namespace loom::testing {

/// hidden 256, 2 layers, 4 heads of 64 (GQA: 2 KV heads), FFN 512, vocab 1000, bf16.
inline frontend::ModelConfig tinyLlamaConfig() {
  frontend::ModelConfig config;
  config.architecture = "LlamaForCausalLM";
  config.modelType = "llama";
  config.hiddenSize = 256;
  config.intermediateSize = 512;
  config.numHiddenLayers = 2;
  config.numAttentionHeads = 4;
  config.numKeyValueHeads = 2;
  config.headDim = 64;
  config.vocabSize = 1000;
  config.maxPositionEmbeddings = 256;
  config.rmsNormEps = 1e-5;
  config.ropeTheta = 10000.0;
  config.torchDtype = "bfloat16";
  return config;
}

/// The engine the tests drive the model with (a step holds at most 256 tokens of 8 sequences).
inline rt::EngineConfig tinyEngineConfig() {
  rt::EngineConfig engine;
  engine.blockSize = 16;
  engine.numBlocks = 64;
  engine.maxBatchedTokens = 256;
  engine.maxSequences = 8;
  engine.maxModelLen = 256;
  engine.vocabSize = 1000;
  return engine;
}

/// Values of weight `name`: matrices U(±1/sqrt(fan_in)) (the embedding and LM head U(±1) and
/// U(±4/sqrt(fan_in)), so logits spread), vectors 1 ± 0.1; seeded by the name.
inline std::vector<float> tinyWeightValues(std::string_view name, const std::vector<int64_t> &shape) {
  uint32_t seed = 2166136261u; // FNV-1a
  for (char c : name)
    seed = (seed ^ static_cast<uint8_t>(c)) * 16777619u;
  std::mt19937 rng(seed);
  int64_t count = 1;
  for (int64_t extent : shape)
    count *= extent;
  float scale = shape.size() == 1 ? 0.1f : 1.0f / std::sqrt(static_cast<float>(shape.back()));
  if (name == "model.embed_tokens.weight")
    scale = 1.0f;
  if (name == "lm_head.weight")
    scale *= 4.0f;
  std::uniform_real_distribution<float> uniform(-scale, scale);
  std::vector<float> values(static_cast<size_t>(count));
  for (float &value : values)
    value = (shape.size() == 1 ? 1.0f : 0.0f) + uniform(rng);
  return values;
}

/// tinyWeightValues for the interpreter.
class TinyReferenceWeights final : public ref::WeightSource {
public:
  StatusOr<ref::HostTensor> load(std::string_view name, ref::ElementType type,
                                 const ref::Shape &shape) override {
    return ref::HostTensor::fromFloats(type, shape, tinyWeightValues(name, shape));
  }
};

/// tinyWeightValues for a package (f32; the executor rounds them to the weights' dtype).
class TinyPackageWeights final : public rt::WeightProvider {
public:
  explicit TinyPackageWeights(std::vector<WeightSpec> specs) : specs_(std::move(specs)) {}

  StatusOr<rt::HostTensorView> tensor(const std::string &name) override {
    auto spec = std::find_if(specs_.begin(), specs_.end(), [&](const WeightSpec &s) { return s.name == name; });
    if (spec == specs_.end())
      return LOOM_ERROR(StatusCode::kNotFound, fmt::format("no weight named '{}'", name));
    std::vector<float> &kept = kept_[name] = tinyWeightValues(name, spec->shape);
    return rt::HostTensorView{rt::DType::kF32, spec->shape, std::as_bytes(std::span(kept))};
  }

private:
  std::vector<WeightSpec> specs_;
  std::map<std::string, std::vector<float>> kept_;
};

/// buildLlamaForward of the tiny config for `engine` (plus one scratch KV block when
/// `scratchBlock`, as PackageModelRunner's decode graphs reserve).
inline StatusOr<models::LlamaForward> buildTinyForward(mlir::MLIRContext &context, const rt::EngineConfig &engine,
                                                       bool scratchBlock) {
  models::ForwardOptions options = models::forwardOptionsFor(engine);
  if (scratchBlock)
    options.numBlocks += 1;
  return models::buildLlamaForward(context, tinyLlamaConfig(), options);
}

/// compile() of `module` for `target` (batch-invariant when asked) as a runtime package; MLIR
/// diagnostics in the error.
inline StatusOr<rt::Package> compileTinyForward(mlir::MLIRContext &context, mlir::ModuleOp module,
                                                const std::string &target,
                                                std::map<std::string, std::string> *sources = nullptr,
                                                bool batchInvariant = false) {
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diagnostic) {
    diagnostics += diagnostic.str() + "\n";
    return mlir::success();
  });
  pipelines::CompileOptions options;
  options.target = target;
  options.batchInvariant = batchInvariant;
  mlir::FailureOr<cuda::Package> package = pipelines::compile(module, options);
  if (mlir::failed(package))
    return LOOM_ERROR(StatusCode::kInvalidArgument, fmt::format("compile() failed:\n{}", diagnostics));
  if (sources)
    for (const auto &[path, source] : package->sources)
      (*sources)[path] = source;
  return rt::makePackage(package->manifest, package->sources);
}

} // namespace loom::testing
