// The weights of a model: one safetensors file, or shards named by model.safetensors.index.json.
#pragma once

#include "frontend/Readers/SafetensorsFile.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace loom::frontend {

/// All tensors of a model, memory-mapped. Views stay valid while this object
/// (or a copy of it) lives.
class SafetensorsModel {
public:
  /// Opens `path`: a .safetensors file, or a model folder holding
  /// `model.safetensors.index.json` (sharded) or `model.safetensors`.
  static StatusOr<SafetensorsModel> open(const std::string &path);

  /// Tensor names, sorted.
  std::vector<std::string> tensorNames() const;
  size_t numTensors() const { return locations_.size(); }
  bool contains(std::string_view name) const;
  /// The tensor called `name`; kNotFound names it if absent.
  StatusOr<TensorView> tensor(std::string_view name) const;
  /// The mapped files (one unless sharded).
  const std::vector<SafetensorsFile> &files() const { return files_; }

private:
  struct Location {
    size_t file;
    size_t entry; ///< index into that file's entries()
  };
  Status addFile(SafetensorsFile file);
  static StatusOr<SafetensorsModel> openSharded(const std::string &dir,
                                                const std::string &indexPath);

  std::vector<SafetensorsFile> files_;
  std::unordered_map<std::string, Location> locations_;
};

} // namespace loom::frontend
