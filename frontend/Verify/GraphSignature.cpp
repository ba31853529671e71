// Argument and result names, types and extents of a forward function.
#include "frontend/Verify/GraphSignature.h"

#include "dialects/Graph/IR/GraphOps.h"
#include "frontend/Reference/Interpreter/MlirTypes.h"

#include "mlir/IR/BuiltinOps.h"

#include <fmt/format.h>

namespace loom::verify {

namespace {

/// Extents of a tensor type: static sizes as text, dynamic ones from `names` ("tokens" for a
/// leading dimension without a name, as the package plan does).
StatusOr<std::vector<std::string>> extentsOf(mlir::RankedTensorType type, mlir::ArrayAttr names,
                                             const std::string &what) {
  std::vector<std::string> extents;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!type.isDynamicDim(d))
      extents.push_back(std::to_string(type.getDimSize(d)));
    else if (names && d < int64_t(names.size()) && mlir::isa<mlir::StringAttr>(names[d]))
      extents.push_back(mlir::cast<mlir::StringAttr>(names[d]).str());
    else if (d == 0)
      extents.push_back("tokens");
    else
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("{}: dynamic dimension {} has no loom.dims name", what, d));
  }
  return extents;
}

/// The table rows an index argument gathers, when it feeds graph.embedding as its ids: the
/// static row count, or "tokens" for an activation table (token-major, docs/graph-ops.md).
std::optional<std::string> idBoundOf(mlir::Value argument) {
  std::optional<std::string> bound;
  for (mlir::OpOperand &use : argument.getUses()) {
    auto embedding = mlir::dyn_cast<graph::EmbeddingOp>(use.getOwner());
    if (!embedding || use.getOperandNumber() != 1)
      continue;
    auto table = embedding.getTable().getType();
    std::string rows = table.isDynamicDim(0) ? "tokens" : std::to_string(table.getDimSize(0));
    if (!bound || rows == "tokens" || (*bound != "tokens" && std::stoll(rows) < std::stoll(*bound)))
      bound = rows;
  }
  return bound;
}

/// An extent's value: an integer, or the value of the dim it names.
StatusOr<int64_t> extentValue(const std::string &extent, const rt::DimValues &dims,
                              const std::string &what) {
  if (!extent.empty() && std::isdigit(static_cast<unsigned char>(extent[0])))
    return std::stoll(extent);
  auto found = dims.find(extent);
  if (found == dims.end())
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{} needs a value for dim '{}'", what, extent));
  return found->second;
}

StatusOr<SignatureTensor> argumentTensor(mlir::Type type, mlir::StringAttr name,
                                          mlir::ArrayAttr dimNames, std::string fallbackName,
                                          unsigned index) {
  auto tensorType = mlir::dyn_cast<mlir::RankedTensorType>(type);
  if (!tensorType)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{}: only ranked tensors can be verified", fallbackName));
  SignatureTensor tensor;
  tensor.name = name ? name.str() : fallbackName;
  tensor.index = index;
  LOOM_ASSIGN_OR_RETURN(tensor.type, ref::elementTypeOf(tensorType.getElementType()));
  LOOM_ASSIGN_OR_RETURN(tensor.extents, extentsOf(tensorType, dimNames, tensor.name));
  return tensor;
}

} // namespace

StatusOr<ref::Shape> SignatureTensor::shape(const rt::DimValues &dims) const {
  ref::Shape shape;
  for (const std::string &extent : extents) {
    LOOM_ASSIGN_OR_RETURN(int64_t value, extentValue(extent, dims, name));
    shape.push_back(value);
  }
  return shape;
}

StatusOr<std::optional<int64_t>> SignatureTensor::idLimit(const rt::DimValues &dims) const {
  if (!idBound)
    return std::optional<int64_t>();
  LOOM_ASSIGN_OR_RETURN(int64_t value, extentValue(*idBound, dims, name));
  return std::optional<int64_t>(value);
}

StatusOr<GraphSignature> readSignature(mlir::func::FuncOp function) {
  GraphSignature signature;
  for (auto [index, argument] : llvm::enumerate(function.getArguments())) {
    std::string fallback = "arg" + std::to_string(index);
    LOOM_ASSIGN_OR_RETURN(
        SignatureTensor tensor,
        argumentTensor(argument.getType(),
                        function.getArgAttrOfType<mlir::StringAttr>(index, "loom.name"),
                        function.getArgAttrOfType<mlir::ArrayAttr>(index, "loom.dims"), fallback,
                        index));
    tensor.idBound = idBoundOf(argument);
    signature.arguments.push_back(std::move(tensor));
  }
  for (auto [index, type] : llvm::enumerate(function.getResultTypes())) {
    auto tensorType = mlir::dyn_cast<mlir::RankedTensorType>(type);
    if (!tensorType)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("result {}: only ranked tensors can be verified", index));
    SignatureTensor tensor;
    auto name = function.getResultAttrOfType<mlir::StringAttr>(index, "loom.name");
    tensor.name = name ? name.str() : "out" + std::to_string(index);
    tensor.index = index;
    LOOM_ASSIGN_OR_RETURN(tensor.type, ref::elementTypeOf(tensorType.getElementType()));
    signature.results.push_back(std::move(tensor));
  }
  return signature;
}

StatusOr<mlir::func::FuncOp> forwardFunction(mlir::ModuleOp module) {
  auto functions = llvm::to_vector(module.getOps<mlir::func::FuncOp>());
  if (functions.size() != 1)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("expected one func.func in the module, found {}", functions.size()));
  return functions.front();
}

} // namespace loom::verify
