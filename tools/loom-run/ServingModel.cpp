// Resolving engine limits from the model config and dispatching to a backend.
#include "tools/loom-run/ServingModel.h"

#include <fmt/format.h>

#include <algorithm>

namespace loom::tools {

namespace {

constexpr int kDefaultMaxModelLen = 2048;

struct BackendEntry {
  std::string_view name;
  StatusOr<std::unique_ptr<ServingModel>> (*load)(const ModelRequest &, const ModelFiles &,
                                                  frontend::ModelConfig,
                                                  rt::EngineConfig, const Progress &);
};
constexpr BackendEntry kBackends[] = {{"cpu", loadCpuModel}, {"gpu", loadGpuModel}};

StatusOr<rt::EngineConfig> engineConfigFor(const frontend::ModelConfig &config,
                                           const ServingLimits &limits) {
  rt::EngineConfig engine;
  engine.blockSize = limits.blockSize;
  engine.maxBatchedTokens = limits.maxBatchedTokens;
  engine.maxSequences = limits.maxSeqs;
  engine.batchInvariant = limits.batchInvariant;
  int positions = static_cast<int>(std::min<int64_t>(config.maxPositionEmbeddings, 1 << 20));
  engine.maxModelLen = limits.maxModelLen > 0 ? limits.maxModelLen
                                              : std::min(positions, kDefaultMaxModelLen);
  if (positions > 0 && engine.maxModelLen > positions)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("--max-model-len {} exceeds the model's context of {}",
                                  engine.maxModelLen, positions));
  int blocksPerSeq = (engine.maxModelLen + engine.blockSize - 1) / engine.blockSize;
  engine.numBlocks = limits.numBlocks > 0 ? limits.numBlocks : blocksPerSeq * engine.maxSequences;
  engine.vocabSize = static_cast<int>(config.vocabSize);
  if (!config.eosTokenIds.empty())
    engine.eosTokenId = static_cast<rt::TokenId>(config.eosTokenIds.front());
  LOOM_RETURN_IF_ERROR(engine.validate());
  return engine;
}

} // namespace

StatusOr<std::unique_ptr<ServingModel>> loadServingModel(const ModelRequest &request,
                                                         const Progress &progress) {
  auto backend = std::find_if(std::begin(kBackends), std::end(kBackends),
                              [&](const BackendEntry &b) { return b.name == request.backend; });
  if (backend == std::end(kBackends))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("unknown backend '{}' (cpu or gpu)", request.backend));
  LOOM_ASSIGN_OR_RETURN(std::shared_ptr<ModelFiles> files,
                        openModelFiles(request.path, !request.randomWeights));
  LOOM_ASSIGN_OR_RETURN(rt::EngineConfig engine, engineConfigFor(files->config, request.limits));
  LOOM_ASSIGN_OR_RETURN(auto model, backend->load(request, *files, files->config, engine, progress));
  model->setFiles(std::move(files));
  return model;
}

std::optional<DType> requestedDType(const ModelRequest &request) {
  for (DType dtype : {DType::bf16, DType::f16, DType::f32}) // the model storage types
    if (request.dtype == dtypeName(dtype))
      return dtype;
  return std::nullopt; // "auto" (the option parser admits nothing else)
}

} // namespace loom::tools
