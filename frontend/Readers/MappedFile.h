// A read-only memory mapping of a whole file, unmapped when the last owner goes away.
#pragma once

#include "runtime/Support/Status.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace loom::frontend {

/// A read-only, shared mapping of a file's bytes. Copies share the mapping.
class MappedFile {
public:
  /// Maps `path`; an empty file maps to an empty span.
  static StatusOr<MappedFile> open(const std::string &path);

  std::span<const uint8_t> bytes() const { return {data(), size()}; }
  const uint8_t *data() const { return mapping_ ? mapping_->data : nullptr; }
  size_t size() const { return mapping_ ? mapping_->size : 0; }
  const std::string &path() const { return path_; }

private:
  struct Mapping {
    const uint8_t *data = nullptr;
    size_t size = 0;
    ~Mapping();
  };
  std::shared_ptr<const Mapping> mapping_;
  std::string path_;
};

} // namespace loom::frontend
