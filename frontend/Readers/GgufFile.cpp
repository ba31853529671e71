// Parsing and validating a GGUF file; dequantizing its tensors.
#include "frontend/Readers/GgufFile.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

namespace loom::frontend {
namespace {

constexpr uint32_t kVersion = 3;
constexpr uint32_t kMaxDims = 4; ///< GGML_MAX_DIMS
constexpr uint64_t kDefaultAlignment = 32;
/// Fewest bytes one metadata entry (key length, type, 1-byte value) or tensor info
/// (name length, dim count, type, offset) occupies; bounds counts by the file size.
constexpr uint64_t kMinEntryBytes = 8 + 4 + 1;
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 4 + 8;

/// Little-endian reads from a byte span that fail, naming what was being read,
/// instead of running past the end.
class Cursor {
public:
  Cursor(std::span<const uint8_t> bytes, const GgufMetadata &errors)
      : bytes_(bytes), errors_(errors) {}

  uint64_t position() const { return position_; }
  uint64_t remaining() const { return bytes_.size() - position_; }

  template <typename T> StatusOr<T> read(std::string_view what) {
    if (remaining() < sizeof(T))
      return truncated(what);
    T value;
    std::memcpy(&value, bytes_.data() + position_, sizeof(T));
    position_ += sizeof(T);
    return value;
  }

  StatusOr<std::string> readString(std::string_view what) {
    LOOM_ASSIGN_OR_RETURN(uint64_t length, read<uint64_t>(what));
    if (length > remaining())
      return errors_.invalid(fmt::format("{}: the string of length {} at byte {} runs past the "
                                         "end of the file ({} bytes remain)",
                                         what, length, position_ - 8, remaining()));
    std::string text(reinterpret_cast<const char *>(bytes_.data() + position_), length);
    position_ += length;
    return text;
  }

  Status truncated(std::string_view what) const {
    return errors_.invalid(
        fmt::format("file is truncated at byte {} while reading {}", position_, what));
  }

private:
  std::span<const uint8_t> bytes_;
  const GgufMetadata &errors_;
  uint64_t position_ = 0;
};

using ItemsReader = StatusOr<GgufValue::Items> (*)(Cursor &, uint64_t, std::string_view);

template <typename Stored, typename Raw>
StatusOr<GgufValue::Items> readNumbers(Cursor &cursor, uint64_t count, std::string_view what) {
  std::vector<Stored> items;
  items.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    LOOM_ASSIGN_OR_RETURN(Raw item, cursor.read<Raw>(what));
    items.push_back(static_cast<Stored>(item));
  }
  return GgufValue::Items(std::move(items));
}

StatusOr<GgufValue::Items> readStrings(Cursor &cursor, uint64_t count, std::string_view what) {
  std::vector<std::string> items;
  items.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    LOOM_ASSIGN_OR_RETURN(std::string item, cursor.readString(what));
    items.push_back(std::move(item));
  }
  return GgufValue::Items(std::move(items));
}

/// How each value type is read, indexed by its id; `minBytes` bounds array lengths.
struct ValueReader {
  uint64_t minBytes;
  ItemsReader read; ///< null for kArray, which readValue handles
};
constexpr std::array<ValueReader, 13> kValueReaders = {{
    {1, readNumbers<uint64_t, uint8_t>},
    {1, readNumbers<int64_t, int8_t>},
    {2, readNumbers<uint64_t, uint16_t>},
    {2, readNumbers<int64_t, int16_t>},
    {4, readNumbers<uint64_t, uint32_t>},
    {4, readNumbers<int64_t, int32_t>},
    {4, readNumbers<double, float>},
    {1, readNumbers<uint64_t, uint8_t>}, // bool
    {8, readStrings},
    {0, nullptr}, // array
    {8, readNumbers<uint64_t, uint64_t>},
    {8, readNumbers<int64_t, int64_t>},
    {8, readNumbers<double, double>},
}};

