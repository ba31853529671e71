// Loading a package onto a GPU and running its launch program.
#include "runtime/Package/PackageExecutor.h"

#include "runtime/CUDA/CuCheck.h"
#include "runtime/CUDA/TensorMap.h"
#include "runtime/CUDA/TimelineSource.h"

#include <array>
#include <chrono>
#include <map>
#include <cstdlib>
#include <string_view>
#include <fmt/format.h>

namespace loom::rt {

StatusOr<uint64_t> PackageExecutor::tensorBytes(const TensorSpec &tensor, const DimValues &dims) {
  uint64_t elements = 1;
  for (const DimExpr &extent : tensor.shape) {
    LOOM_ASSIGN_OR_RETURN(int64_t value, extent.evaluate(dims));
    if (value < 0)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("tensor '{}': extent {} is {}", tensor.name, extent.text(), value));
    elements *= static_cast<uint64_t>(value);
  }
  return elements * dtypeBytes(tensor.dtype);
}

namespace {

/// The arena buffer holding a step's error record (the compiler's kErrorBuffer, docs/package.md).
constexpr std::string_view kErrorBufferName = "errors";

/// Programmatic dependent launch whenever the package's kernels support it, unless
/// LOOM_LAUNCH_OVERLAP=0. Every emitted kernel waits for its predecessor before it touches global
/// memory (checked in its PTX by LoomGridDependencyOrderTests); overlapped launches give
/// bit-identical results on the GPU (LoomLaunchOverlapGpuTests; docs/perf-baseline.md, session 5).
/// LOOM_LAUNCH_OVERLAP=all overlaps every launch, also those whose CTAs would crowd fewer
/// multiprocessors (overlapKeepsPlacement, Launch.h): the A/B of that rule.
bool launchOverlapEnabled(const Manifest &manifest) {
  const char *setting = std::getenv("LOOM_LAUNCH_OVERLAP");
  return manifest.launchOverlap && !(setting && std::string_view(setting) == "0");
}
bool launchOverlapEveryLaunch() {
  const char *setting = std::getenv("LOOM_LAUNCH_OVERLAP");
  return setting && std::string_view(setting) == "all";
}

} // namespace

StatusOr<std::unique_ptr<PackageExecutor>> PackageExecutor::create(const Context &context,
                                                                   Package package,
                                                                   WeightProvider &weights,
                                                                   KernelCompiler &compiler,
                                                                   const ExecutorOptions &options) {
  std::unique_ptr<PackageExecutor> executor(new PackageExecutor(context, std::move(package)));
  executor->setLaunchOverlap(launchOverlapEnabled(executor->manifest()), launchOverlapEveryLaunch());
  LOOM_RETURN_IF_ERROR(executor->compileAndLoad(compiler, options.instrumentTimeline));
  LOOM_RETURN_IF_ERROR(executor->allocate(weights));
  return executor;
}

Status PackageExecutor::compileAndLoad(KernelCompiler &compiler, bool instrumentTimeline) {
  const Manifest &m = package_.manifest;
  LOOM_ASSIGN_OR_RETURN(GpuArch packageArch, parseGpuArch(m.target));
  LOOM_ASSIGN_OR_RETURN(GpuArch deviceArch, context_.arch());
  const GpuArchInfo &want = gpuArchInfo(packageArch), &have = gpuArchInfo(deviceArch);
  if (std::pair(want.major, want.minor) > std::pair(have.major, have.minor) ||
      (want.archSpecific && packageArch != deviceArch))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("package targets {} but the device is {}", gpuArchName(packageArch),
                                  gpuArchName(deviceArch)));
  std::vector<CompileRequest> requests;
  for (const KernelSpec &kernel : m.kernels)
    requests.push_back({kernel.name, package_.sources.at(kernel.name), deviceArch, {}});
  if (instrumentTimeline)
    LOOM_RETURN_IF_ERROR(instrumentForTimeline(requests));
  auto start = std::chrono::steady_clock::now();
  auto results = compiler.compileShared(requests); // one compile per distinct kernel body
  report_.compileMilliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // Kernels that compiled to one body (the same CompiledKernel) share one loaded module.
  std::map<const CompiledKernel *, Kernel *> loaded;
  std::map<const Kernel *, uint32_t> firstUser; // the timeline id of each loaded kernel
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i])
      return results[i].status().withContext(fmt::format("compiling kernel '{}'", m.kernels[i].name));
    (results[i]->origin == CacheOrigin::kCompiled ? report_.kernelsCompiled : report_.kernelsFromCache)++;
    Kernel *&kernel = loaded[results[i]->kernel.get()];
    if (!kernel) {
      LOOM_ASSIGN_OR_RETURN(auto module, Module::load(context_, results[i]->kernel->cubin));
      LOOM_ASSIGN_OR_RETURN(auto function, module->kernel(results[i]->entry));
      if (timeline_)
        LOOM_RETURN_IF_ERROR(timeline_->attach(*module, static_cast<uint32_t>(i)));
      modules_.push_back(std::move(module));
      loadedKernels_.push_back(std::move(function));
      kernel = loadedKernels_.back().get();
      firstUser[kernel] = static_cast<uint32_t>(i);
    }
    timelineIdOfKernel_.push_back(firstUser[kernel]);
    // reserveDynamicShared only ever raises the function's limit, so sharing it is safe.
    LOOM_RETURN_IF_ERROR(kernel->reserveDynamicShared(m.kernels[i].sharedBytes));
    kernels_.push_back(kernel);
  }
  return Status::ok();
}

