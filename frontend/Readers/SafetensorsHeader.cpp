// Safetensors header validation: length, JSON, dtypes, shapes, offsets, overlaps.
#include "frontend/Readers/SafetensorsHeader.h"

#include "frontend/Readers/JsonFields.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace loom::frontend {
namespace {

Status invalid(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

/// Product of `shape` times `elementSize`, or false on overflow.
bool byteSize(const std::vector<int64_t> &shape, size_t elementSize, uint64_t &out) {
  uint64_t total = elementSize;
  for (int64_t dim : shape) {
    auto extent = static_cast<uint64_t>(dim);
    if (extent != 0 && total > std::numeric_limits<uint64_t>::max() / extent)
      return false;
    total *= extent;
  }
  out = total;
  return true;
}

StatusOr<TensorEntry> parseEntry(const std::string &name, const nlohmann::json &value,
                                 uint64_t dataBytes, std::string_view source) {
  std::string where = fmt::format("{}: tensor '{}'", source, name);
  if (!value.is_object())
    return invalid(fmt::format("{}: entry must be an object, got {}", where, briefJson(value)));
  JsonFields fields(value, where);
  TensorEntry entry;
  entry.name = name;

  LOOM_ASSIGN_OR_RETURN(std::string dtypeText, fields.requireString("dtype"));
  std::optional<DType> dtype = parseDType(dtypeText);
  if (!dtype)
    return invalid(fmt::format("{}: unknown dtype '{}' (expected BF16, F16, F32, I64, "
                               "I32 or U8)", where, dtypeText));
  entry.dtype = *dtype;

  const nlohmann::json *shape = fields.find("shape");
  if (!shape)
    return fields.missing("shape");
  if (!shape->is_array())
    return fields.wrongType("shape", "an array of non-negative integers", *shape);
  for (const nlohmann::json &dim : *shape) {
    int64_t extent = -1;
    if (!jsonToInt(dim, extent) || extent < 0)
      return invalid(fmt::format("{}: shape {} must hold non-negative integers", where,
                                 briefJson(*shape)));
    entry.shape.push_back(extent);
  }

  const nlohmann::json *offsets = fields.find("data_offsets");
  if (!offsets)
    return fields.missing("data_offsets");
  int64_t begin = -1, end = -1;
  if (!offsets->is_array() || offsets->size() != 2 || !jsonToInt((*offsets)[0], begin) ||
      !jsonToInt((*offsets)[1], end) || begin < 0 || end < 0)
    return fields.wrongType("data_offsets", "[begin, end] of non-negative integers",
                            *offsets);
  entry.begin = static_cast<uint64_t>(begin);
  entry.end = static_cast<uint64_t>(end);
  if (entry.begin > entry.end)
    return invalid(fmt::format("{}: data_offsets begin {} is after end {}", where,
                               entry.begin, entry.end));
  if (entry.end > dataBytes)
    return invalid(fmt::format("{}: data_offsets [{}, {}] run past the data section "
                               "({} bytes)", where, entry.begin, entry.end, dataBytes));
  uint64_t expected = 0;
  if (!byteSize(entry.shape, dtypeSize(entry.dtype), expected))
    return invalid(fmt::format("{}: shape {} is too large", where, briefJson(*shape)));
  if (expected != entry.end - entry.begin)
    return invalid(fmt::format("{}: shape {} of {} needs {} bytes but data_offsets "
                               "[{}, {}] hold {}", where, briefJson(*shape), dtypeText,
                               expected, entry.begin, entry.end, entry.end - entry.begin));
  return entry;
}

Status parseMetadata(const nlohmann::json &value, SafetensorsHeader &header,
                     std::string_view source) {
  if (!value.is_object())
    return invalid(fmt::format("{}: __metadata__ must be an object of strings, got {}",
                               source, briefJson(value)));
  for (const auto &[key, item] : value.items()) {
    if (!item.is_string())
      return invalid(fmt::format("{}: __metadata__ value '{}' must be a string, got {}",
                                 source, key, briefJson(item)));
    header.metadata[key] = item.get<std::string>();
  }
  return Status::ok();
}

Status checkNoOverlaps(std::vector<TensorEntry> entries, std::string_view source) {
  std::sort(entries.begin(), entries.end(), [](const TensorEntry &a, const TensorEntry &b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  const TensorEntry *previous = nullptr;
  for (const TensorEntry &entry : entries) {
    if (entry.begin == entry.end)
      continue; // an empty tensor occupies no bytes
    if (previous && entry.begin < previous->end)
      return invalid(fmt::format("{}: tensors '{}' [{}, {}] and '{}' [{}, {}] overlap",
                                 source, previous->name, previous->begin, previous->end,
                                 entry.name, entry.begin, entry.end));
    previous = &entry;
  }
  return Status::ok();
}

} // namespace

StatusOr<SafetensorsHeader> parseSafetensorsHeader(std::span<const uint8_t> file,
                                                   std::string_view source) {
  if (file.size() < 8)
    return invalid(fmt::format("{}: file is {} bytes, too short for the 8-byte header "
                               "length", source, file.size()));
  uint64_t headerBytes = 0;
  for (int i = 7; i >= 0; --i)
    headerBytes = (headerBytes << 8) | file[i];
  if (headerBytes > kMaxSafetensorsHeaderBytes)
    return invalid(fmt::format("{}: header length {} exceeds the {} byte limit", source,
                               headerBytes, kMaxSafetensorsHeaderBytes));
  if (headerBytes > file.size() - 8)
    return invalid(fmt::format("{}: header length {} runs past the end of the file "
                               "({} bytes)", source, headerBytes, file.size()));

  std::string_view text(reinterpret_cast<const char *>(file.data()) + 8, headerBytes);
  LOOM_ASSIGN_OR_RETURN(nlohmann::json json,
                        parseJson(text, fmt::format("{}: header", source)));
  if (!json.is_object())
    return invalid(fmt::format("{}: header must be a JSON object, got {}", source,
                               briefJson(json)));

  SafetensorsHeader header;
  header.dataOffset = 8 + headerBytes;
  uint64_t dataBytes = file.size() - header.dataOffset;
  for (const auto &[name, value] : json.items()) {
    if (name == "__metadata__") {
      LOOM_RETURN_IF_ERROR(parseMetadata(value, header, source));
      continue;
    }
    LOOM_ASSIGN_OR_RETURN(TensorEntry entry, parseEntry(name, value, dataBytes, source));
    header.tensors.push_back(std::move(entry));
  }
  LOOM_RETURN_IF_ERROR(checkNoOverlaps(header.tensors, source));
  return header;
}

} // namespace loom::frontend