StatusOr<GgufValueType> readValueType(Cursor &cursor, const GgufMetadata &errors,
                                      std::string_view what) {
  LOOM_ASSIGN_OR_RETURN(uint32_t id, cursor.read<uint32_t>(what));
  if (id >= kValueReaders.size())
    return errors.invalid(fmt::format("{} has unknown value type {}", what, id));
  return static_cast<GgufValueType>(id);
}

StatusOr<GgufValue> readValue(Cursor &cursor, const GgufMetadata &errors, const std::string &key) {
  std::string what = fmt::format("the value of metadata key '{}'", key);
  LOOM_ASSIGN_OR_RETURN(GgufValueType type, readValueType(cursor, errors, what));
  if (type != GgufValueType::kArray) {
    LOOM_ASSIGN_OR_RETURN(GgufValue::Items items,
                          kValueReaders[static_cast<uint32_t>(type)].read(cursor, 1, what));
    return GgufValue(type, false, std::move(items));
  }
  LOOM_ASSIGN_OR_RETURN(GgufValueType elementType, readValueType(cursor, errors, what));
  if (elementType == GgufValueType::kArray)
    return errors.invalid(fmt::format("metadata key '{}' is an array of arrays, which is not "
                                      "supported",
                                      key));
  LOOM_ASSIGN_OR_RETURN(uint64_t count, cursor.read<uint64_t>(what));
  const ValueReader &reader = kValueReaders[static_cast<uint32_t>(elementType)];
  if (count > cursor.remaining() / reader.minBytes)
    return errors.invalid(fmt::format("metadata key '{}' claims {} {} items, more than the {} "
                                      "bytes left in the file can hold",
                                      key, count, ggufValueTypeName(elementType),
                                      cursor.remaining()));
  LOOM_ASSIGN_OR_RETURN(GgufValue::Items items, reader.read(cursor, count, what));
  return GgufValue(elementType, true, std::move(items));
}

/// Reads the header's counts and checks them against the bytes that follow.
Status checkCount(const Cursor &cursor, const GgufMetadata &errors, uint64_t count,
                  uint64_t minBytes, std::string_view what) {
  if (count > cursor.remaining() / minBytes)
    return errors.invalid(fmt::format("header declares {} {}, more than the {} bytes of the "
                                      "file can hold",
                                      count, what, cursor.remaining()));
  return Status::ok();
}

} // namespace

class GgufFile::Parser {
public:
  Parser(GgufFile &file) : file_(file), cursor_(file.bytes_, file.metadata_) {}

  Status run() {
    LOOM_RETURN_IF_ERROR(readHeader());
    for (uint64_t i = 0; i < metadataCount_; ++i) {
      LOOM_ASSIGN_OR_RETURN(std::string key, cursor_.readString(fmt::format("metadata key {}", i)));
      LOOM_ASSIGN_OR_RETURN(GgufValue value, readValue(cursor_, errors(), key));
      LOOM_RETURN_IF_ERROR(file_.metadata_.add(std::move(key), std::move(value)));
    }
    LOOM_RETURN_IF_ERROR(readAlignment());
    LOOM_RETURN_IF_ERROR(
        checkCount(cursor_, errors(), tensorCount_, kMinTensorInfoBytes, "tensors"));
    for (uint64_t i = 0; i < tensorCount_; ++i)
      LOOM_RETURN_IF_ERROR(readTensorInfo(i));
    uint64_t end = cursor_.position();
    file_.dataOffset_ = end + (file_.alignment_ - end % file_.alignment_) % file_.alignment_;
    return checkPlacement();
  }

private:
  const GgufMetadata &errors() const { return file_.metadata_; }

