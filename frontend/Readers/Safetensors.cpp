// Opening single-file and sharded safetensors models.
#include "frontend/Readers/Safetensors.h"

#include "frontend/Readers/JsonFields.h"
#include "runtime/Support/Files.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

namespace loom::frontend {
namespace fs = std::filesystem;

StatusOr<SafetensorsModel> SafetensorsModel::open(const std::string &path) {
  std::error_code error;
  if (fs::is_directory(path, error)) {
    fs::path index = fs::path(path) / "model.safetensors.index.json";
    if (fs::exists(index, error))
      return openSharded(path, index.string());
    fs::path single = fs::path(path) / "model.safetensors";
    if (!fs::exists(single, error))
      return LOOM_ERROR(StatusCode::kNotFound,
                        fmt::format("{} holds neither model.safetensors.index.json nor "
                                    "model.safetensors", path));
    return open(single.string());
  }
  LOOM_ASSIGN_OR_RETURN(SafetensorsFile file, SafetensorsFile::open(path));
  SafetensorsModel model;
  LOOM_RETURN_IF_ERROR(model.addFile(std::move(file)));
  return model;
}

StatusOr<SafetensorsModel> SafetensorsModel::openSharded(const std::string &dir,
                                                         const std::string &indexPath) {
  LOOM_ASSIGN_OR_RETURN(std::string text, readFile(indexPath));
  LOOM_ASSIGN_OR_RETURN(nlohmann::json index, parseJson(text, indexPath));
  JsonFields fields(index, indexPath);
  const nlohmann::json *weightMap = fields.find("weight_map");
  if (!weightMap)
    return fields.missing("weight_map");
  if (!weightMap->is_object() || weightMap->empty())
    return fields.wrongType("weight_map", "a non-empty object of tensor → file",
                            *weightMap);

  std::map<std::string, std::vector<std::string>> tensorsByFile;
  for (const auto &[tensor, file] : weightMap->items()) {
    if (!file.is_string())
      return fields.wrongType("weight_map", "an object of file name strings", file);
    std::string name = file.get<std::string>();
    fs::path shard(name);
    if (name.empty() || shard.is_absolute() || shard.has_parent_path())
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("{}: weight_map names shard '{}' for '{}'; shards "
                                    "must be plain file names in the model folder",
                                    indexPath, name, tensor));
    tensorsByFile[name].push_back(tensor);
  }

  SafetensorsModel model;
  for (const auto &[name, tensors] : tensorsByFile) {
    std::string shardPath = (fs::path(dir) / name).string();
    LOOM_ASSIGN_OR_RETURN(SafetensorsFile file, SafetensorsFile::open(shardPath));
    for (const std::string &tensor : tensors)
      if (!file.findEntry(tensor))
        return LOOM_ERROR(StatusCode::kInvalidArgument,
                          fmt::format("{}: weight_map puts '{}' in {}, which does not "
                                      "hold it", indexPath, tensor, name));
    LOOM_RETURN_IF_ERROR(model.addFile(std::move(file)));
  }
  return model;
}

Status SafetensorsModel::addFile(SafetensorsFile file) {
  files_.push_back(std::move(file));
  size_t index = files_.size() - 1;
  const std::vector<TensorEntry> &entries = files_.back().entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    const TensorEntry &entry = entries[i];
    auto [it, inserted] = locations_.emplace(entry.name, Location{index, i});
    if (!inserted)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("tensor '{}' appears in both {} and {}", entry.name,
                                    files_[it->second.file].path(), files_.back().path()));
  }
  return Status::ok();
}

std::vector<std::string> SafetensorsModel::tensorNames() const {
  std::vector<std::string> names;
  names.reserve(locations_.size());
  for (const auto &[name, location] : locations_)
    names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

bool SafetensorsModel::contains(std::string_view name) const {
  return locations_.count(std::string(name)) != 0;
}

StatusOr<TensorView> SafetensorsModel::tensor(std::string_view name) const {
  auto it = locations_.find(std::string(name));
  if (it == locations_.end())
    return LOOM_ERROR(StatusCode::kNotFound,
                      fmt::format("no tensor named '{}' in the model's safetensors", name));
  const SafetensorsFile &file = files_[it->second.file];
  return file.view(file.entries()[it->second.entry]);
}

} // namespace loom::frontend
