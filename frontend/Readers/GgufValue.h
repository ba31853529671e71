// One GGUF metadata value: a scalar or an array of one of the twelve GGUF value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace loom::frontend {

/// The GGUF metadata value types, numbered as in the file format.
enum class GgufValueType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

/// The format's spelling, e.g. "uint32"; "type N" for an id outside the enum.
std::string ggufValueTypeName(GgufValueType type);

/// A metadata value. Scalars are stored as arrays of one item; integers are widened
/// (signed → int64, unsigned and bool → uint64) and floats to double, while `type()`
/// keeps the type the file declared.
class GgufValue {
public:
  using Items = std::variant<std::vector<int64_t>, std::vector<uint64_t>, std::vector<double>,
                             std::vector<std::string>>;

  GgufValue(GgufValueType type, bool isArray, Items items)
      : type_(type), isArray_(isArray), items_(std::move(items)) {}

  /// The declared type; for an array, the type of its elements.
  GgufValueType type() const { return type_; }
  bool isArray() const { return isArray_; }
  /// Not an array, and holding its one item.
  bool isScalar() const;
  /// Number of items (1 for a scalar).
  size_t size() const;

  /// A scalar of an integer type (not bool) that fits in int64.
  std::optional<int64_t> asInt() const;
  /// A scalar of an integer or float type.
  std::optional<double> asNumber() const;
  std::optional<bool> asBool() const;
  /// A scalar string, or nullptr.
  const std::string *asString() const;
  /// An array of strings, or nullptr.
  const std::vector<std::string> *asStrings() const;
  /// An array of integers (not bools) that all fit in int64.
  std::optional<std::vector<int64_t>> asInts() const;
  /// An array of integers or floats.
  std::optional<std::vector<double>> asNumbers() const;

  /// A short rendering for error messages, e.g. "uint32 7" or "array of 3 string".
  std::string describe() const;

private:
  std::optional<std::vector<double>> asNumbersIgnoringShape() const;

  GgufValueType type_;
  bool isArray_;
  Items items_;
};

} // namespace loom::frontend