  Status readHeader() {
    std::span<const uint8_t> bytes = file_.bytes_;
    if (bytes.size() < 4 || std::memcmp(bytes.data(), "GGUF", 4) != 0) {
      std::string magic(reinterpret_cast<const char *>(bytes.data()),
                        std::min<size_t>(bytes.size(), 4));
      return errors().invalid(
          fmt::format("not a GGUF file: it starts with {:?}, not \"GGUF\"", magic));
    }
    LOOM_RETURN_IF_ERROR(cursor_.read<uint32_t>("the magic").status());
    LOOM_ASSIGN_OR_RETURN(file_.version_, cursor_.read<uint32_t>("the version"));
    if (file_.version_ == __builtin_bswap32(kVersion))
      return errors().invalid("big-endian GGUF files are not supported");
    if (file_.version_ != kVersion)
      return errors().invalid(fmt::format("unsupported GGUF version {} (only version {} is "
                                          "supported)",
                                          file_.version_, kVersion));
    LOOM_ASSIGN_OR_RETURN(tensorCount_, cursor_.read<uint64_t>("the tensor count"));
    LOOM_ASSIGN_OR_RETURN(metadataCount_, cursor_.read<uint64_t>("the metadata count"));
    return checkCount(cursor_, errors(), metadataCount_, kMinEntryBytes, "metadata entries");
  }

  Status readAlignment() {
    const GgufValue *value = errors().find("general.alignment");
    if (!value)
      return Status::ok();
    if (!value->isScalar() || value->type() != GgufValueType::kUint32)
      return errors().wrongType("general.alignment", "a uint32", *value);
    uint64_t alignment = static_cast<uint64_t>(*value->asInt());
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
      return errors().invalid(
          fmt::format("general.alignment must be a power of two, got {}", alignment));
    file_.alignment_ = alignment;
    return Status::ok();
  }

