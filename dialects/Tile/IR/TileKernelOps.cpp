// tile.kernel: function-like syntax, parameter names, launch-shape verification.
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Interfaces/FunctionImplementation.h"
#include "llvm/ADT/StringSet.h"

namespace loom::tile {

mlir::ParseResult KernelOp::parse(mlir::OpAsmParser &parser, mlir::OperationState &result) {
  auto buildType = [](mlir::Builder &builder, llvm::ArrayRef<mlir::Type> arguments,
                      llvm::ArrayRef<mlir::Type> results, mlir::function_interface_impl::VariadicFlag,
                      std::string &) { return builder.getFunctionType(arguments, results); };
  return mlir::function_interface_impl::parseFunctionOp(
      parser, result, /*allowVariadic=*/false, getFunctionTypeAttrName(result.name), buildType,
      getArgAttrsAttrName(result.name), getResAttrsAttrName(result.name));
}

void KernelOp::print(mlir::OpAsmPrinter &printer) {
  mlir::function_interface_impl::printFunctionOp(printer, *this, /*isVariadic=*/false,
                                                 getFunctionTypeAttrName(), getArgAttrsAttrName(),
                                                 getResAttrsAttrName());
}

void KernelOp::getAsmBlockArgumentNames(mlir::Region &region, mlir::OpAsmSetValueNameFn setName) {
  auto names = getParamNames();
  for (auto [argument, name] : llvm::zip(region.getArguments(), names))
    setName(argument, llvm::cast<mlir::StringAttr>(name).getValue());
}

std::optional<int64_t> KernelOp::getConfigValue(llvm::StringRef key) {
  if (auto config = getConfigAttr())
    if (auto value = llvm::dyn_cast_or_null<mlir::IntegerAttr>(config.get(key)))
      return value.getInt();
  return std::nullopt;
}

static bool isIdentifier(llvm::StringRef name) {
  if (name.empty() || !(std::isalpha(name[0]) || name[0] == '_'))
    return false;
  return llvm::all_of(name, [](char c) { return std::isalnum(c) || c == '_'; });
}

mlir::LogicalResult KernelOp::verify() {
  auto type = getFunctionType();
  if (type.getNumResults() != 0)
    return emitOpError() << "a kernel returns nothing, got " << type.getNumResults() << " results";
  if (getParamNames().size() != type.getNumInputs())
    return emitOpError() << "has " << type.getNumInputs() << " parameters but "
                         << getParamNames().size() << " param_names";
  llvm::StringSet<> seen;
  for (auto [index, entry] : llvm::enumerate(getParamNames())) {
    auto name = llvm::cast<mlir::StringAttr>(entry).getValue();
    if (!isIdentifier(name))
      return emitOpError() << "parameter name '" << name << "' is not a C identifier";
    if (!seen.insert(name).second)
      return emitOpError() << "parameter name '" << name << "' is used twice";
    mlir::Type parameter = type.getInput(index);
    if (!llvm::isa<PtrType>(parameter) && !parameter.isInteger(32) && !parameter.isF32())
      return emitOpError() << "parameter '" << name
                           << "' must be a !tile.ptr, i32 or f32, got " << parameter;
  }
  if (auto block = getBlock()) {
    if (block->size() != 3 || llvm::any_of(*block, [](int32_t t) { return t < 1; }))
      return emitOpError() << "block must have 3 positive extents";
    if (int64_t((*block)[0]) * (*block)[1] * (*block)[2] > 1024)
      return emitOpError() << "block of " << int64_t((*block)[0]) * (*block)[1] * (*block)[2]
                           << " threads exceeds 1024";
  }
  if (auto grid = getGrid(); grid && grid->size() != 3)
    return emitOpError() << "grid must have 3 extents, got " << grid->size();
  if (auto config = getConfigAttr())
    for (auto entry : config)
      if (!llvm::isa<mlir::IntegerAttr>(entry.getValue()))
        return emitOpError() << "config entry '" << entry.getName().getValue()
                             << "' must be an integer";
  return mlir::success();
}

} // namespace loom::tile
