// Mapping and indexing one safetensors file.
#include "frontend/Readers/SafetensorsFile.h"

#include <algorithm>

namespace loom::frontend {

StatusOr<SafetensorsFile> SafetensorsFile::open(const std::string &path) {
  SafetensorsFile result;
  LOOM_ASSIGN_OR_RETURN(result.file_, MappedFile::open(path));
  LOOM_ASSIGN_OR_RETURN(result.header_, parseSafetensorsHeader(result.file_.bytes(), path));
  return result;
}

const TensorEntry *SafetensorsFile::findEntry(std::string_view name) const {
  auto it = std::lower_bound(
      header_.tensors.begin(), header_.tensors.end(), name,
      [](const TensorEntry &entry, std::string_view key) { return entry.name < key; });
  return it != header_.tensors.end() && it->name == name ? &*it : nullptr;
}

TensorView SafetensorsFile::view(const TensorEntry &entry) const {
  TensorView view;
  view.name = entry.name;
  view.dtype = entry.dtype;
  view.shape = entry.shape;
  view.data = file_.data() + header_.dataOffset + entry.begin;
  view.bytes = entry.end - entry.begin;
  return view;
}

} // namespace loom::frontend
