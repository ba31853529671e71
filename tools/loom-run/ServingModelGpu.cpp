// The gpu backend: the Llama forward step compiled into a package (compiler/Pipelines), run by a
// PackageExecutor behind a PackageModelRunner with decode CUDA graphs and the GPU sampler.
#include "tools/loom-run/ServingModel.h"

#include "compiler/Pipelines/Pipelines.h"
#include "frontend/Models/LlamaForward.h"
#include "frontend/Models/WeightCheck.h"
#include "runtime/Engine/Engine.h"
#include "runtime/Serving/PackageModelRunner.h"
#include "tools/loom-run/GpuModelParts.h"
#include "tools/loom-run/RequestOptions.h"
#include "tools/loom-run/ToolWeightProvider.h"

#include "mlir/IR/Diagnostics.h"

#include <fmt/format.h>

#include <map>

namespace loom::tools {

namespace {

class GpuServingModel final : public ServingModel {
public:
  rt::ModelRunner &runner() override { return *runner_; }
  nlohmann::json backendStats() const override {
    rt::PackageRunnerStats stats = runner_->stats();
    const rt::LoadReport &load = executor->report();
    return {{"backend", "gpu"},
            {"device", context->info().name},
            {"cuda_graphs", runner_->usesDecodeGraphs()},
            {"graphs_captured", stats.numGraphs},
            {"graph_memory_bytes", stats.graphMemoryBytes},
            {"graph_steps", stats.graphSteps},
            {"in_graph_sampling_steps", stats.inGraphSamplingSteps},
            {"eager_steps", stats.eagerSteps},
            {"padded_rows", stats.paddedRows},
            {"kernels", executor->manifest().kernels.size()},
            {"kernel_compile_ms", load.compileMilliseconds},
            {"kernels_compiled", load.kernelsCompiled},
            {"kernels_from_cache", load.kernelsFromCache},
            {"compile_threads", compiler->threads()},
            {"weight_load_s", weightLoadSeconds},
            {"weight_bytes", load.weightBytes},
            {"kv_bytes", load.kvBytes}};
  }

  std::unique_ptr<rt::Context> context;
  std::unique_ptr<rt::Stream> stream;
  rt::KernelCache cache{rt::KernelCache::defaultDirectory()};
  std::unique_ptr<rt::KernelCompiler> compiler;
  mlir::MLIRContext mlirContext;
  std::unique_ptr<rt::PackageExecutor> executor;
  std::unique_ptr<rt::GpuSampler> sampler;
  std::unique_ptr<rt::PackageModelRunner> runner_;
  std::map<std::string, std::string> sources; ///< kernel name -> CUDA source
  double weightLoadSeconds = 0; ///< making, converting and uploading the weights
  std::unique_ptr<KernelTraffic> traffic;
  GpuModelParts parts;

  const GpuModelParts *gpuParts() const override { return &parts; }
};

/// compile() with its MLIR diagnostics collected into the error.
StatusOr<rt::Package> compilePackage(mlir::MLIRContext &context, mlir::ModuleOp module,
                                     std::string target, bool batchInvariant,
                                     std::string &manifestJson) {
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diagnostic) {
    diagnostics += diagnostic.str() + "\n";
    return mlir::success();
  });
  pipelines::CompileOptions options;
  options.target = std::move(target);
  options.batchInvariant = batchInvariant;
  mlir::FailureOr<cuda::Package> package = pipelines::compile(module, options);
  if (mlir::failed(package))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("compiling the forward step failed:\n{}", diagnostics));
  manifestJson = package->manifest;
  return rt::makePackage(package->manifest, package->sources);
}

} // namespace

