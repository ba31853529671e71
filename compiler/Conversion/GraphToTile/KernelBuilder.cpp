// KernelBuilder: parameters with their bindings, shared constants and program ids.
#include "compiler/Conversion/GraphToTile/KernelBuilder.h"
#include "compiler/Transforms/Tile/KernelAnalysis.h"

#include "llvm/ADT/StringExtras.h"

#include "llvm/Support/FormatVariadic.h"

namespace loom::conversion {

KernelBuilder::KernelBuilder(mlir::OpBuilder &moduleBuilder, const Group &group, PackagePlan &plan,
                             llvm::StringRef name, const tile::GpuTarget *target)
    : moduleBuilder_(moduleBuilder), group_(group), plan_(plan), loc_(group.anchor->getLoc()),
      builder_(moduleBuilder.getContext()), target_(target) {
  std::vector<std::string> ops = group.opNames();
  kernel_ = tile::KernelOp::create(
      moduleBuilder, loc_, name.empty() ? llvm::StringRef(group.name) : name, moduleBuilder.getFunctionType({}, {}), mlir::ArrayAttr(),
      mlir::ArrayAttr(), moduleBuilder.getStrArrayAttr({}),
      moduleBuilder.getStrArrayAttr(llvm::SmallVector<llvm::StringRef>(ops.begin(), ops.end())),
      mlir::DictionaryAttr(), mlir::DenseI32ArrayAttr(), mlir::ArrayAttr(), mlir::IntegerAttr());
  builder_.setInsertionPointToStart(&kernel_.getBody().emplaceBlock());
}

mlir::Value KernelBuilder::addParameter(mlir::Type type, llvm::StringRef name, std::string binding,
                                        bool shared) {
  if (mlir::Value existing = shared ? byBinding_.lookup(binding) : mlir::Value())
    return existing;
  std::string unique = name.str();
  for (int suffix = 1; llvm::is_contained(names_, unique); ++suffix)
    unique = (name + llvm::Twine(suffix)).str();
  mlir::Value argument = kernel_.getBody().addArgument(type, loc_);
  names_.push_back(unique);
  bindings_.push_back(binding);
  byBinding_[binding] = argument;
  return argument;
}

mlir::FailureOr<mlir::Value> KernelBuilder::pointer(mlir::Value outer, llvm::StringRef role,
                                                    llvm::StringRef weightName) {
  if (auto view = plan_.view(outer); view && !view->whole() && weightName.empty())
    return group_.anchor->emitOpError()
           << "reads columns [" << view->column << ", " << view->column + view->width
           << ") of a " << view->rootWidth << "-column tensor, and a piece that needs storage of "
           << "its own has no tile lowering for graph.split (only rope + kv_append and paged "
           << "attention read pieces of a packed QKV projection in place)";
  std::string binding = weightName.empty() ? plan_.binding(outer) : ("weight:" + weightName).str();
  if (binding.empty())
    return group_.anchor->emitOpError() << "reads a value with no storage: " << outer;
  auto element = mlir::cast<mlir::RankedTensorType>(outer.getType()).getElementType();
  return addParameter(tile::PtrType::get(builder_.getContext(), element), role, binding);
}

mlir::FailureOr<mlir::Value> KernelBuilder::extent(llvm::StringRef extent) {
  int64_t value;
  if (!extent.getAsInteger(10, value))
    return constantI32(value);
  if (!plan_.hasDim(extent))
    return group_.anchor->emitOpError() << "dim '" << extent << "' has no bound (a loom.max_"
                                        << extent << " function attribute)";
  return addParameter(builder_.getI32Type(), extent, ("dim:" + extent).str());
}

mlir::FailureOr<llvm::SmallVector<mlir::Value>> KernelBuilder::extents(mlir::Value value) {
  llvm::SmallVector<mlir::Value> values;
  for (const std::string &name : plan_.extents(value)) {
    auto extentValue = extent(name);
    if (mlir::failed(extentValue))
      return mlir::failure();
    values.push_back(*extentValue);
  }
  return values;
}

mlir::Value KernelBuilder::intParameter(llvm::StringRef name, int64_t value) {
  return addParameter(builder_.getI32Type(), name, "int:" + std::to_string(value), false);
}

mlir::Value KernelBuilder::floatParameter(llvm::StringRef name, float value) {
  return addParameter(builder_.getF32Type(), name, llvm::formatv("float:{0:e8}", value).str(), false);
}

mlir::FailureOr<mlir::Value> KernelBuilder::scratch(llvm::StringRef role) {
  return scratchPointer(role, builder_.getF32Type());
}

mlir::FailureOr<mlir::Value> KernelBuilder::scratchCounters(llvm::StringRef role) {
  return scratchPointer(role, builder_.getI32Type());
}

mlir::FailureOr<mlir::Value> KernelBuilder::scratchPointer(llvm::StringRef role, mlir::Type element) {
  std::string binding = plan_.scratchBinding(group_.anchor, role);
  if (binding.empty())
    return group_.anchor->emitOpError() << "has no scratch buffer '" << role << "' in the buffer plan";
  return addParameter(tile::PtrType::get(builder_.getContext(), element), role, binding);
}

mlir::Value KernelBuilder::errorRecord() {
  std::string binding = plan_.errorBinding();
  if (binding.empty())
    return {};
  return addParameter(tile::PtrType::get(builder_.getContext(), builder_.getI32Type()), "error", binding);
}

mlir::Value KernelBuilder::kvPool(llvm::StringRef name, bool key, mlir::Type element) {
  return addParameter(tile::PtrType::get(builder_.getContext(), element), name,
                      key ? "kv_k:" : "kv_v:");
}

void KernelBuilder::setLibraryLaunch(llvm::StringRef library,
                                     llvm::ArrayRef<std::pair<llvm::StringRef, int64_t>> config,
                                     int threads, llvm::ArrayRef<std::string> grid,
                                     int64_t sharedBytes) {
  llvm::SmallVector<mlir::NamedAttribute> values;
  for (auto [key, value] : config)
    values.push_back(builder_.getNamedAttr(key, builder_.getI64IntegerAttr(value)));
  kernel_->setAttr(tile::kLibraryAttrName, builder_.getStringAttr(library));
  kernel_.setConfigAttr(builder_.getDictionaryAttr(values));
  kernel_.setBlockAttr(builder_.getDenseI32ArrayAttr({threads, 1, 1}));
  kernel_.setGridAttr(builder_.getStrArrayAttr(llvm::SmallVector<llvm::StringRef>(grid.begin(), grid.end())));
  kernel_.setSharedBytesAttr(builder_.getI64IntegerAttr(sharedBytes));
}

mlir::Value KernelBuilder::constantI32(int64_t value) {
  mlir::Value &cached = integers_[value];
  if (!cached) {
    mlir::OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPointToStart(&kernel_.getBody().front());
    cached = mlir::arith::ConstantIntOp::create(builder_, loc_, value, 32);
  }
  return cached;
}

mlir::Value KernelBuilder::constantF32(float value) {
  return mlir::arith::ConstantFloatOp::create(builder_, loc_, builder_.getF32Type(),
                                              llvm::APFloat(value));
}

mlir::Value KernelBuilder::programId(int axis) {
  mlir::Value &cached = programIds_[axis];
  if (!cached) {
    mlir::OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPointToStart(&kernel_.getBody().front());
    cached = tile::ProgramIdOp::create(builder_, loc_, builder_.getI32Type(), builder_.getI32IntegerAttr(axis));
  }
  return cached;
}

KernelBuilder &KernelBuilder::addSibling(llvm::StringRef role) {
  auto [family, number] = llvm::StringRef(group_.name).rsplit('_');
  std::string name = number.empty() || !llvm::all_of(number, llvm::isDigit)
                         ? (group_.name + "_" + role).str()
                         : (family + "_" + role + "_" + number).str();
  siblings_.push_back(std::make_unique<KernelBuilder>(moduleBuilder_, group_, plan_, name, target_));
  return *siblings_.back();
}

tile::KernelOp KernelBuilder::finish(tile::LaunchProgramOp program) {
  tile::ReturnOp::create(builder_, loc_);
  kernel_.setFunctionType(builder_.getFunctionType(kernel_.getBody().getArgumentTypes(), {}));
  kernel_.setParamNamesAttr(builder_.getStrArrayAttr(
      llvm::SmallVector<llvm::StringRef>(names_.begin(), names_.end())));
  mlir::OpBuilder programBuilder = mlir::OpBuilder::atBlockEnd(&program.getBody().front());
  tile::LaunchOp::create(programBuilder, loc_, kernel_.getSymName(),
                                      programBuilder.getStrArrayAttr(llvm::SmallVector<llvm::StringRef>(
                                          bindings_.begin(), bindings_.end())),
                                      when_.empty() ? mlir::StringAttr() : programBuilder.getStringAttr(when_));
  for (const std::unique_ptr<KernelBuilder> &sibling : siblings_)
    sibling->finish(program);
  return kernel_;
}

} // namespace loom::conversion
