// StepUploads: pinned regions per input, staged on the host, copied on the stream.
#include "runtime/Serving/StepUploads.h"

#include "runtime/CUDA/Launch.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace loom::rt {

namespace {

/// The forward-step inputs by name, as the model builder declares them.
struct NamedInput {
  const char *name;
  std::vector<int32_t> StepInputs::*values;
};
constexpr std::array<NamedInput, StepUploads::kNumInputs> kStepInputs = {{
    {"tokens", &StepInputs::tokens},
    {"positions", &StepInputs::positions},
    {"slots", &StepInputs::slots},
    {"seq_starts", &StepInputs::seqStarts},
    {"context_lens", &StepInputs::contextLens},
    {"block_tables", &StepInputs::blockTables},
    {"logit_rows", &StepInputs::logitRows},
}};

constexpr size_t kRegionAlignment = 256;
constexpr unsigned kGatherThreads = 256;

/// The gather kernel's argument (LoomStepCopies in its source).
struct StepCopy {
  const int32_t *source;
  int32_t *destination;
  int32_t count;
};
struct StepCopies {
  StepCopy copies[StepUploads::kNumInputs];
};
static_assert(sizeof(StepCopy) == 24 && sizeof(StepCopies) == 24 * StepUploads::kNumInputs,
              "StepCopies must match LoomStepCopies");

} // namespace

std::string gatherKernelSource() {
  return fmt::format(R"cuda(// The forward step's inputs read from pinned host memory (runtime/Serving/StepUploads.h).
struct LoomStepCopy {{
  const int *source;
  int *destination;
  int count;
}};
struct LoomStepCopies {{
  LoomStepCopy copies[{0}];
}};

extern "C" __global__ __launch_bounds__({1}) void {2}(const LoomStepCopies step) {{
  const LoomStepCopy copy = step.copies[blockIdx.x];
  for (int i = threadIdx.x; i < copy.count; i += {1})
    copy.destination[i] = copy.source[i];
}}
)cuda",
                     StepUploads::kNumInputs, kGatherThreads, kGatherKernelName);
}

StatusOr<std::unique_ptr<StepUploads>> StepUploads::create(const Context &context,
                                                           PackageExecutor &executor,
                                                           KernelCompiler *compiler) {
  const Manifest &m = executor.manifest();
  std::array<Region, kNumInputs> regions;
  size_t total = 0;
  for (size_t i = 0; i < kNumInputs; ++i) {
    auto spec = std::find_if(m.inputs.begin(), m.inputs.end(), [&](const TensorSpec &s) {
      return s.name == kStepInputs[i].name && s.dtype == DType::kI32;
    });
    if (spec == m.inputs.end())
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("package has no i32 input '{}' of the forward step",
                                    kStepInputs[i].name));
    LOOM_ASSIGN_OR_RETURN(uint64_t capacity, PackageExecutor::tensorBytes(*spec, m.maxDims));
    LOOM_ASSIGN_OR_RETURN(CUdeviceptr device, executor.inputAddress(spec->name));
    regions[i] = Region{&*spec, device, total, capacity, 0};
    total += (capacity + kRegionAlignment - 1) / kRegionAlignment * kRegionAlignment;
  }
  LOOM_ASSIGN_OR_RETURN(PinnedHostBuffer staging,
                        PinnedHostBuffer::allocate(context, std::max<size_t>(total, 1)));
  std::unique_ptr<StepUploads> uploads(new StepUploads(std::move(staging), regions));
  if (compiler) {
    LOOM_ASSIGN_OR_RETURN(uploads->gather_, loadKernel(context, *compiler, kGatherKernelName,
                                                       gatherKernelSource()));
  }
  return uploads;
}

Status StepUploads::stage(const StepInputs &in, const DimValues &dims) {
  for (size_t i = 0; i < kNumInputs; ++i) {
    Region &region = regions_[i];
    const std::vector<int32_t> &values = in.*kStepInputs[i].values;
    size_t bytes = values.size() * sizeof(int32_t);
    LOOM_ASSIGN_OR_RETURN(uint64_t expected, PackageExecutor::tensorBytes(*region.spec, dims));
    if (bytes != expected || bytes > region.capacity)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("input '{}' needs {} bytes for this step (at most {}), got {}",
                                    region.spec->name, expected, region.capacity, bytes));
    std::memcpy(staging_.as<std::byte>() + region.offset, values.data(), bytes);
    region.staged = bytes;
  }
  return Status::ok();
}

Status StepUploads::enqueue(const Stream &stream) const {
  if (gather_)
    return gather(stream);
  for (const Region &region : regions_)
    if (region.staged > 0)
      LOOM_RETURN_IF_ERROR(stream.copyToDevice(region.device,
                                               staging_.as<std::byte>() + region.offset,
                                               region.staged));
  return Status::ok();
}

Status StepUploads::gather(const Stream &stream) const {
  StepCopies step{};
  for (size_t i = 0; i < kNumInputs; ++i) {
    const Region &region = regions_[i];
    step.copies[i] = {reinterpret_cast<const int32_t *>(staging_.as<std::byte>() + region.offset),
                      reinterpret_cast<int32_t *>(region.device),
                      static_cast<int32_t>(region.staged / sizeof(int32_t))};
  }
  KernelArgs args;
  args.add(step);
  LaunchConfig config{{static_cast<unsigned>(kNumInputs), 1, 1}, {kGatherThreads, 1, 1}, 0};
  return launchKernel(*gather_->kernel, config, args, stream.handle());
}

} // namespace loom::rt