  Status readTensorInfo(uint64_t index) {
    GgufTensorInfo info;
    LOOM_ASSIGN_OR_RETURN(info.name, cursor_.readString(fmt::format("tensor {}'s name", index)));
    std::string what = fmt::format("tensor '{}'", info.name);
    LOOM_ASSIGN_OR_RETURN(uint32_t dimCount, cursor_.read<uint32_t>(what));
    if (dimCount == 0 || dimCount > kMaxDims)
      return errors().invalid(
          fmt::format("{} has {} dimensions (expected 1 to {})", what, dimCount, kMaxDims));
    std::vector<int64_t> dims;
    info.numElements = 1;
    for (uint32_t d = 0; d < dimCount; ++d) {
      LOOM_ASSIGN_OR_RETURN(uint64_t dim, cursor_.read<uint64_t>(what));
      if (dim == 0 || dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return errors().invalid(fmt::format("{} has invalid dimension {} = {}", what, d, dim));
      if (__builtin_mul_overflow(info.numElements, static_cast<int64_t>(dim), &info.numElements))
        return errors().invalid(fmt::format("{}: the product of its dimensions overflows", what));
      dims.push_back(static_cast<int64_t>(dim));
    }
    info.shape.assign(dims.rbegin(), dims.rend());
    LOOM_ASSIGN_OR_RETURN(uint32_t typeId, cursor_.read<uint32_t>(what));
    info.type = findGgufTensorType(typeId);
    if (!info.type)
      return errors().invalid(fmt::format("{} has unknown ggml type id {}", what, typeId));
    if (dims[0] % info.type->blockElements != 0)
      return errors().invalid(fmt::format("{}: its row length {} is not a multiple of the {} "
                                          "block size {}",
                                          what, dims[0], info.type->name,
                                          info.type->blockElements));
    int64_t blocks = info.numElements / info.type->blockElements;
    int64_t bytes = 0;
    if (__builtin_mul_overflow(blocks, info.type->blockBytes, &bytes))
      return errors().invalid(fmt::format("{}: its byte size overflows", what));
    info.bytes = static_cast<uint64_t>(bytes);
    LOOM_ASSIGN_OR_RETURN(info.offset, cursor_.read<uint64_t>(what));
    if (file_.tensorIndex_.count(info.name))
      return errors().invalid(fmt::format("tensor name '{}' appears more than once", info.name));
    file_.tensorIndex_.emplace(info.name, file_.tensors_.size());
    file_.tensors_.push_back(std::move(info));
    return Status::ok();
  }

  /// Every tensor lies aligned inside the data section, and no two overlap.
  Status checkPlacement() {
    if (file_.tensors_.empty())
      return Status::ok();
    uint64_t fileSize = file_.bytes_.size();
    if (file_.dataOffset_ > fileSize)
      return errors().invalid(fmt::format("the data section would start at byte {}, past the "
                                          "end of the file ({} bytes)",
                                          file_.dataOffset_, fileSize));
    uint64_t dataSize = fileSize - file_.dataOffset_;
    std::vector<const GgufTensorInfo *> byOffset;
    for (const GgufTensorInfo &tensor : file_.tensors_) {
      if (tensor.offset % file_.alignment_ != 0)
        return errors().invalid(fmt::format("tensor '{}' has offset {}, which is not a "
                                            "multiple of the alignment {}",
                                            tensor.name, tensor.offset, file_.alignment_));
      if (tensor.offset > dataSize || tensor.bytes > dataSize - tensor.offset)
        return errors().invalid(fmt::format("tensor '{}' needs bytes [{}, {}) of the data "
                                            "section, which has only {} (file truncated?)",
                                            tensor.name, tensor.offset,
                                            tensor.offset + tensor.bytes, dataSize));
      byOffset.push_back(&tensor);
    }
    std::sort(byOffset.begin(), byOffset.end(),
              [](const auto *a, const auto *b) { return a->offset < b->offset; });
    for (size_t i = 1; i < byOffset.size(); ++i)
      if (byOffset[i - 1]->offset + byOffset[i - 1]->bytes > byOffset[i]->offset)
        return errors().invalid(fmt::format("tensors '{}' and '{}' overlap in the data section",
                                            byOffset[i - 1]->name, byOffset[i]->name));
    return Status::ok();
  }

  GgufFile &file_;
  Cursor cursor_;
  uint64_t tensorCount_ = 0;
  uint64_t metadataCount_ = 0;
};

StatusOr<GgufFile> GgufFile::parse(std::span<const uint8_t> bytes, std::string source) {
  GgufFile file;
  file.bytes_ = bytes;
  file.metadata_ = GgufMetadata(std::move(source));
  LOOM_RETURN_IF_ERROR(Parser(file).run());
  return file;
}

StatusOr<GgufFile> GgufFile::open(const std::string &path) {
  LOOM_ASSIGN_OR_RETURN(MappedFile mapped, MappedFile::open(path));
  LOOM_ASSIGN_OR_RETURN(GgufFile file, parse(mapped.bytes(), path));
  file.file_ = std::move(mapped);
  return file;
}

const GgufTensorInfo *GgufFile::findTensor(std::string_view name) const {
  auto it = tensorIndex_.find(name);
  return it == tensorIndex_.end() ? nullptr : &tensors_[it->second];
}

std::span<const uint8_t> GgufFile::tensorBytes(const GgufTensorInfo &tensor) const {
  return bytes_.subspan(dataOffset_ + tensor.offset, tensor.bytes);
}

StatusOr<std::vector<float>> GgufFile::dequantize(const GgufTensorInfo &tensor) const {
  if (!tensor.type->dequantize)
    return metadata_.invalid(fmt::format("tensor '{}' has type {} (ggml type {}), which Loom "
                                         "cannot dequantize (supported: {})",
                                         tensor.name, tensor.type->name, tensor.type->id,
                                         dequantizableGgufTypes()));
  std::vector<float> values(static_cast<size_t>(tensor.numElements));
  tensor.type->dequantize(tensorBytes(tensor).data(),
                          tensor.numElements / tensor.type->blockElements, values.data());
  return values;
}

} // namespace loom::frontend