Status PackageExecutor::instrumentForTimeline(std::vector<CompileRequest> &requests) {
  for (CompileRequest &request : requests) {
    LOOM_ASSIGN_OR_RETURN(request.source, rt::instrumentForTimeline(request.source, request.name));
    request.flags.defines.push_back(kTimelineDefine);
  }
  LOOM_ASSIGN_OR_RETURN(timeline_, TimelineBuffer::create(context_));
  return Status::ok();
}

Status PackageExecutor::allocate(WeightProvider &weights) {
  const Manifest &m = package_.manifest;
  auto allocateZeroed = [&](uint64_t bytes) -> StatusOr<DeviceBuffer> {
    LOOM_ASSIGN_OR_RETURN(DeviceBuffer buffer, allocator_.allocate(std::max<uint64_t>(bytes, 1)));
    const DriverApi &cu = context_.api();
    LOOM_CU_CHECK(cu.cuMemsetD8Async(buffer.address(), 0, bytes, nullptr));
    return buffer;
  };
  LOOM_ASSIGN_OR_RETURN(arena_, allocateZeroed(m.arenaBytes));
  report_.arenaBytes = m.arenaBytes;
  for (const BufferSpec &buffer : m.buffers)
    bufferOffsets_[buffer.name] = buffer.offset;
  if (auto errors = bufferOffsets_.find(kErrorBufferName); errors != bufferOffsets_.end())
    errorRecord_ = arena_.address() + errors->second;
  if (m.kvCache) {
    LOOM_ASSIGN_OR_RETURN(kvKeys_, allocateZeroed(m.kvCache->poolBytes()));
    LOOM_ASSIGN_OR_RETURN(kvValues_, allocateZeroed(m.kvCache->poolBytes()));
    report_.kvBytes = 2 * m.kvCache->poolBytes();
  }
  for (const TensorSpec &input : m.inputs) {
    LOOM_ASSIGN_OR_RETURN(uint64_t bytes, tensorBytes(input, m.maxDims));
    LOOM_ASSIGN_OR_RETURN(inputs_[input.name], allocateZeroed(bytes));
    report_.inputBytes += bytes;
  }
  LOOM_RETURN_IF_ERROR(context_.synchronize());
  ThreadPool pool; // the weights' conversions and copies, in parallel chunks
  LOOM_ASSIGN_OR_RETURN(weights_, uploadWeights(context_, m.weights, weights, allocator_, {&pool}));
  for (const auto &[name, buffer] : weights_)
    report_.weightBytes += buffer.size();
  return Status::ok();
}

Status PackageExecutor::checkDims(const DimValues &dims) const {
  for (const auto &[name, bound] : package_.manifest.maxDims) {
    auto it = dims.find(name);
    if (it == dims.end())
      return LOOM_ERROR(StatusCode::kInvalidArgument, fmt::format("step has no value for dim '{}'", name));
    if (it->second < 0 || it->second > bound)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("dim '{}' = {} is outside the package's bound [0, {}]", name,
                                    it->second, bound));
  }
  return Status::ok();
}

