// BenchSession: device, compiles, random buffers, event timing and the copy roofline.
#include "tools/loom-bench/BenchSession.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace loom::bench {
namespace {

// Uniform values in [-scale, scale) from a counter hash; grid-stride so any count works.
constexpr const char *kFillSource = R"(
#include "loom/types.cuh"
__device__ __forceinline__ unsigned long long mix(unsigned long long z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
extern "C" __global__ void loom_bench_fill(void *out, unsigned long long count, unsigned int seed,
                                           float scale, int type) {
  for (unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
       i < count; i += (unsigned long long)gridDim.x * blockDim.x) {
    unsigned long long bits = mix(i * 0x9e3779b97f4a7c15ull + seed);
    float value = ((float)(bits >> 40) * (1.0f / 16777216.0f) * 2.0f - 1.0f) * scale;
    if (type == 0) ((loom::bf16 *)out)[i] = loom::toBf16(value);
    else if (type == 1) ((loom::f16 *)out)[i] = loom::toF16(value);
    else ((float *)out)[i] = value;
  }
}
)";

} // namespace

StatusOr<std::unique_ptr<BenchSession>> BenchSession::create(const BenchOptions &options) {
  std::unique_ptr<BenchSession> session(new BenchSession());
  session->options_ = options;
  LOOM_ASSIGN_OR_RETURN(session->context_, rt::Context::create(0));
  LOOM_RETURN_IF_ERROR(session->context_->makeCurrent());
  LOOM_ASSIGN_OR_RETURN(session->arch_, session->context_->arch());
  LOOM_ASSIGN_OR_RETURN(session->stream_, rt::Stream::create(*session->context_));
  session->cache_ = std::make_unique<rt::KernelCache>("");
  session->compiler_ = std::make_unique<rt::KernelCompiler>(*session->cache_, 2);
  session->memory_ = std::make_unique<rt::CudaMemoryBackend>(*session->context_);
  session->allocator_ = std::make_unique<rt::DeviceAllocator>(*session->memory_);
  LOOM_ASSIGN_OR_RETURN(session->fillKernel_, session->compile("loom_bench_fill", kFillSource));
  LOOM_RETURN_IF_ERROR(session->measureCopyBandwidth());
  StatusOr<std::unique_ptr<Cublas>> cublas =
      Cublas::load(*session->context_, session->stream_->handle());
  if (cublas.isOk()) {
    session->cublas_ = std::move(cublas).value();
    session->cublasStatus_ = "cuBLAS " + session->cublas_->version();
  } else {
    session->cublasStatus_ = "absent (" + cublas.status().message() + ")";
  }
  return session;
}

BenchSession::~BenchSession() {
  if (stream_)
    (void)stream_->synchronize();
}

StatusOr<BenchKernel> BenchSession::compile(const std::string &function,
                                            const std::string &source) {
  rt::CompileRequest request;
  request.name = function;
  request.source = source;
  request.arch = arch_;
  LOOM_ASSIGN_OR_RETURN(rt::CompileResult compiled, compiler_->compile(request));
  BenchKernel loaded;
  LOOM_ASSIGN_OR_RETURN(loaded.module, rt::Module::load(*context_, compiled.kernel->cubin));
  LOOM_ASSIGN_OR_RETURN(loaded.kernel, loaded.module->kernel(function));
  return loaded;
}

Status BenchSession::launch(rt::Kernel &kernel, const rt::LaunchConfig &config,
                            rt::KernelArgs &args) {
  return rt::launchKernel(kernel, config, args, stream_->handle());
}

StatusOr<rt::DeviceBuffer> BenchSession::allocate(size_t bytes) {
  return allocator_->allocate(bytes);
}

Status BenchSession::fillRandom(uint64_t address, size_t count, ElementType type,
                                uint32_t seed, float scale) {
  rt::KernelArgs args;
  args.add(address).add(static_cast<unsigned long long>(count)).add(seed).add(scale)
      .add(static_cast<int>(type));
  rt::LaunchConfig config;
  config.block.x = 256;
  config.grid.x = static_cast<unsigned>(std::clamp<size_t>((count + 255) / 256, 1, 65536));
  return launch(*fillKernel_.kernel, config, args);
}

