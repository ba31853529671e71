// JitModule: binding weights and loading the package onto the device.
#include "frontend/Jit/JitCache.h"
#include "frontend/Jit/JitState.h"
#include "runtime/CUDA/CuCheck.h"

#include <fmt/format.h>

namespace loom {

JitModule::State::~State() {
  if (callRecorded)
    (void)lastCall->synchronize(); // nothing to report to from a destructor
}

Status JitModule::State::orderAfterLastCall(const rt::Stream &on) const {
  if (!callRecorded)
    return Status::ok();
  const rt::DriverApi &cu = context->api();
  LOOM_CU_CHECK(cu.cuStreamWaitEvent(on.handle(), lastCall->handle(), 0));
  return Status::ok();
}

Status JitModule::State::recordCall(const rt::Stream &on) {
  LOOM_RETURN_IF_ERROR(lastCall->record(on));
  callRecorded = true;
  return Status::ok();
}

Status JitModule::State::releaseExecutor() {
  if (callRecorded)
    LOOM_RETURN_IF_ERROR(lastCall->synchronize());
  callRecorded = false;
  executor.reset();
  return Status::ok();
}

Status JitModule::bindWeights(ref::WeightSource &source) {
  auto bound = std::make_unique<verify::SharedWeights>();
  for (const GraphWeight &weight : weights()) {
    StatusOr<ref::HostTensor> tensor = source.load(weight.name, weight.type, weight.shape);
    if (!tensor.isOk())
      return tensor.status().withContext(fmt::format("binding weight '{}'", weight.name));
    bound->add(weight.name, std::move(*tensor));
  }
  // The executor was built from the old weights: drop it before them. The next call uploads
  // the new ones.
  LOOM_RETURN_IF_ERROR(state_->releaseExecutor());
  state_->weights = std::move(bound);
  return Status::ok();
}

Status JitModule::bindWeights(const HostTensors &weights) {
  ref::MapWeightSource source;
  for (const auto &[name, tensor] : weights)
    source.add(name, tensor);
  return bindWeights(source);
}

Status JitModule::bindWeights(const models::WeightSource &checkpoint) {
  ref::CheckpointWeightSource source(checkpoint);
  return bindWeights(source);
}

Status JitModule::bindRandomWeights(uint64_t seed) {
  LOOM_ASSIGN_OR_RETURN(verify::SharedWeights random,
                        verify::SharedWeights::random(state_->compiled->graph->function(), seed));
  LOOM_RETURN_IF_ERROR(state_->releaseExecutor());
  state_->weights = std::make_unique<verify::SharedWeights>(std::move(random));
  return Status::ok();
}

Status JitModule::checkWeightsBound() const {
  if (state_->weights || weights().empty())
    return Status::ok();
  std::vector<std::string> names;
  for (const GraphWeight &weight : weights())
    names.push_back(weight.name);
  return LOOM_ERROR(StatusCode::kInvalidArgument,
                    fmt::format("weights are not bound: call bindWeights() first (the graph reads "
                                "{} weights: {})",
                                names.size(), fmt::join(names, ", ")));
}

Status JitModule::load() {
  LOOM_RETURN_IF_ERROR(checkWeightsBound());
  if (!state_->weights)
    state_->weights = std::make_unique<verify::SharedWeights>();
  if (!state_->context) {
    LOOM_ASSIGN_OR_RETURN(state_->context, state_->cache->context(state_->device));
  }
  LOOM_RETURN_IF_ERROR(state_->context->makeCurrent());
  if (!state_->stream) {
    LOOM_ASSIGN_OR_RETURN(state_->stream, rt::Stream::create(*state_->context));
    LOOM_ASSIGN_OR_RETURN(state_->lastCall, rt::Event::create(*state_->context));
  }
  LOOM_RETURN_IF_ERROR(state_->releaseExecutor());
  LOOM_ASSIGN_OR_RETURN(state_->executor,
                        rt::PackageExecutor::create(*state_->context, state_->compiled->package,
                                                    *state_->weights,
                                                    state_->cache->kernelCompiler()));
  return Status::ok();
}

Status JitModule::ensureLoaded() {
  if (state_->executor)
    return state_->context->makeCurrent();
  return load();
}

StatusOr<const rt::Context *> JitModule::context() const {
  if (!state_->context)
    return LOOM_ERROR(StatusCode::kUnavailable, "the module is not loaded: call load() first");
  return state_->context.get();
}

const rt::LoadReport *JitModule::loadReport() const {
  return state_->executor ? &state_->executor->report() : nullptr;
}

} // namespace loom
