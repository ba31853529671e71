// Hashing: SHA-256 for content-addressed cache keys; fast checksums for cache entry integrity.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace loom {

/// Incremental SHA-256 (FIPS 180-4). `update` any number of times, then `hexDigest` once.
class Sha256 {
public:
  Sha256();
  void update(const void *data, size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  /// Hashes the length first, so ("ab","c") and ("a","bc") give different digests.
  void updateField(std::string_view field);
  std::array<uint8_t, 32> digest();
  /// 64 lowercase hex characters.
  std::string hexDigest();

private:
  void compress(const uint8_t *block);
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t totalBytes_ = 0;
  bool finished_ = false;
};

/// SHA-256 of `text` as 64 hex characters.
std::string sha256Hex(std::string_view text);

/// SplitMix64's output function: a well-mixed 64-bit value of `z`. Counter-based generators
/// call it on `seed + i * 0x9e3779b97f4a7c15` (the SplitMix64 stream), hashes on any value.
inline uint64_t splitMix64Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// 64-bit FNV-1a; fast, used to detect corrupted cache entries, not for security.
uint64_t fnv1a64(const void *data, size_t size, uint64_t seed = 0xcbf29ce484222325ULL);

/// 64-bit checksum over 8-byte words (xxHash64-style rounds, ~10 GB/s); detects corrupted or
/// truncated cache entries, not adversarial changes.
uint64_t checksum64(const void *data, size_t size);

} // namespace loom