StatusOr<rt::DeviceBuffer> BenchSession::randomBuffer(size_t count, ElementType type,
                                                      uint32_t seed, float scale) {
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer buffer, allocate(count * elementBytes(type)));
  LOOM_RETURN_IF_ERROR(fillRandom(buffer.address(), count, type, seed, scale));
  return buffer;
}

int BenchSession::rotationCopies(size_t bytes) const {
  size_t l2 = static_cast<size_t>(std::max(context_->info().l2CacheBytes, 1 << 20));
  return static_cast<int>(std::max<size_t>(1, (4 * l2 + bytes - 1) / bytes));
}

StatusOr<double> BenchSession::medianMilliseconds(const std::function<Status(int)> &run) {
  LOOM_ASSIGN_OR_RETURN(std::unique_ptr<rt::Event> start, rt::Event::create(*context_));
  LOOM_ASSIGN_OR_RETURN(std::unique_ptr<rt::Event> stop, rt::Event::create(*context_));
  int iteration = 0;
  for (int i = 0; i < options_.warmup; ++i)
    LOOM_RETURN_IF_ERROR(run(iteration++));
  auto sample = [&](int runs) -> StatusOr<double> {
    LOOM_RETURN_IF_ERROR(start->record(*stream_));
    for (int i = 0; i < runs; ++i)
      LOOM_RETURN_IF_ERROR(run(iteration++));
    LOOM_RETURN_IF_ERROR(stop->record(*stream_));
    LOOM_RETURN_IF_ERROR(stop->synchronize());
    LOOM_ASSIGN_OR_RETURN(float milliseconds, stop->millisecondsSince(*start));
    return double(milliseconds) / runs;
  };
  LOOM_ASSIGN_OR_RETURN(double estimate, sample(1));
  int runsPerSample = static_cast<int>(
      std::clamp(std::ceil(options_.minSampleMs / std::max(estimate, 1e-4)), 1.0, 1000.0));
  std::vector<double> samples;
  for (int i = 0; i < std::max(options_.repeats, 1); ++i) {
    LOOM_ASSIGN_OR_RETURN(double milliseconds, sample(runsPerSample));
    samples.push_back(milliseconds);
  }
  return median(std::move(samples));
}

StatusOr<std::vector<std::vector<double>>> BenchSession::interleavedMilliseconds(
    const std::vector<std::function<Status(int)>> &runs, int rounds) {
  std::vector<std::vector<double>> times(runs.size());
  for (int round = 0; round < rounds; ++round)
    for (size_t i = 0; i < runs.size(); ++i) {
      LOOM_ASSIGN_OR_RETURN(double milliseconds, medianMilliseconds(runs[i]));
      times[i].push_back(milliseconds);
    }
  return times;
}

double median(std::vector<double> values) {
  if (values.empty())
    return 0;
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

std::string perRoundSpeedup(const std::vector<double> &reference,
                            const std::vector<double> &candidate) {
  std::vector<double> ratios;
  for (size_t round = 0; round < reference.size() && round < candidate.size(); ++round)
    ratios.push_back(reference[round] / candidate[round]);
  if (ratios.empty())
    return "not measured";
  auto [least, most] = std::minmax_element(ratios.begin(), ratios.end());
  return fmt::format("median {:.3f} (min {:.3f}, max {:.3f})", median(ratios), *least, *most);
}

Status BenchSession::measureCopyBandwidth() {
  constexpr size_t kBytes = size_t(1) << 30;
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer source, randomBuffer(kBytes / 2, ElementType::kBf16, 1));
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer target, allocate(kBytes));
  LOOM_ASSIGN_OR_RETURN(double milliseconds, medianMilliseconds([&](int) {
    return stream_->copyDeviceToDevice(target.address(), source.address(), kBytes);
  }));
  copyBytesPerSecond_ = 2.0 * kBytes / (milliseconds * 1e-3);
  report({"roofline", "copy", "1 GiB device-to-device (read + write)", milliseconds, 0,
          2.0 * kBytes, "", 0, "cuMemcpyDtoDAsync; the bandwidth every % of copy refers to"});
  return Status::ok();
}

void BenchSession::report(BenchResult result) { results_.push_back(std::move(result)); }

} // namespace loom::bench
