// Size classes of the caching device allocator.
#pragma once

#include <cstddef>

namespace loom::rt {

/// Smallest block the allocator hands out; also the alignment granule below 1 MiB.
inline constexpr size_t kMinBlockBytes = 512;
inline constexpr size_t kSmallLimitBytes = size_t(1) << 20;

/// The block size used for a request of `bytes`: up to 1 MiB, the next multiple of 512;
/// above, four classes per power of two (step = 2^(floor(log2(bytes-1)) - 2)), so at most
/// 25% is wasted and requests of similar size share cached blocks.
constexpr size_t sizeClass(size_t bytes) {
  if (bytes <= kMinBlockBytes)
    return kMinBlockBytes;
  if (bytes <= kSmallLimitBytes)
    return (bytes + kMinBlockBytes - 1) / kMinBlockBytes * kMinBlockBytes;
  int log2 = 0;
  for (size_t rest = bytes - 1; rest > 1; rest >>= 1)
    ++log2;
  size_t step = size_t(1) << (log2 - 2);
  return (bytes + step - 1) / step * step;
}

} // namespace loom::rt
