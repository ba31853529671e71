// Caching allocator policy.
#include "runtime/CUDA/DeviceAllocator.h"

#include <fmt/format.h>

#include <algorithm>

namespace loom::rt {

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&other) noexcept {
  if (this != &other) {
    reset();
    owner_ = std::exchange(other.owner_, nullptr);
    address_ = std::exchange(other.address_, 0);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

void DeviceBuffer::reset() {
  if (owner_)
    owner_->free(address_, capacity_);
  owner_ = nullptr;
  address_ = 0;
  size_ = capacity_ = 0;
}

DeviceAllocator::~DeviceAllocator() { releaseCached(); }

StatusOr<DeviceBuffer> DeviceAllocator::allocate(size_t bytes) {
  size_t capacity = sizeClass(bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  auto noteInUse = [&] {
    stats_.bytesInUse += capacity;
    stats_.peakBytesInUse = std::max(stats_.peakBytesInUse, stats_.bytesInUse);
  };
  if (auto found = cached_.find(capacity); found != cached_.end() && !found->second.empty()) {
    uint64_t address = found->second.back();
    found->second.pop_back();
    stats_.bytesCached -= capacity;
    ++stats_.hits;
    noteInUse();
    return DeviceBuffer(this, address, bytes, capacity);
  }
  ++stats_.misses;
  StatusOr<uint64_t> address = backend_.allocate(capacity);
  if (!address.isOk() && address.status().code() == StatusCode::kOutOfMemory &&
      stats_.bytesCached > 0) {
    ++stats_.oomRetries;
    releaseCachedLocked();
    address = backend_.allocate(capacity);
  }
  if (!address.isOk())
    return Status(address.status().code(),
                  fmt::format("cannot allocate {} bytes of device memory (block {}; {} in "
                              "use, {} cached): {}",
                              bytes, capacity, stats_.bytesInUse, stats_.bytesCached,
                              address.status().message()));
  noteInUse();
  return DeviceBuffer(this, *address, bytes, capacity);
}

void DeviceAllocator::free(uint64_t address, size_t capacity) {
  std::lock_guard<std::mutex> lock(mutex_);
  cached_[capacity].push_back(address);
  stats_.bytesInUse -= capacity;
  stats_.bytesCached += capacity;
}

void DeviceAllocator::releaseCached() {
  std::lock_guard<std::mutex> lock(mutex_);
  releaseCachedLocked();
}

void DeviceAllocator::releaseCachedLocked() {
  for (auto &[capacity, blocks] : cached_)
    for (uint64_t address : blocks)
      backend_.release(address, capacity);
  cached_.clear();
  stats_.bytesCached = 0;
}

AllocatorStats DeviceAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

} // namespace loom::rt
