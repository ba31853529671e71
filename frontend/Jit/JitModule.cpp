// JitModule: inspection, input checks and calls of a compiled graph.
#include "frontend/Jit/JitModule.h"

#include "frontend/Jit/JitCache.h"
#include "frontend/Jit/JitState.h"
#include "frontend/Reference/StorageBytes.h"
#include "frontend/Verify/ReferenceRun.h"

#include <fmt/format.h>

namespace loom {

namespace {

/// `tensor` in storage type `type`: float values rounded, index values range-checked.
StatusOr<ref::HostTensor> convertTo(ref::HostTensor tensor, ref::ElementType type,
                                    const std::string &name) {
  if (tensor.type() == type)
    return tensor;
  if (tensor.isFloat() && ref::isFloatType(type))
    return ref::HostTensor::fromFloats(type, tensor.shape(),
                                       std::vector<float>(tensor.floats().begin(), tensor.floats().end()));
  if (!tensor.isFloat() && !ref::isFloatType(type))
    return ref::HostTensor::fromInts(type, tensor.shape(),
                                     std::vector<int64_t>(tensor.ints().begin(), tensor.ints().end()));
  return LOOM_ERROR(StatusCode::kInvalidArgument,
                    fmt::format("input '{}' is {} but the graph declares {}", name,
                                ref::elementTypeName(tensor.type()), ref::elementTypeName(type)));
}

template <typename Tensors> InputShapes shapesOf(const Tensors &tensors) {
  InputShapes shapes;
  for (const auto &[name, tensor] : tensors)
    shapes[name] = tensor.shape;
  return shapes;
}

InputShapes shapesOf(const HostTensors &tensors) {
  InputShapes shapes;
  for (const auto &[name, tensor] : tensors)
    shapes[name] = tensor.shape();
  return shapes;
}

} // namespace

JitModule::JitModule(std::shared_ptr<const CompiledGraph> compiled, bool fromCache, int device,
                     JitCache &cache)
    : state_(std::make_unique<State>()) {
  state_->compiled = std::move(compiled);
  state_->fromCache = fromCache;
  state_->device = device;
  state_->cache = &cache;
}

JitModule::JitModule(JitModule &&) noexcept = default;
JitModule &JitModule::operator=(JitModule &&) noexcept = default;
JitModule::~JitModule() = default;

const std::string &JitModule::cacheKey() const { return state_->compiled->key; }
const std::string &JitModule::arch() const { return state_->compiled->arch; }
bool JitModule::fromCache() const { return state_->fromCache; }
double JitModule::compileMilliseconds() const { return state_->compiled->compileMilliseconds; }
const rt::Manifest &JitModule::manifest() const { return state_->compiled->package.manifest; }
const std::map<std::string, std::string> &JitModule::kernelSources() const {
  return state_->compiled->package.sources;
}
const std::vector<verify::SignatureTensor> &JitModule::inputs() const {
  return state_->compiled->signature.arguments;
}
const std::vector<verify::SignatureTensor> &JitModule::outputs() const {
  return state_->compiled->signature.results;
}
const std::vector<GraphWeight> &JitModule::weights() const { return state_->compiled->weights; }
const rt::DimValues &JitModule::bounds() const { return manifest().maxDims; }

StatusOr<rt::DimValues> JitModule::callDims(const InputShapes &shapes) const {
  return resolveCallDims(state_->compiled->callSignature, bounds(), shapes);
}

StatusOr<std::vector<ref::HostTensor>> JitModule::convertInputs(const HostTensors &inputs,
                                                                rt::DimValues &dims) const {
  LOOM_ASSIGN_OR_RETURN(dims, callDims(shapesOf(inputs)));
  std::vector<ref::HostTensor> converted;
  for (const verify::SignatureTensor &argument : this->inputs()) {
    LOOM_ASSIGN_OR_RETURN(ref::HostTensor tensor,
                          convertTo(inputs.find(argument.name)->second, argument.type, argument.name));
    converted.push_back(std::move(tensor));
  }
  return converted;
}

StatusOr<ref::Shape> JitModule::outputShape(const std::string &name, const rt::DimValues &dims) const {
  for (const rt::TensorSpec &output : manifest().outputs) {
    if (output.name != name)
      continue;
    ref::Shape shape;
    for (const rt::DimExpr &extent : output.shape) {
      LOOM_ASSIGN_OR_RETURN(int64_t value, extent.evaluate(dims));
      shape.push_back(value);
    }
    return shape;
  }
  return LOOM_ERROR(StatusCode::kInternal, fmt::format("the package has no output '{}'", name));
}

StatusOr<HostTensors> JitModule::call(const HostTensors &inputs) {
  rt::DimValues dims;
  LOOM_ASSIGN_OR_RETURN(std::vector<ref::HostTensor> converted, convertInputs(inputs, dims));
  LOOM_RETURN_IF_ERROR(ensureLoaded());
  rt::PackageExecutor &executor = *state_->executor;
  const rt::Stream &stream = *state_->stream;
  LOOM_RETURN_IF_ERROR(state_->orderAfterLastCall(stream));
  // The bytes stay alive until readOutput synchronizes the stream.
  std::vector<std::vector<std::byte>> staged;
  for (const verify::SignatureTensor &argument : this->inputs()) {
    if (!executor.inputAddress(argument.name).isOk())
      continue; // an argument no kernel reads
    staged.push_back(ref::toStorageBytes(converted[argument.index]));
    LOOM_RETURN_IF_ERROR(executor.copyInput(argument.name, staged.back(), dims, stream)
                             .withContext("input " + argument.name));
  }
  LOOM_RETURN_IF_ERROR(executor.run(dims, stream));
  LOOM_RETURN_IF_ERROR(state_->recordCall(stream));
  HostTensors outputs;
  for (const verify::SignatureTensor &result : this->outputs()) {
    LOOM_ASSIGN_OR_RETURN(ref::Shape shape, outputShape(result.name, dims));
    LOOM_ASSIGN_OR_RETURN(std::vector<std::byte> bytes, executor.readOutput(result.name, dims, stream));
    LOOM_ASSIGN_OR_RETURN(outputs[result.name], ref::fromStorageBytes(result.type, shape, bytes));
  }
  return outputs;
}

StatusOr<DeviceTensors> JitModule::enqueue(const DeviceTensors &inputs, const rt::DimValues &dims,
                                           const rt::Stream &stream) {
  rt::PackageExecutor &executor = *state_->executor;
  for (const rt::TensorSpec &input : manifest().inputs) {
    LOOM_ASSIGN_OR_RETURN(uint64_t bytes, rt::PackageExecutor::tensorBytes(input, dims));
    LOOM_ASSIGN_OR_RETURN(CUdeviceptr destination, executor.inputAddress(input.name));
    CUdeviceptr source = inputs.find(input.name)->second.address;
    if (bytes > 0 && source == 0)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("input '{}' has no device address", input.name));
    if (bytes > 0)
      LOOM_RETURN_IF_ERROR(stream.copyDeviceToDevice(destination, source, bytes));
  }
  LOOM_RETURN_IF_ERROR(executor.run(dims, stream));
  DeviceTensors outputs;
  for (const verify::SignatureTensor &result : this->outputs()) {
    DeviceTensor &output = outputs[result.name];
    LOOM_ASSIGN_OR_RETURN(output.address, executor.outputAddress(result.name));
    LOOM_ASSIGN_OR_RETURN(output.shape, outputShape(result.name, dims));
  }
  return outputs;
}

