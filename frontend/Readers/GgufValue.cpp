// GGUF metadata values: type names and typed access.
#include "frontend/Readers/GgufValue.h"

#include <fmt/format.h>

#include <array>
#include <limits>

namespace loom::frontend {
namespace {

constexpr std::array<std::string_view, 13> kTypeNames = {
    "uint8", "int8",   "uint16", "int16",  "uint32", "int32",  "float32",
    "bool",  "string", "array",  "uint64", "int64",  "float64"};

bool isFloat(GgufValueType type) {
  return type == GgufValueType::kFloat32 || type == GgufValueType::kFloat64;
}

/// The items as int64 when the value holds integers (not bools) that all fit.
std::optional<std::vector<int64_t>> integers(GgufValueType type, const GgufValue::Items &items) {
  if (type == GgufValueType::kBool)
    return std::nullopt;
  if (const auto *signedItems = std::get_if<std::vector<int64_t>>(&items))
    return *signedItems;
  const auto *unsignedItems = std::get_if<std::vector<uint64_t>>(&items);
  if (!unsignedItems)
    return std::nullopt;
  std::vector<int64_t> out;
  out.reserve(unsignedItems->size());
  for (uint64_t item : *unsignedItems) {
    if (item > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return std::nullopt;
    out.push_back(static_cast<int64_t>(item));
  }
  return out;
}

} // namespace

std::string ggufValueTypeName(GgufValueType type) {
  auto id = static_cast<uint32_t>(type);
  return id < kTypeNames.size() ? std::string(kTypeNames[id]) : fmt::format("type {}", id);
}

size_t GgufValue::size() const {
  return std::visit([](const auto &items) { return items.size(); }, items_);
}

bool GgufValue::isScalar() const { return !isArray_ && size() == 1; }

std::optional<int64_t> GgufValue::asInt() const {
  if (!isScalar())
    return std::nullopt;
  auto values = integers(type_, items_);
  return values ? std::optional<int64_t>(values->front()) : std::nullopt;
}

std::optional<double> GgufValue::asNumber() const {
  if (!isScalar())
    return std::nullopt;
  auto values = asNumbersIgnoringShape();
  return values ? std::optional<double>(values->front()) : std::nullopt;
}

std::optional<bool> GgufValue::asBool() const {
  if (!isScalar() || type_ != GgufValueType::kBool)
    return std::nullopt;
  return std::get<std::vector<uint64_t>>(items_).front() != 0;
}

const std::string *GgufValue::asString() const {
  const auto *strings = std::get_if<std::vector<std::string>>(&items_);
  return isScalar() && strings ? &strings->front() : nullptr;
}

const std::vector<std::string> *GgufValue::asStrings() const {
  return isArray_ ? std::get_if<std::vector<std::string>>(&items_) : nullptr;
}

std::optional<std::vector<int64_t>> GgufValue::asInts() const {
  return isArray_ ? integers(type_, items_) : std::nullopt;
}

std::optional<std::vector<double>> GgufValue::asNumbers() const {
  return isArray_ ? asNumbersIgnoringShape() : std::nullopt;
}

std::optional<std::vector<double>> GgufValue::asNumbersIgnoringShape() const {
  if (isFloat(type_))
    return std::get<std::vector<double>>(items_);
  auto values = integers(type_, items_);
  if (!values)
    return std::nullopt;
  return std::vector<double>(values->begin(), values->end());
}

std::string GgufValue::describe() const {
  std::string typeName = ggufValueTypeName(type_);
  if (!isScalar())
    return fmt::format("array of {} {}", size(), typeName);
  if (const std::string *text = asString())
    return fmt::format("string '{}'", text->size() > 40 ? text->substr(0, 40) + "..." : *text);
  if (isFloat(type_))
    return fmt::format("{} {}", typeName, std::get<std::vector<double>>(items_).front());
  if (const auto *signedItems = std::get_if<std::vector<int64_t>>(&items_))
    return fmt::format("{} {}", typeName, signedItems->front());
  return fmt::format("{} {}", typeName, std::get<std::vector<uint64_t>>(items_).front());
}

} // namespace loom::frontend
