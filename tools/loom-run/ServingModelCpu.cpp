// The cpu backend: the Llama forward step run by the reference interpreter (InterpreterModelRunner).
#include "tools/loom-run/ServingModel.h"

#include "frontend/Models/LlamaForward.h"
#include "frontend/Models/WeightCheck.h"
#include "frontend/Reference/Interpreter/InterpreterModelRunner.h"
#include "tools/loom-run/RandomWeights.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <fmt/format.h>

namespace loom::tools {

namespace {

/// Name-seeded random values in the type and shape the graph asks for.
class RandomReferenceWeights final : public ref::WeightSource {
public:
  StatusOr<ref::HostTensor> load(std::string_view name, ref::ElementType type,
                                 const ref::Shape &shape) override {
    return ref::HostTensor::fromFloats(type, shape, randomWeightValues(name, shape));
  }
};

class CpuServingModel final : public ServingModel {
public:
  rt::ModelRunner &runner() override { return *runner_; }
  nlohmann::json backendStats() const override {
    return {{"backend", "cpu"}, {"threads", pool_.size()}};
  }

  mlir::MLIRContext context;
  models::LlamaForward forward;
  std::unique_ptr<ref::WeightSource> weights;
  ThreadPool pool_{0};
  std::unique_ptr<ref::InterpreterModelRunner> runner_;
};

} // namespace

StatusOr<std::unique_ptr<ServingModel>> loadCpuModel(const ModelRequest &request,
                                                     const ModelFiles &files,
                                                     frontend::ModelConfig config,
                                                     rt::EngineConfig engine,
                                                     const Progress &progress) {
  auto model = std::make_unique<CpuServingModel>();
  progress(fmt::format("building the forward step ({} layers, hidden {}, vocab {})",
                       config.numHiddenLayers, config.hiddenSize, config.vocabSize));
  models::ForwardOptions options = models::forwardOptionsFor(engine);
  options.dtype = requestedDType(request);
  LOOM_ASSIGN_OR_RETURN(model->forward, models::buildLlamaForward(model->context, config, options));
  if (request.randomWeights) {
    progress("using random weights");
    model->weights = std::make_unique<RandomReferenceWeights>();
  } else {
    progress(fmt::format("loading weights from {}", request.path));
    LOOM_RETURN_IF_ERROR(models::checkWeights(model->forward.weights, *files.weights));
    model->weights = std::make_unique<ref::CheckpointWeightSource>(*files.weights);
  }
  auto functions = model->forward.module->getOps<mlir::func::FuncOp>();
  if (functions.empty())
    return LOOM_ERROR(StatusCode::kInternal, "the built module has no forward function");
  LOOM_ASSIGN_OR_RETURN(model->runner_, ref::InterpreterModelRunner::create(
                                            *functions.begin(), *model->weights, &model->pool_));
  model->setConfigs(std::move(config), engine);
  return std::unique_ptr<ServingModel>(std::move(model));
}

} // namespace loom::tools