StatusOr<DeviceTensors> JitModule::call(const DeviceTensors &inputs, const rt::Stream &stream) {
  LOOM_ASSIGN_OR_RETURN(rt::DimValues dims, callDims(shapesOf(inputs)));
  LOOM_RETURN_IF_ERROR(ensureLoaded());
  LOOM_RETURN_IF_ERROR(state_->orderAfterLastCall(stream));
  LOOM_ASSIGN_OR_RETURN(DeviceTensors outputs, enqueue(inputs, dims, stream));
  LOOM_RETURN_IF_ERROR(state_->recordCall(stream));
  return outputs;
}

Status JitModule::call(const DeviceTensors &inputs, const DeviceTensors &outputs,
                       const rt::Stream &stream) {
  LOOM_ASSIGN_OR_RETURN(rt::DimValues dims, callDims(shapesOf(inputs)));
  for (const auto &[name, destination] : outputs) {
    StatusOr<ref::Shape> shape = outputShape(name, dims);
    if (!shape.isOk())
      return LOOM_ERROR(StatusCode::kInvalidArgument, fmt::format("the graph has no output '{}'", name));
    if (*shape != destination.shape)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("output '{}' is [{}] for this call, the buffer given is [{}]",
                                    name, ref::shapeString(*shape),
                                    ref::shapeString(destination.shape)));
  }
  LOOM_RETURN_IF_ERROR(ensureLoaded());
  LOOM_RETURN_IF_ERROR(state_->orderAfterLastCall(stream));
  LOOM_ASSIGN_OR_RETURN(DeviceTensors produced, enqueue(inputs, dims, stream));
  for (const auto &[name, destination] : outputs) {
    const verify::SignatureTensor &result = *std::find_if(
        this->outputs().begin(), this->outputs().end(),
        [&](const verify::SignatureTensor &output) { return output.name == name; });
    uint64_t bytes = static_cast<uint64_t>(ref::elementCount(destination.shape)) *
                     ref::storageSize(result.type);
    if (bytes > 0)
      LOOM_RETURN_IF_ERROR(
          stream.copyDeviceToDevice(destination.address, produced.at(name).address, bytes));
  }
  // Recorded after the copies out: the next call may overwrite the module's outputs only then.
  return state_->recordCall(stream);
}

StatusOr<HostTensors> JitModule::reference(const HostTensors &inputs, ThreadPool *pool) const {
  rt::DimValues dims;
  LOOM_ASSIGN_OR_RETURN(std::vector<ref::HostTensor> converted, convertInputs(inputs, dims));
  LOOM_RETURN_IF_ERROR(checkWeightsBound());
  verify::SharedWeights none;
  verify::SharedWeights &weights = state_->weights ? *state_->weights : none;
  LOOM_ASSIGN_OR_RETURN(std::vector<ref::HostTensor> results,
                        verify::runReference(state_->compiled->graph->function(), weights,
                                             std::move(converted), pool));
  HostTensors outputs;
  for (const verify::SignatureTensor &result : this->outputs())
    outputs[result.name] = std::move(results.at(result.index));
  return outputs;
}

} // namespace loom
