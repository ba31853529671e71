// The caching allocator on the real device: reuse, statistics, data integrity, OOM as Status.
#include "GpuTestSupport.h"
#include "runtime/CUDA/CudaMemory.h"

namespace loom::testing {
namespace {

using namespace loom::rt;

class AllocatorGpuTest : public GpuTest {};

TEST_F(AllocatorGpuTest, FreedBlockIsReusedAndHoldsNewData) {
  CudaMemoryBackend backend(*context_);
  DeviceAllocator allocator(backend);
  constexpr size_t bytes = 3 << 20;
  uint64_t first;
  {
    auto buffer = allocator.allocate(bytes);
    ASSERT_TRUE(buffer.isOk()) << buffer.status().toString();
    first = buffer->address();
    ASSERT_TRUE(stream_->fill(first, 0xab, bytes).isOk());
    ASSERT_TRUE(stream_->synchronize().isOk());
  }
  EXPECT_EQ(allocator.stats().bytesCached, sizeClass(bytes));
  auto again = allocator.allocate(bytes - 1000);
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(again->address(), first);
  EXPECT_EQ(allocator.stats().hits, 1u);
  EXPECT_EQ(allocator.stats().misses, 1u);

  std::vector<float> data = randomFloats(again->size() / sizeof(float), 11);
  ASSERT_TRUE(copyToDeviceSync(*context_, again->address(), data.data(), data.size() * 4).isOk());
  std::vector<float> back(data.size());
  ASSERT_TRUE(copyToHostSync(*context_, back.data(), again->address(), back.size() * 4).isOk());
  EXPECT_EQ(back, data);
  // The fill of the first use is gone where the new data landed, and still there past it.
  unsigned char tail[4] = {};
  ASSERT_TRUE(copyToHostSync(*context_, tail, again->address() + data.size() * 4, 4).isOk());
  for (unsigned char byte : tail)
    EXPECT_EQ(byte, 0xab);
}

TEST_F(AllocatorGpuTest, ImpossibleAllocationIsOutOfMemoryStatus) {
  CudaMemoryBackend backend(*context_);
  DeviceAllocator allocator(backend);
  auto held = allocator.allocate(1 << 20);
  ASSERT_TRUE(held.isOk());
  held->reset(); // cached: the failed request first frees it, then retries
  auto huge = allocator.allocate(context_->info().totalMemoryBytes * 4);
  ASSERT_FALSE(huge.isOk());
  EXPECT_EQ(huge.status().code(), StatusCode::kOutOfMemory) << huge.status().toString();
  EXPECT_NE(huge.status().message().find("CUDA_ERROR_OUT_OF_MEMORY"), std::string::npos);
  EXPECT_EQ(allocator.stats().oomRetries, 1u);
  EXPECT_EQ(allocator.stats().bytesCached, 0u);
  // The device is still fine.
  auto small = allocator.allocate(4096);
  ASSERT_TRUE(small.isOk()) << small.status().toString();
}

TEST_F(AllocatorGpuTest, PeakTracksConcurrentBuffers) {
  CudaMemoryBackend backend(*context_);
  DeviceAllocator allocator(backend);
  {
    std::vector<DeviceBuffer> buffers;
    for (int i = 0; i < 4; ++i)
      buffers.push_back(std::move(allocator.allocate(1 << 20)).value());
  }
  AllocatorStats stats = allocator.stats();
  EXPECT_EQ(stats.peakBytesInUse, 4u << 20);
  EXPECT_EQ(stats.bytesInUse, 0u);
  EXPECT_EQ(stats.bytesCached, 4u << 20);
}

} // namespace
} // namespace loom::testing