StatusOr<std::unique_ptr<ServingModel>> loadGpuModel(const ModelRequest &request,
                                                     const ModelFiles &files,
                                                     frontend::ModelConfig config,
                                                     rt::EngineConfig engine,
                                                     const Progress &progress) {
  auto model = std::make_unique<GpuServingModel>();
  auto context = rt::Context::create(0);
  if (!context.isOk())
    return context.status().withContext("the gpu backend needs a CUDA device");
  model->context = std::move(context).value();
  LOOM_ASSIGN_OR_RETURN(rt::GpuArch arch, model->context->arch());
  LOOM_ASSIGN_OR_RETURN(model->stream, rt::Stream::create(*model->context));
  model->compiler = std::make_unique<rt::KernelCompiler>(model->cache);

  models::ForwardOptions options = models::forwardOptionsFor(engine);
  options.numBlocks = engine.numBlocks + 1; // one scratch block for the decode graphs' padding
  options.dtype = models::compiledStorageDType(requestedDType(request), files.gguf != nullptr);
  progress(fmt::format("building the forward step ({} layers, hidden {}, vocab {})",
                       config.numHiddenLayers, config.hiddenSize, config.vocabSize));
  LOOM_ASSIGN_OR_RETURN(models::LlamaForward forward,
                        models::buildLlamaForward(model->mlirContext, config, options));
  progress(fmt::format("compiling the forward step for {} on {}", gpuArchName(arch),
                       model->context->info().name));
  std::string manifestJson;
  LOOM_ASSIGN_OR_RETURN(rt::Package package,
                        compilePackage(model->mlirContext, *forward.module,
                                       std::string(gpuArchName(arch)), engine.batchInvariant,
                                       manifestJson));
  model->sources = package.sources;

  if (files.weights)
    LOOM_RETURN_IF_ERROR(models::checkWeights(forward.weights, *files.weights));
  ToolWeightProvider weights(files.weights.get(), forward.weights, package.manifest.weights);
  progress(fmt::format("compiling {} kernels with NVRTC and loading {} weights",
                       package.manifest.kernels.size(),
                       request.randomWeights ? "random" : "checkpoint"));
  double loadStart = rt::steadyClockSeconds();
  rt::ExecutorOptions executorOptions;
  executorOptions.instrumentTimeline = request.instrumentTimeline || timelineRequestedByEnvironment();
  LOOM_ASSIGN_OR_RETURN(model->executor,
                        rt::PackageExecutor::create(*model->context, std::move(package), weights,
                                                    *model->compiler, executorOptions));
  LOOM_RETURN_IF_ERROR(
      rt::checkBatchInvariance(engine, model->executor->manifest().batchInvariant));
  const rt::LoadReport &load = model->executor->report();
  model->weightLoadSeconds = rt::steadyClockSeconds() - loadStart - load.compileMilliseconds / 1e3;
  progress(fmt::format("loaded: {} kernels compiled, {} from cache, {:.0f} ms; {:.1f} MiB weights "
                       "in {:.1f} s, {:.1f} MiB KV{}",
                       load.kernelsCompiled, load.kernelsFromCache, load.compileMilliseconds,
                       load.weightBytes / 1048576.0, model->weightLoadSeconds,
                       load.kvBytes / 1048576.0,
                       engine.batchInvariant ? "; batch-invariant" : ""));
  LOOM_ASSIGN_OR_RETURN(model->sampler,
                        rt::GpuSampler::create(*model->context, *model->compiler,
                                               static_cast<int>(config.vocabSize),
                                               engine.maxSequences));
  rt::PackageRunnerOptions runnerOptions;
  runnerOptions.sampler = model->sampler.get();
  runnerOptions.compiler = model->compiler.get();
  LOOM_ASSIGN_OR_RETURN(model->runner_, rt::PackageModelRunner::create(
                                            *model->executor, *model->stream, runnerOptions));
  LOOM_ASSIGN_OR_RETURN(KernelTraffic traffic,
                        KernelTraffic::create(model->executor->manifest(), manifestJson));
  model->traffic = std::make_unique<KernelTraffic>(std::move(traffic));
  model->parts = {model->context.get(), model->stream.get(), model->executor.get(),
                  model->sampler.get(), model->traffic.get(), &model->sources,
                  model->runner_.get()};
  engine.numBlocks = model->runner_->usableKvBlocks();
  model->setConfigs(std::move(config), engine);
  return std::unique_ptr<ServingModel>(std::move(model));
}

} // namespace loom::tools
