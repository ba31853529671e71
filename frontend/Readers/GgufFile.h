// A GGUF v3 file (llama.cpp's model format): validated header, metadata, tensor table.
#pragma once

#include "frontend/Readers/GgufMetadata.h"
#include "frontend/Readers/GgufTensorType.h"
#include "frontend/Readers/MappedFile.h"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loom::frontend {

/// One entry of the tensor table.
struct GgufTensorInfo {
  std::string name;
  /// Row-major shape: GGUF lists dims fastest-first (ne[0] is the row length), so
  /// this is that list reversed, matching the Hugging Face / PyTorch layout.
  std::vector<int64_t> shape;
  const GgufTensorType *type = nullptr;
  uint64_t offset = 0; ///< from the start of the data section; a multiple of the alignment
  uint64_t bytes = 0;
  int64_t numElements = 0;
};

/// A parsed GGUF file. `open` memory-maps the file; every count, length, type and
/// tensor placement is checked before use, so a malformed file is an error, never a crash.
///
/// Layout: "GGUF", u32 version (3), u64 tensor count, u64 metadata count, the metadata
/// (string key, u32 value type, value), the tensor infos (string name, u32 dim count,
/// u64 dims, u32 ggml type, u64 offset), padding to `general.alignment` (default 32),
/// then the data section. Strings are a u64 byte length and the bytes; little-endian.
class GgufFile {
public:
  static StatusOr<GgufFile> open(const std::string &path);
  /// Parses `bytes`, which the caller keeps alive while the result is used;
  /// `source` names them in errors.
  static StatusOr<GgufFile> parse(std::span<const uint8_t> bytes, std::string source);

  const std::string &source() const { return metadata_.source(); }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  /// Where the data section starts in the file.
  uint64_t dataOffset() const { return dataOffset_; }
  const GgufMetadata &metadata() const { return metadata_; }
  const std::vector<GgufTensorInfo> &tensors() const { return tensors_; }
  /// The tensor called `name`, or nullptr.
  const GgufTensorInfo *findTensor(std::string_view name) const;

  /// The stored (possibly quantized) bytes of `tensor`, which must belong to this file.
  std::span<const uint8_t> tensorBytes(const GgufTensorInfo &tensor) const;
  /// The values of `tensor` as f32, in row-major order; a type Loom cannot
  /// dequantize is an error naming the tensor and the type.
  StatusOr<std::vector<float>> dequantize(const GgufTensorInfo &tensor) const;

private:
  class Parser;
  GgufFile() = default;

  MappedFile file_; ///< empty when parsed from caller-owned bytes
  std::span<const uint8_t> bytes_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t dataOffset_ = 0;
  GgufMetadata metadata_;
  std::vector<GgufTensorInfo> tensors_;
  std::map<std::string, size_t, std::less<>> tensorIndex_;
};

} // namespace loom::frontend
