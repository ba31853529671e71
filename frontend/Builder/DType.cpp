// DType ↔ MLIR element types, read from one table.
#include "frontend/Builder/DType.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <array>

namespace loom {
namespace {

struct DTypeInfo {
  DType dtype;
  std::string_view name;
  bool isFloat;
  mlir::Type (*make)(mlir::Builder &);
};

constexpr std::array<DTypeInfo, 5> kDTypes = {{
    {DType::bf16, "bf16", true, [](mlir::Builder &b) -> mlir::Type { return b.getBF16Type(); }},
    {DType::f16, "f16", true, [](mlir::Builder &b) -> mlir::Type { return b.getF16Type(); }},
    {DType::f32, "f32", true, [](mlir::Builder &b) -> mlir::Type { return b.getF32Type(); }},
    {DType::i32, "i32", false, [](mlir::Builder &b) -> mlir::Type { return b.getI32Type(); }},
    {DType::i64, "i64", false, [](mlir::Builder &b) -> mlir::Type { return b.getI64Type(); }},
}};

const DTypeInfo &info(DType dtype) { return kDTypes[static_cast<size_t>(dtype)]; }

} // namespace

mlir::Type toMlirType(DType dtype, mlir::MLIRContext &context) {
  mlir::Builder builder(&context);
  return info(dtype).make(builder);
}

std::optional<DType> dtypeOf(mlir::Type type) {
  if (!type)
    return std::nullopt;
  mlir::Builder builder(type.getContext());
  for (const DTypeInfo &entry : kDTypes)
    if (entry.make(builder) == type)
      return entry.dtype;
  return std::nullopt;
}

std::string_view dtypeName(DType dtype) { return info(dtype).name; }

bool isFloatDType(DType dtype) { return info(dtype).isFloat; }

} // namespace loom
