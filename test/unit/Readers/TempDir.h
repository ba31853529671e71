// A temporary folder for test files, removed with its contents at the end of the test.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace loom::frontend::testing {

/// The stories260k model folder of the shared directory.
inline std::string stories260kDir() {
  return std::string(LOOM_SHARED_DIR) + "/models/stories260k";
}

class TempDir {
public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "loom-readers-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  const std::string &path() const { return path_; }

  /// Writes `bytes` to `name` inside the folder; returns the full path.
  std::string write(const std::string &name, std::string_view bytes) const {
    std::string file = path_ + "/" + name;
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    EXPECT_TRUE(out.good()) << "cannot write " << file;
    return file;
  }

private:
  std::string path_;
};

/// A safetensors file: 8-byte little-endian header length, `header`, then `data`.
inline std::string safetensorsBytes(std::string_view header, std::string_view data) {
  std::string bytes(8, '\0');
  uint64_t length = header.size();
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  bytes.append(header);
  bytes.append(data);
  return bytes;
}

} // namespace loom::frontend::testing
