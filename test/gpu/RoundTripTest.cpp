// Compile -> load -> launch round trips checked against CPU results on random inputs.
#include "GpuTestSupport.h"
#include "runtime/CUDA/CudaMemory.h"
#include "test/unit/Runtime/TestKernels.h"

#include <cmath>

namespace loom::testing {
namespace {

using namespace loom::rt;

class RoundTripTest : public GpuTest {};

TEST_F(RoundTripTest, SaxpyWithBf16HelpersMatchesCpu) {
  StatusOr<LoadedKernel> saxpy = compileAndLoad("saxpy", kSaxpySource);
  ASSERT_TRUE(saxpy.isOk()) << saxpy.status().toString();
  constexpr int n = 100003; // not a multiple of the block
  std::vector<float> x = randomFloats(n, 1), y = randomFloats(n, 2);
  const float a = 1.7f;

  CudaMemoryBackend backend(*context_);
  DeviceAllocator allocator(backend);
  auto xDev = allocator.allocate(n * sizeof(float));
  auto yDev = allocator.allocate(n * sizeof(float));
  auto roundedDev = allocator.allocate(n * sizeof(float));
  auto packedDev = allocator.allocate(n * sizeof(uint32_t));
  ASSERT_TRUE(xDev.isOk() && yDev.isOk() && roundedDev.isOk() && packedDev.isOk());
  auto pinned = PinnedHostBuffer::allocate(*context_, 4 * n * sizeof(float));
  ASSERT_TRUE(pinned.isOk()) << pinned.status().toString();
  float *host = pinned->as<float>();
  std::copy(x.begin(), x.end(), host);
  std::copy(y.begin(), y.end(), host + n);

  ASSERT_TRUE(stream_->copyToDevice(xDev->address(), host, n * sizeof(float)).isOk());
  ASSERT_TRUE(stream_->copyToDevice(yDev->address(), host + n, n * sizeof(float)).isOk());
  KernelArgs args;
  args.add(xDev->address()).add(yDev->address()).add(roundedDev->address())
      .add(packedDev->address()).add(a).add(n);
  LaunchConfig config{{(n + 255) / 256, 1, 1}, {256, 1, 1}, 0};
  Status launched = launchKernel(*saxpy->kernel, config, args, stream_->handle());
  ASSERT_TRUE(launched.isOk()) << launched.toString();
  std::vector<float> yOut(n), rounded(n);
  std::vector<uint32_t> packed(n);
  ASSERT_TRUE(stream_->copyToHost(host + 2 * n, yDev->address(), n * sizeof(float)).isOk());
  ASSERT_TRUE(stream_->copyToHost(yOut.data(), yDev->address(), n * sizeof(float)).isOk());
  ASSERT_TRUE(stream_->copyToHost(rounded.data(), roundedDev->address(), n * 4).isOk());
  ASSERT_TRUE(stream_->copyToHost(packed.data(), packedDev->address(), n * 4).isOk());
  ASSERT_TRUE(stream_->synchronize().isOk());

  int mismatches = 0;
  for (int i = 0; i < n; ++i) {
    float expected = a * x[i] + y[i];
    if (std::fabs(yOut[i] - expected) > 1e-6f * std::fabs(expected) + 1e-7f)
      ++mismatches;
    // The device bf16 conversions are exact functions of the device result.
    EXPECT_EQ(rounded[i], bf16ToFloat(bf16Bits(yOut[i]))) << i;
    EXPECT_EQ(packed[i], uint32_t(bf16Bits(yOut[i])) << 16 | bf16Bits(x[i])) << i;
    if (HasFailure())
      break;
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(std::memcmp(host + 2 * n, yOut.data(), n * sizeof(float)), 0)
      << "pinned and pageable copies agree";
}

/// Reverses each block's slice through `extern __shared__` memory sized at launch.
constexpr const char *kReverseSource = R"cuda(
extern "C" __global__ void reverse_blocks(const float *in, float *out, int perBlock) {
  extern __shared__ float tile[];
  const float *src = in + (size_t)blockIdx.x * perBlock;
  for (int i = threadIdx.x; i < perBlock; i += blockDim.x) tile[i] = src[i];
  __syncthreads();
  float *dst = out + (size_t)blockIdx.x * perBlock;
  for (int i = threadIdx.x; i < perBlock; i += blockDim.x) dst[i] = tile[perBlock - 1 - i];
}
)cuda";

TEST_F(RoundTripTest, DynamicSharedMemoryAbove48KiBIsOptedIn) {
  StatusOr<LoadedKernel> reverse = compileAndLoad("reverse_blocks", kReverseSource);
  ASSERT_TRUE(reverse.isOk()) << reverse.status().toString();
  const int optin = context_->info().maxSharedBytesPerBlockOptin;
  ASSERT_GT(optin, 48 * 1024) << "every sm_80+ GPU allows more than 48 KiB";
  const int perBlock = (optin / 4) & ~255; // as much as the device allows
  const int blocks = 3;
  std::vector<float> in = randomFloats(size_t(perBlock) * blocks, 3);

  CudaMemoryBackend backend(*context_);
  DeviceAllocator allocator(backend);
  auto inDev = allocator.allocate(in.size() * 4);
  auto outDev = allocator.allocate(in.size() * 4);
  ASSERT_TRUE(inDev.isOk() && outDev.isOk());
  ASSERT_TRUE(stream_->copyToDevice(inDev->address(), in.data(), in.size() * 4).isOk());
  KernelArgs args;
  args.add(inDev->address()).add(outDev->address()).add(perBlock);
  LaunchConfig config{{blocks, 1, 1}, {256, 1, 1}, unsigned(perBlock * 4)};
  Status launched = launchKernel(*reverse->kernel, config, args, stream_->handle());
  ASSERT_TRUE(launched.isOk()) << launched.toString();
  std::vector<float> out(in.size());
  ASSERT_TRUE(stream_->copyToHost(out.data(), outDev->address(), out.size() * 4).isOk());
  ASSERT_TRUE(stream_->synchronize().isOk());
  for (int b = 0; b < blocks; ++b)
    for (int i = 0; i < perBlock; ++i)
      ASSERT_EQ(out[size_t(b) * perBlock + i], in[size_t(b) * perBlock + perBlock - 1 - i]);

  StatusOr<int> resident = reverse->kernel->maxActiveBlocksPerMultiprocessor(256, perBlock * 4);
  ASSERT_TRUE(resident.isOk()) << resident.status().toString();
  EXPECT_EQ(*resident, 1) << "a block using all opt-in shared memory fills an SM";
  StatusOr<int> small = reverse->kernel->maxActiveBlocksPerMultiprocessor(256, 1024);
  ASSERT_TRUE(small.isOk());
  EXPECT_GT(*small, 1);
}

TEST_F(RoundTripTest, DeviceInfoDescribesTheGpu) {
  const DeviceInfo &info = context_->info();
  EXPECT_FALSE(info.name.empty());
  EXPECT_GE(info.major, 8);
  EXPECT_GT(info.multiprocessors, 0);
  EXPECT_GT(info.totalMemoryBytes, size_t(1) << 30);
  EXPECT_EQ(info.maxThreadsPerBlock, 1024);
}

} // namespace
} // namespace loom::testing