StatusOr<CUdeviceptr> PackageExecutor::bufferAddress(const std::string &name) const {
  auto it = bufferOffsets_.find(name);
  if (it == bufferOffsets_.end())
    return LOOM_ERROR(StatusCode::kNotFound, fmt::format("no buffer '{}'", name));
  return arena_.address() + it->second;
}

StatusOr<CUdeviceptr> PackageExecutor::inputAddress(const std::string &name) const {
  auto it = inputs_.find(name);
  if (it == inputs_.end())
    return LOOM_ERROR(StatusCode::kNotFound, fmt::format("package has no input '{}'", name));
  return it->second.address();
}

StatusOr<CUdeviceptr> PackageExecutor::outputAddress(const std::string &name) const {
  const Manifest &m = package_.manifest;
  for (size_t i = 0; i < m.outputs.size(); ++i)
    if (m.outputs[i].name == name)
      return bufferAddress(m.outputBuffers[i]);
  return LOOM_ERROR(StatusCode::kNotFound, fmt::format("package has no output '{}'", name));
}

Status PackageExecutor::copyInput(const std::string &name, std::span<const std::byte> data,
                                  const DimValues &dims, const Stream &stream) {
  LOOM_RETURN_IF_ERROR(checkDims(dims));
  for (const TensorSpec &input : package_.manifest.inputs) {
    if (input.name != name)
      continue;
    LOOM_ASSIGN_OR_RETURN(uint64_t bytes, tensorBytes(input, dims));
    if (bytes != data.size())
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("input '{}' needs {} bytes for this step, got {}", name, bytes,
                                    data.size()));
    if (bytes == 0)
      return Status::ok();
    return stream.copyToDevice(inputs_.at(name).address(), data.data(), bytes);
  }
  return LOOM_ERROR(StatusCode::kNotFound, fmt::format("package has no input '{}'", name));
}

StatusOr<CUtensorMap> PackageExecutor::tensorMap(const ParamSpec &param, const DimValues &dims) const {
  CUdeviceptr address = 0;
  switch (param.tma.of) {
  case ParamKind::kWeight:
    address = weights_.at(param.ref).address();
    break;
  case ParamKind::kInput:
    address = inputs_.at(param.ref).address();
    break;
  default: {
    LOOM_ASSIGN_OR_RETURN(address, bufferAddress(param.ref));
    break;
  }
  }
  LOOM_ASSIGN_OR_RETURN(int64_t rows, param.tma.rows.evaluate(dims));
  auto map = tensorMapForGemmOperand(context_.api(), address, static_cast<uint64_t>(std::max<int64_t>(rows, 1)),
                                     static_cast<uint64_t>(param.tma.cols), param.tma.boxRows);
  if (!map)
    return map.status().withContext(fmt::format("tensor map of '{}'", param.name));
  return map;
}

Status PackageExecutor::launch(size_t index, const DimValues &dims, const Stream &stream) {
  const KernelSpec &spec = package_.manifest.kernels[index];
  LaunchConfig config;
  unsigned *gridSlots[3] = {&config.grid.x, &config.grid.y, &config.grid.z};
  for (int d = 0; d < 3; ++d) {
    LOOM_ASSIGN_OR_RETURN(int64_t extent, spec.grid[d].evaluate(dims));
    if (extent == 0)
      return Status::ok(); // nothing to do this step (e.g. no decode rows)
    *gridSlots[d] = static_cast<unsigned>(extent);
  }
  config.block = {spec.block[0], spec.block[1], spec.block[2]};
  config.dynamicSharedBytes = spec.sharedBytes;
  if (overlapLaunches_) {
    LOOM_ASSIGN_OR_RETURN(config.overlapPrevious, launchOverlapsPrevious(index, config));
  }
  KernelArgs args;
  for (const ParamSpec &param : spec.params) {
    switch (param.kind) {
    case ParamKind::kBuffer: {
      LOOM_ASSIGN_OR_RETURN(CUdeviceptr address, bufferAddress(param.ref));
      args.add(address);
      break;
    }
    case ParamKind::kWeight:
      args.add(weights_.at(param.ref).address());
      break;
    case ParamKind::kInput:
      args.add(inputs_.at(param.ref).address());
      break;
    case ParamKind::kOutput: {
      LOOM_ASSIGN_OR_RETURN(CUdeviceptr address, outputAddress(param.ref));
      args.add(address);
      break;
    }
    case ParamKind::kKvK:
      args.add(kvKeys_.address());
      break;
    case ParamKind::kKvV:
      args.add(kvValues_.address());
      break;
    case ParamKind::kDim:
      args.add(static_cast<int>(dims.find(param.ref)->second));
      break;
    case ParamKind::kIntScalar:
      args.add(static_cast<int>(param.scalar));
      break;
    case ParamKind::kFloatScalar:
      args.add(static_cast<float>(param.scalar));
      break;
    case ParamKind::kTma: {
      LOOM_ASSIGN_OR_RETURN(CUtensorMap map, tensorMap(param, dims));
      args.add(map);
      break;
    }
    }
  }
  return launchKernel(*kernels_[index], config, args, stream.handle())
      .withContext(fmt::format("launching '{}'", spec.name));
}

