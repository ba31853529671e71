// DeviceTiming: event pairs, medians, the copy roofline.
#include "tools/loom-run/DeviceTiming.h"

#include "runtime/CUDA/CudaMemory.h"

#include <algorithm>
#include <vector>

namespace loom::tools {

StatusOr<double> medianMilliseconds(const rt::Context &context, const rt::Stream &stream,
                                    const std::function<Status()> &work, int warmup, int repeats) {
  for (int i = 0; i < warmup; ++i)
    LOOM_RETURN_IF_ERROR(work());
  LOOM_ASSIGN_OR_RETURN(auto start, rt::Event::create(context));
  LOOM_ASSIGN_OR_RETURN(auto end, rt::Event::create(context));
  std::vector<double> samples;
  for (int i = 0; i < std::max(repeats, 1); ++i) {
    LOOM_RETURN_IF_ERROR(start->record(stream));
    LOOM_RETURN_IF_ERROR(work());
    LOOM_RETURN_IF_ERROR(end->record(stream));
    LOOM_RETURN_IF_ERROR(end->synchronize());
    LOOM_ASSIGN_OR_RETURN(float milliseconds, end->millisecondsSince(*start));
    samples.push_back(milliseconds);
  }
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return samples[samples.size() / 2];
}

StatusOr<double> measureCopyBandwidth(const rt::Context &context, const rt::Stream &stream) {
  constexpr size_t kBytes = size_t{1} << 30;
  rt::CudaMemoryBackend memory(context);
  rt::DeviceAllocator allocator(memory); // gives both buffers back when it goes
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer source, allocator.allocate(kBytes));
  LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer target, allocator.allocate(kBytes));
  LOOM_RETURN_IF_ERROR(stream.fill(source.address(), 0x3c, kBytes));
  LOOM_ASSIGN_OR_RETURN(double milliseconds, medianMilliseconds(context, stream, [&] {
    return stream.copyDeviceToDevice(target.address(), source.address(), kBytes);
  }, 3, 10));
  LOOM_RETURN_IF_ERROR(stream.synchronize());
  return 2.0 * static_cast<double>(kBytes) / (milliseconds * 1e-3);
}

} // namespace loom::tools
