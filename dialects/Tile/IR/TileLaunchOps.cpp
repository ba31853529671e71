// tile.launch_program and tile.launch: bindings of kernel parameters to package tensors.
#include "dialects/Tile/IR/TileOps.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"

namespace loom::tile {

namespace {

/// What a binding kind binds: a pointer, an i32 or an f32 parameter.
enum class BindingClass { kPointer, kInt, kFloat, kUnknown };

BindingClass bindingClass(llvm::StringRef kind) {
  return llvm::StringSwitch<BindingClass>(kind)
      .Cases({"buffer", "weight", "input", "output", "kv_k", "kv_v"}, BindingClass::kPointer)
      .Cases({"dim", "int"}, BindingClass::kInt)
      .Case("float", BindingClass::kFloat)
      .Default(BindingClass::kUnknown);
}

BindingClass parameterClass(mlir::Type type) {
  if (llvm::isa<PtrType>(type))
    return BindingClass::kPointer;
  return type.isInteger(32) ? BindingClass::kInt : BindingClass::kFloat;
}

/// Names each listed entry of a manifest section (`inputs`, ...) so launches can refer to them.
mlir::LogicalResult collectNames(mlir::Operation *op, llvm::StringRef section,
                                 mlir::ArrayAttr entries, llvm::StringSet<> &names) {
  for (auto entry : entries) {
    auto dict = llvm::dyn_cast<mlir::DictionaryAttr>(entry);
    auto name = dict ? llvm::dyn_cast_or_null<mlir::StringAttr>(dict.get("name")) : nullptr;
    if (!name)
      return op->emitOpError() << "every entry of " << section << " needs a string 'name'";
    names.insert(name.getValue());
  }
  return mlir::success();
}

} // namespace

mlir::LogicalResult LaunchProgramOp::verify() {
  for (auto dim : getDims())
    if (!llvm::isa<mlir::IntegerAttr>(dim.getValue()))
      return emitOpError() << "dim '" << dim.getName().getValue() << "' needs an integer bound";
  llvm::StringSet<> ignored;
  for (auto [section, entries] :
       {std::pair{"inputs", getInputs()}, std::pair{"outputs", getOutputs()},
        std::pair{"weights", getWeights()}, std::pair{"buffers", getBuffers()}})
    if (mlir::failed(collectNames(*this, section, entries, ignored)))
      return mlir::failure();
  return mlir::success();
}

mlir::LogicalResult LaunchOp::verify() {
  if (auto when = getWhenAttr(); when && when.getValue().trim().empty())
    return emitOpError() << "guard 'when' of '" << getKernel()
                         << "' is empty (leave it out to launch on every step)";
  return mlir::success();
}

mlir::LogicalResult LaunchOp::verifySymbolUses(mlir::SymbolTableCollection &symbols) {
  auto kernel = symbols.lookupNearestSymbolFrom<KernelOp>(*this, getKernelAttr());
  if (!kernel)
    return emitOpError() << "'" << getKernel() << "' is not a tile.kernel";
  auto parameters = kernel.getFunctionType().getInputs();
  if (parameters.size() != getBindings().size())
    return emitOpError() << "binds " << getBindings().size() << " parameters but '" << getKernel()
                         << "' has " << parameters.size();
  auto program = (*this)->getParentOfType<LaunchProgramOp>();
  llvm::StringSet<> inputs, outputs, weights, buffers;
  (void)collectNames(program, "inputs", program.getInputs(), inputs);
  (void)collectNames(program, "outputs", program.getOutputs(), outputs);
  (void)collectNames(program, "weights", program.getWeights(), weights);
  (void)collectNames(program, "buffers", program.getBuffers(), buffers);
  const std::pair<llvm::StringRef, llvm::StringSet<> *> sections[] = {
      {"input", &inputs}, {"output", &outputs}, {"weight", &weights}, {"buffer", &buffers}};
  for (auto [index, entry] : llvm::enumerate(getBindings())) {
    auto [kind, ref] = llvm::cast<mlir::StringAttr>(entry).getValue().split(':');
    BindingClass binds = bindingClass(kind);
    auto name = llvm::cast<mlir::StringAttr>(kernel.getParamNames()[index]).getValue();
    if (binds == BindingClass::kUnknown)
      return emitOpError() << "binding '" << kind << ":" << ref << "' has an unknown kind";
    if (binds != parameterClass(parameters[index]))
      return emitOpError() << "binding '" << kind << ":" << ref << "' does not fit parameter '"
                           << name << "' of type " << parameters[index];
    for (auto [section, names] : sections)
      if (kind == section && !names->contains(ref))
        return emitOpError() << "binding '" << kind << ":" << ref << "' names no " << section
                             << " of the launch program";
    if (kind == "dim" && !program.getDims().get(ref))
      return emitOpError() << "binding 'dim:" << ref << "' names no dim of the launch program";
  }
  return mlir::success();
}

} // namespace loom::tile
