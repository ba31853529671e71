// File helpers.
#include "runtime/Support/Files.h"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace loom {

StatusOr<std::string> readFile(const std::string &path) {
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    return Status(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                  fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  std::string bytes;
  if (std::fseek(file, 0, SEEK_END) == 0) {
    long size = std::ftell(file);
    if (size > 0)
      bytes.reserve(static_cast<size_t>(size));
    std::rewind(file);
  }
  char chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof(chunk), file)) > 0)
    bytes.append(chunk, got);
  bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed)
    return Status(StatusCode::kIoError, fmt::format("cannot read {}", path));
  return bytes;
}

Status writeFileAtomic(const std::string &path, std::string_view bytes) {
  static std::atomic<uint64_t> counter{0};
  std::error_code error;
  std::filesystem::path target(path);
  if (target.has_parent_path())
    std::filesystem::create_directories(target.parent_path(), error);
  if (error)
    return Status(StatusCode::kIoError,
                  fmt::format("cannot create {}: {}",
                              target.parent_path().string(), error.message()));
  std::string temp = fmt::format("{}.tmp.{}.{}", path, ::getpid(), counter++);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out)
      return Status(StatusCode::kIoError,
                    fmt::format("cannot create {}: {}", temp, std::strerror(errno)));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::remove(temp.c_str());
      return Status(StatusCode::kIoError, fmt::format("cannot write {}", temp));
    }
  }
  std::filesystem::rename(temp, target, error);
  if (error) {
    std::remove(temp.c_str());
    return Status(StatusCode::kIoError,
                  fmt::format("cannot rename {} to {}: {}", temp, path, error.message()));
  }
  return Status::ok();
}

} // namespace loom