StatusOr<bool> PackageExecutor::launchOverlapsPrevious(size_t index, const LaunchConfig &config) {
  if (overlapEveryLaunch_)
    return true;
  if (residentPerMultiprocessor_.size() != kernels_.size())
    residentPerMultiprocessor_.assign(kernels_.size(), std::nullopt);
  std::optional<int> &resident = residentPerMultiprocessor_[index];
  if (!resident) {
    const Dim3 &block = config.block;
    LOOM_ASSIGN_OR_RETURN(resident, kernels_[index]->maxActiveBlocksPerMultiprocessor(
                                        static_cast<int>(block.x * block.y * block.z),
                                        config.dynamicSharedBytes));
  }
  const uint64_t ctas = uint64_t(config.grid.x) * config.grid.y * config.grid.z;
  return overlapKeepsPlacement(*resident, ctas, context_.info().multiprocessors);
}

Status PackageExecutor::run(const DimValues &dims, const Stream &stream, LaunchTimer *timer) {
  LOOM_RETURN_IF_ERROR(checkDims(dims));
  for (size_t index : package_.manifest.launches(dims)) {
    if (timer)
      LOOM_RETURN_IF_ERROR(timer->beforeLaunch(index, stream));
    LOOM_RETURN_IF_ERROR(launch(index, dims, stream));
    if (timer)
      LOOM_RETURN_IF_ERROR(timer->afterLaunch(stream));
  }
  return Status::ok();
}

Status PackageExecutor::checkErrors(const Stream &stream) {
  if (!errorRecord_)
    return Status::ok();
  std::array<int32_t, 4> record{}; // loom::EmbeddingError: count, id, row, vocab
  LOOM_RETURN_IF_ERROR(stream.copyToHost(record.data(), *errorRecord_, sizeof(record)));
  LOOM_RETURN_IF_ERROR(stream.synchronize());
  if (record[0] == 0)
    return Status::ok();
  LOOM_RETURN_IF_ERROR(stream.fill(*errorRecord_, 0, sizeof(record)));
  return LOOM_ERROR(StatusCode::kInvalidArgument,
                    fmt::format("token id {} (row {} of the step) is outside the embedding table's "
                                "{} rows; {} out-of-range id(s) in the step",
                                record[1], record[2], record[3], record[0]));
}

StatusOr<std::vector<std::byte>> PackageExecutor::readOutput(const std::string &name,
                                                             const DimValues &dims,
                                                             const Stream &stream) {
  const Manifest &m = package_.manifest;
  for (const TensorSpec &output : m.outputs) {
    if (output.name != name)
      continue;
    LOOM_ASSIGN_OR_RETURN(uint64_t bytes, tensorBytes(output, dims));
    LOOM_ASSIGN_OR_RETURN(CUdeviceptr address, outputAddress(name));
    std::vector<std::byte> host(bytes);
    if (bytes > 0)
      LOOM_RETURN_IF_ERROR(stream.copyToHost(host.data(), address, bytes));
    LOOM_RETURN_IF_ERROR(stream.synchronize());
    LOOM_RETURN_IF_ERROR(checkErrors(stream));
    return host;
  }
  return LOOM_ERROR(StatusCode::kNotFound, fmt::format("package has no output '{}'", name));
}

} // namespace loom::rt
