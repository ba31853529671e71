// Test helpers: write GGUF files (header, every metadata type, tensor table, data) in memory
// and parse them back.
#pragma once

#include "frontend/Readers/GgufFile.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loom::frontend::testing {

/// Builds the bytes of a GGUF file. Fields are public so tests can break them.
class GgufWriter {
public:
  std::string magic = "GGUF";
  uint32_t version = 3;
  uint64_t alignment = 32; ///< layout only; add "general.alignment" to declare another

  /// A scalar of type `type` whose little-endian bytes are those of `value`.
  template <typename T> void scalar(std::string_view key, uint32_t type, T value) {
    key_(key, type);
    pod(metadata_, value);
  }
  void string(std::string_view key, std::string_view value) {
    key_(key, 8);
    str(metadata_, value);
  }
  template <typename T>
  void array(std::string_view key, uint32_t elementType, const std::vector<T> &values) {
    arrayHeader(key, elementType, values.size());
    for (const T &value : values)
      pod(metadata_, value);
  }
  void strings(std::string_view key, const std::vector<std::string> &values) {
    arrayHeader(key, 8, values.size());
    for (const std::string &value : values)
      str(metadata_, value);
  }
  /// Appends raw bytes to the metadata section (for malformed entries).
  void rawMetadata(std::string_view bytes, uint64_t entries) {
    metadata_.append(bytes);
    metadataCount_ += entries;
  }

  /// A tensor with GGUF dims (fastest first), ggml type and stored bytes; placed at the
  /// next aligned offset unless `offset` is given. Empty `data` writes only the table entry.
  void tensor(std::string_view name, std::vector<uint64_t> dims, uint32_t type, std::string data,
              std::optional<uint64_t> offset = std::nullopt) {
    uint64_t at = offset ? *offset : nextOffset_;
    tensors_.push_back({std::string(name), std::move(dims), type, at, std::move(data)});
    uint64_t end = at + tensors_.back().data.size();
    nextOffset_ = std::max(nextOffset_, (end + alignment - 1) / alignment * alignment);
  }

  std::string bytes() const {
    std::string out = magic;
    pod(out, version);
    pod(out, static_cast<uint64_t>(tensors_.size()));
    pod(out, metadataCount_);
    out += metadata_;
    for (const Tensor &tensor : tensors_) {
      str(out, tensor.name);
      pod(out, static_cast<uint32_t>(tensor.dims.size()));
      for (uint64_t dim : tensor.dims)
        pod(out, dim);
      pod(out, tensor.type);
      pod(out, tensor.offset);
    }
    out.resize((out.size() + alignment - 1) / alignment * alignment, '\0');
    size_t dataStart = out.size();
    for (const Tensor &tensor : tensors_) {
      if (tensor.data.empty())
        continue;
      if (out.size() < dataStart + tensor.offset + tensor.data.size())
        out.resize(dataStart + tensor.offset + tensor.data.size(), '\0');
      std::memcpy(out.data() + dataStart + tensor.offset, tensor.data.data(), tensor.data.size());
    }
    return out;
  }

  template <typename T> static void pod(std::string &out, T value) {
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    out.append(raw, sizeof(T));
  }
  static void str(std::string &out, std::string_view text) {
    pod(out, static_cast<uint64_t>(text.size()));
    out.append(text);
  }

private:
  struct Tensor {
    std::string name;
    std::vector<uint64_t> dims;
    uint32_t type;
    uint64_t offset;
    std::string data;
  };
  void key_(std::string_view key, uint32_t type) {
    str(metadata_, key);
    pod(metadata_, type);
    ++metadataCount_;
  }
  void arrayHeader(std::string_view key, uint32_t elementType, uint64_t count) {
    key_(key, 9);
    pod(metadata_, elementType);
    pod(metadata_, count);
  }

  std::string metadata_;
  uint64_t metadataCount_ = 0;
  std::vector<Tensor> tensors_;
  uint64_t nextOffset_ = 0;
};

/// The little-endian bytes of `values`.
template <typename T> std::string rawBytes(const std::vector<T> &values) {
  std::string out;
  for (const T &value : values)
    GgufWriter::pod(out, value);
  return out;
}

/// Parses GGUF bytes held by the caller; `source` names them in errors.
inline StatusOr<GgufFile> parseGguf(const std::string &bytes, std::string source) {
  return GgufFile::parse({reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()},
                         std::move(source));
}

/// Expects `status` to be an error whose message contains `fragment`.
inline void expectErrorContaining(const Status &status, std::string_view fragment) {
  ASSERT_FALSE(status.isOk()) << "expected an error containing: " << fragment;
  EXPECT_NE(status.message().find(fragment), std::string::npos) << status.message();
}

} // namespace loom::frontend::testing
