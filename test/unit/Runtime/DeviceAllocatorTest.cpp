// The caching allocator's policy against a fake device: size classes, reuse, statistics,
// and free-cached-and-retry on out-of-memory.
#include "runtime/CUDA/DeviceAllocator.h"

#include <gtest/gtest.h>

#include <set>

namespace loom::rt {
namespace {

constexpr size_t kMiB = size_t(1) << 20;

TEST(SizeClassTest, RoundsSmallRequestsTo512Bytes) {
  EXPECT_EQ(sizeClass(0), 512u);
  EXPECT_EQ(sizeClass(1), 512u);
  EXPECT_EQ(sizeClass(512), 512u);
  EXPECT_EQ(sizeClass(513), 1024u);
  EXPECT_EQ(sizeClass(1000 * 1000), 1000448u);
  EXPECT_EQ(sizeClass(kMiB), kMiB);
}

TEST(SizeClassTest, UsesFourClassesPerPowerOfTwoAboveOneMiB) {
  EXPECT_EQ(sizeClass(kMiB + 1), kMiB + kMiB / 4);
  EXPECT_EQ(sizeClass(2 * kMiB), 2 * kMiB);
  EXPECT_EQ(sizeClass(2 * kMiB + 1), 2 * kMiB + kMiB / 2);
  EXPECT_EQ(sizeClass(3 * kMiB), 3 * kMiB);
  EXPECT_EQ(sizeClass(3 * kMiB + 1), 3 * kMiB + kMiB / 2);
  EXPECT_EQ(sizeClass(1000 * kMiB), 1024 * kMiB);
}

TEST(SizeClassTest, ClassesCoverTheRequestWastingAtMostAQuarter) {
  size_t previous = 0;
  for (size_t bytes = 1; bytes < (size_t(1) << 34); bytes = bytes * 5 / 4 + 3) {
    size_t block = sizeClass(bytes);
    EXPECT_GE(block, bytes);
    EXPECT_GE(block, previous) << "monotonic";
    if (bytes > kMiB) {
      EXPECT_LE(block - bytes, bytes / 4) << bytes;
    }
    EXPECT_EQ(sizeClass(block), block) << "a class is its own class";
    previous = block;
  }
}

/// A device of `capacity` bytes with bump addresses; records every call.
class FakeDevice final : public DeviceMemoryBackend {
public:
  explicit FakeDevice(size_t capacity) : capacity_(capacity) {}
  StatusOr<uint64_t> allocate(size_t bytes) override {
    ++allocations;
    if (used + bytes > capacity_)
      return Status(StatusCode::kOutOfMemory, "fake device is full");
    used += bytes;
    uint64_t address = next_;
    next_ += bytes;
    live.insert(address);
    return address;
  }
  void release(uint64_t address, size_t bytes) override {
    ++releases;
    used -= bytes;
    live.erase(address);
  }
  size_t used = 0;
  int allocations = 0, releases = 0;
  std::set<uint64_t> live;

private:
  size_t capacity_;
  uint64_t next_ = 0x10000;
};

TEST(DeviceAllocatorTest, ReusesAFreedBlockOfTheSameClass) {
  FakeDevice device(64 * kMiB);
  DeviceAllocator allocator(device);
  uint64_t first;
  {
    StatusOr<DeviceBuffer> buffer = allocator.allocate(3000);
    ASSERT_TRUE(buffer.isOk());
    first = buffer->address();
    EXPECT_EQ(buffer->size(), 3000u);
    EXPECT_EQ(buffer->capacity(), 3072u);
  }
  StatusOr<DeviceBuffer> again = allocator.allocate(2600); // same 3072-byte class
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(again->address(), first);
  StatusOr<DeviceBuffer> other = allocator.allocate(5000); // different class: new block
  ASSERT_TRUE(other.isOk());
  EXPECT_NE(other->address(), first);
  AllocatorStats stats = allocator.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(device.allocations, 2);
}

TEST(DeviceAllocatorTest, TracksInUseCachedAndPeakBytes) {
  FakeDevice device(64 * kMiB);
  DeviceAllocator allocator(device);
  {
    DeviceBuffer a = std::move(allocator.allocate(kMiB)).value();
    DeviceBuffer b = std::move(allocator.allocate(2 * kMiB)).value();
    EXPECT_EQ(allocator.stats().bytesInUse, 3 * kMiB);
    a.reset();
    EXPECT_EQ(allocator.stats().bytesInUse, 2 * kMiB);
    EXPECT_EQ(allocator.stats().bytesCached, kMiB);
  }
  AllocatorStats stats = allocator.stats();
  EXPECT_EQ(stats.bytesInUse, 0u);
  EXPECT_EQ(stats.bytesCached, 3 * kMiB);
  EXPECT_EQ(stats.peakBytesInUse, 3 * kMiB);
  EXPECT_EQ(device.used, 3 * kMiB) << "cached blocks stay allocated on the device";
  allocator.releaseCached();
  EXPECT_EQ(device.used, 0u);
  EXPECT_EQ(allocator.stats().bytesCached, 0u);
}

TEST(DeviceAllocatorTest, FreesTheCacheAndRetriesOnOutOfMemory) {
  FakeDevice device(8 * kMiB);
  DeviceAllocator allocator(device);
  {
    DeviceBuffer a = std::move(allocator.allocate(3 * kMiB)).value();
    DeviceBuffer b = std::move(allocator.allocate(3 * kMiB)).value();
  } // 6 MiB cached, 2 MiB free on the device
  StatusOr<DeviceBuffer> big = allocator.allocate(5 * kMiB);
  ASSERT_TRUE(big.isOk()) << big.status().toString();
  AllocatorStats stats = allocator.stats();
  EXPECT_EQ(stats.oomRetries, 1u);
  EXPECT_EQ(stats.bytesCached, 0u);
  EXPECT_EQ(stats.bytesInUse, 5 * kMiB);
  EXPECT_EQ(device.used, 5 * kMiB);
}

TEST(DeviceAllocatorTest, ReportsOutOfMemoryWithTheNumbers) {
  FakeDevice device(4 * kMiB);
  DeviceAllocator allocator(device);
  DeviceBuffer held = std::move(allocator.allocate(3 * kMiB)).value();
  StatusOr<DeviceBuffer> failed = allocator.allocate(2 * kMiB);
  ASSERT_FALSE(failed.isOk());
  EXPECT_EQ(failed.status().code(), StatusCode::kOutOfMemory);
  const std::string &message = failed.status().message();
  EXPECT_NE(message.find("cannot allocate 2097152 bytes"), std::string::npos) << message;
  EXPECT_NE(message.find("3145728 in use"), std::string::npos) << message;
  EXPECT_NE(message.find("fake device is full"), std::string::npos) << message;
  EXPECT_EQ(allocator.stats().oomRetries, 0u) << "nothing cached, nothing to retry with";
}

TEST(DeviceAllocatorTest, MovedBufferIsFreedOnce) {
  FakeDevice device(4 * kMiB);
  DeviceAllocator allocator(device);
  DeviceBuffer moved;
  {
    DeviceBuffer original = std::move(allocator.allocate(1000)).value();
    moved = std::move(original);
    EXPECT_EQ(original.address(), 0u);
  }
  EXPECT_EQ(allocator.stats().bytesInUse, 1024u);
  moved.reset();
  EXPECT_EQ(allocator.stats().bytesInUse, 0u);
  EXPECT_EQ(allocator.stats().bytesCached, 1024u);
}

} // namespace
} // namespace loom::rt
