// ServingModel: a model made ready to serve by a backend (cpu: the reference interpreter; gpu: a
// compiled package), with the engine limits it was built for.
#pragma once

#include "frontend/Builder/DType.h"
#include "frontend/Readers/ModelConfig.h"
#include "tools/loom-run/ModelFiles.h"
#include "runtime/Engine/EngineConfig.h"
#include "runtime/Engine/ModelRunner.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace loom::tools {

struct GpuModelParts;

/// Engine limits from the command line; 0 means "derive it".
struct ServingLimits {
  int blockSize = 16;
  int numBlocks = 0;        ///< 0: enough for maxSeqs sequences of maxModelLen
  int maxBatchedTokens = 512;
  int maxSeqs = 16;
  int maxModelLen = 0;      ///< 0: min(max_position_embeddings, 2048)
  /// Compile and run batch-invariant: a request's output does not depend on its batch
  /// (docs/batch-invariance.md; slower). The cpu backend is batch-invariant already.
  bool batchInvariant = false;
};

struct ModelRequest {
  std::string path;         ///< a model folder, a .gguf file, or a config.json with randomWeights
  std::string backend = "cpu";
  bool randomWeights = false;
  /// The model's storage dtype: "auto" (the checkpoint's; bf16 for a GGUF on the gpu backend),
  /// "bf16", "f16" or "f32" (f32 runs on the CUDA-core kernels, bit-closer to the CPU reference).
  std::string dtype = "auto";
  ServingLimits limits;
  /// gpu backend: compile every kernel instrumented for the GPU timeline (bench --timeline;
  /// LOOM_TIMELINE=1 in the environment does it too, timelineRequestedByEnvironment;
  /// rt::ExecutorOptions::instrumentTimeline).
  bool instrumentTimeline = false;
};

/// The dtype `request` asks for; nullopt for "auto".
std::optional<DType> requestedDType(const ModelRequest &request);

/// Progress lines for stderr ("compiling 42 kernels", "loading weights").
using Progress = std::function<void(const std::string &line)>;

class ServingModel {
public:
  virtual ~ServingModel() = default;
  virtual rt::ModelRunner &runner() = 0;
  /// Backend facts for reports (e.g. CUDA graphs, graph memory).
  virtual nlohmann::json backendStats() const { return nlohmann::json::object(); }
  /// The gpu backend's executor, stream and traffic model (bench's roofline and profile);
  /// nullptr on other backends.
  virtual const GpuModelParts *gpuParts() const { return nullptr; }

  const frontend::ModelConfig &config() const { return config_; }
  /// The files the model came from (tokenizer, chat format, checkpoint).
  const ModelFiles &files() const { return *files_; }
  void setFiles(std::shared_ptr<const ModelFiles> files) { files_ = std::move(files); }
  /// The engine configuration matching the built forward step.
  const rt::EngineConfig &engineConfig() const { return engineConfig_; }
  /// Set by the backend's loader once the model is ready.
  void setConfigs(frontend::ModelConfig config, rt::EngineConfig engine) {
    config_ = std::move(config);
    engineConfig_ = engine;
  }

private:
  frontend::ModelConfig config_;
  rt::EngineConfig engineConfig_;
  std::shared_ptr<const ModelFiles> files_;
};

/// Reads the config, resolves the limits, and loads the model with the chosen backend.
/// Errors name what is missing (a file, an unsupported architecture, a backend not built in).
StatusOr<std::unique_ptr<ServingModel>> loadServingModel(const ModelRequest &request,
                                                         const Progress &progress);

/// The backends (ServingModelCpu.cpp, ServingModelGpu.cpp); `engine` holds the resolved limits.
StatusOr<std::unique_ptr<ServingModel>> loadCpuModel(const ModelRequest &request,
                                                     const ModelFiles &files,
                                                     frontend::ModelConfig config,
                                                     rt::EngineConfig engine,
                                                     const Progress &progress);
StatusOr<std::unique_ptr<ServingModel>> loadGpuModel(const ModelRequest &request,
                                                     const ModelFiles &files,
                                                     frontend::ModelConfig config,
                                                     rt::EngineConfig engine,
                                                     const Progress &progress);

} // namespace loom::tools
