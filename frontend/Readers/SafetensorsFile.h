// One memory-mapped safetensors file with a validated header.
#pragma once

#include "frontend/Readers/MappedFile.h"
#include "frontend/Readers/SafetensorsHeader.h"
#include "frontend/Readers/TensorView.h"

#include <string>
#include <vector>

namespace loom::frontend {

/// A safetensors file mapped read-only; tensor views point into the mapping.
class SafetensorsFile {
public:
  /// Maps `path` and validates its header.
  static StatusOr<SafetensorsFile> open(const std::string &path);

  const std::string &path() const { return file_.path(); }
  const std::vector<TensorEntry> &entries() const { return header_.tensors; }
  const std::map<std::string, std::string> &metadata() const { return header_.metadata; }

  /// The tensor called `name`, or nullptr.
  const TensorEntry *findEntry(std::string_view name) const;
  /// A view of `entry`, which must belong to this file.
  TensorView view(const TensorEntry &entry) const;

private:
  MappedFile file_;
  SafetensorsHeader header_;
};

} // namespace loom::frontend
