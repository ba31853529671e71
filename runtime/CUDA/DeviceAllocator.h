// DeviceAllocator: a caching allocator of device memory with size classes, reuse,
// free-cached-and-retry on out-of-memory, and statistics. Independent of the driver
// (it talks to a DeviceMemoryBackend) so its policy is tested on the CPU.
#pragma once

#include "runtime/CUDA/SizeClass.h"
#include "runtime/Support/Status.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace loom::rt {

/// Where blocks really come from: cuMemAlloc/cuMemFree, or a fake in tests.
class DeviceMemoryBackend {
public:
  virtual ~DeviceMemoryBackend() = default;
  /// kOutOfMemory when the device is full; other codes are passed through.
  virtual StatusOr<uint64_t> allocate(size_t bytes) = 0;
  virtual void release(uint64_t address, size_t bytes) = 0;
};

struct AllocatorStats {
  size_t bytesInUse = 0;     ///< block bytes handed out and not yet freed
  size_t bytesCached = 0;    ///< block bytes freed and kept for reuse
  size_t peakBytesInUse = 0;
  uint64_t hits = 0;         ///< requests served from the cache
  uint64_t misses = 0;       ///< requests that went to the backend
  uint64_t oomRetries = 0;   ///< backend OOMs answered by freeing the cache and retrying
};

class DeviceAllocator;

/// A block from a DeviceAllocator, returned to its cache on destruction. Move-only.
class DeviceBuffer {
public:
  DeviceBuffer() = default;
  DeviceBuffer(DeviceBuffer &&other) noexcept { *this = std::move(other); }
  DeviceBuffer &operator=(DeviceBuffer &&other) noexcept;
  ~DeviceBuffer() { reset(); }

  uint64_t address() const { return address_; }
  size_t size() const { return size_; }       ///< bytes requested
  size_t capacity() const { return capacity_; } ///< bytes of the block (its size class)
  /// Returns the block to the allocator now.
  void reset();

private:
  friend class DeviceAllocator;
  DeviceBuffer(DeviceAllocator *owner, uint64_t address, size_t size, size_t capacity)
      : owner_(owner), address_(address), size_(size), capacity_(capacity) {}
  DeviceAllocator *owner_ = nullptr;
  uint64_t address_ = 0;
  size_t size_ = 0, capacity_ = 0;
};

/// Thread-safe. A freed block is reusable at once, so callers free a buffer only after the
/// work using it is ordered before later users (same stream, or synchronized).
class DeviceAllocator {
public:
  explicit DeviceAllocator(DeviceMemoryBackend &backend) : backend_(backend) {}
  ~DeviceAllocator();
  DeviceAllocator(const DeviceAllocator &) = delete;
  DeviceAllocator &operator=(const DeviceAllocator &) = delete;

  /// A cached block of the request's size class, else a new one; on backend OOM frees every
  /// cached block and tries once more. kOutOfMemory says what was asked and what is held.
  StatusOr<DeviceBuffer> allocate(size_t bytes);
  /// Gives every cached block back to the backend.
  void releaseCached();
  AllocatorStats stats() const;

private:
  friend class DeviceBuffer;
  void free(uint64_t address, size_t capacity);
  void releaseCachedLocked();

  DeviceMemoryBackend &backend_;
  mutable std::mutex mutex_;
  std::map<size_t, std::vector<uint64_t>> cached_; ///< size class -> free blocks
  AllocatorStats stats_;
};

} // namespace loom::rt
