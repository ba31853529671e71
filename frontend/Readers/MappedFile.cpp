// mmap-backed file bytes.
#include "frontend/Readers/MappedFile.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loom::frontend {

MappedFile::Mapping::~Mapping() {
  if (data && size)
    ::munmap(const_cast<uint8_t *>(data), size);
}

StatusOr<MappedFile> MappedFile::open(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return LOOM_ERROR(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                      fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    return LOOM_ERROR(StatusCode::kIoError,
                      fmt::format("cannot stat {}: {}", path, std::strerror(error)));
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{} is not a regular file", path));
  }
  auto mapping = std::make_shared<Mapping>();
  mapping->size = static_cast<size_t>(info.st_size);
  if (mapping->size > 0) {
    void *address = ::mmap(nullptr, mapping->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (address == MAP_FAILED) {
      int error = errno;
      ::close(fd);
      return LOOM_ERROR(StatusCode::kIoError,
                        fmt::format("cannot mmap {}: {}", path, std::strerror(error)));
    }
    mapping->data = static_cast<const uint8_t *>(address);
  }
  ::close(fd);
  MappedFile file;
  file.mapping_ = std::move(mapping);
  file.path_ = path;
  return file;
}

} // namespace loom::frontend
