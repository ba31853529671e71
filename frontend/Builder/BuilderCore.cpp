// Builder: the function under construction, its arguments and bounds, weights, errors, finish().
#include "frontend/Builder/Builder.h"

#include "frontend/Builder/BuilderCreate.h"
#include "frontend/Builder/TypeText.h"
#include "dialects/Graph/IR/GraphDialect.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace loom {
namespace {

Status invalid(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

/// Bounds attach to plain names ("tokens"), not to expressions ("seqs+1").
bool isIdentifier(const std::string &name) {
  return !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
         });
}

std::string shapeText(const std::vector<int64_t> &shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

} // namespace

Builder::Builder(mlir::MLIRContext &context, std::string functionName)
    : context_(context), builder_(&context) {
  context.loadDialect<graph::GraphDialect, mlir::func::FuncDialect>();
  module_ = mlir::ModuleOp::create(builder_.getUnknownLoc());
  builder_.setInsertionPointToEnd(module_->getBody());
  auto function = mlir::func::FuncOp::create(builder_, builder_.getUnknownLoc(), functionName,
                                             builder_.getFunctionType({}, {}));
  function_ = function.getOperation();
  builder_.setInsertionPointToEnd(function.addEntryBlock());
}

mlir::Location Builder::location() {
  if (scope_.empty())
    return builder_.getUnknownLoc();
  return mlir::NameLoc::get(builder_.getStringAttr(scope_));
}

void Builder::fail(std::string_view op, llvm::ArrayRef<mlir::Value> operands,
                   const std::string &reason) {
  if (!status_.isOk())
    return;
  std::vector<std::string> types;
  for (mlir::Value operand : operands)
    types.push_back(operand ? typeText(operand.getType()) : "<invalid>");
  std::string scope = scope_.empty() ? "" : scope_ + ": ";
  status_ = invalid(fmt::format("{}{} of ({}): {}", scope, op, fmt::join(types, ", "), reason));
}

bool Builder::check(bool condition, std::string_view op,
                    llvm::ArrayRef<mlir::Value> operands, const std::string &reason) {
  if (!condition)
    fail(op, operands, reason);
  return condition;
}

bool Builder::ready(std::string_view op, llvm::ArrayRef<mlir::Value> operands) {
  if (!status_.isOk())
    return false;
  if (finished_) {
    status_ = invalid(fmt::format("{}: the builder is finished; start a new one", op));
    return false;
  }
  size_t index = 0;
  for (mlir::Value operand : operands) {
    if (!operand) {
      fail(op, operands, fmt::format("operand {} is an empty Tensor", index));
      return false;
    }
    if (operand.getParentRegion() != &function_->getRegion(0)) {
      fail(op, operands, fmt::format("operand {} was built by another Builder", index));
      return false;
    }
    ++index;
  }
  return true;
}

std::optional<int64_t> Builder::normalizeAxis(int64_t axis, int64_t rank) {
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank)
    return std::nullopt;
  return normalized;
}

void Builder::bound(const std::string &dimName, int64_t maxExtent) {
  if (!status_.isOk())
    return;
  if (!isIdentifier(dimName)) {
    status_ = invalid(fmt::format("bound: dimension name '{}' must be an identifier", dimName));
    return;
  }
  if (maxExtent <= 0) {
    status_ = invalid(fmt::format("bound: dimension '{}' needs a positive bound, got {}",
                                  dimName, maxExtent));
    return;
  }
  auto [it, inserted] = bounds_.emplace(dimName, maxExtent);
  if (!inserted && it->second != maxExtent)
    status_ = invalid(fmt::format("bound: dimension '{}' is bounded twice, by {} and by {}",
                                  dimName, it->second, maxExtent));
}

Tensor Builder::input(const std::string &name, const std::vector<Dim> &shape, DType dtype) {
  if (!ready("input", {}))
    return {};
  auto reject = [&](const std::string &why) {
    status_ = invalid(fmt::format("input '{}': {}", name, why));
    return Tensor();
  };
  if (name.empty() || std::count(inputNames_.begin(), inputNames_.end(), name))
    return reject("an input needs a unique, non-empty name");
  if (shape.empty())
    return reject("needs at least one dimension");
  std::vector<int64_t> extents;
  std::vector<std::string> names;
  bool dynamic = false;
  for (const Dim &dim : shape) {
    if (dim.isDynamic()) {
      if (dim.name.empty())
        return reject("a dynamic dimension needs a name");
      dynamic = true;
      if (dim.maxExtent) {
        bound(dim.name, *dim.maxExtent);
        if (!status_.isOk())
          return {};
      }
    } else if (dim.extent <= 0) {
      return reject(fmt::format("extents must be positive, got {}", dim.extent));
    }
    extents.push_back(dim.extent);
    names.push_back(dim.name);
  }
  auto type = mlir::RankedTensorType::get(extents, toMlirType(dtype, context_));
  mlir::Block &body = function_->getRegion(0).front();
  mlir::Value argument =
      body.addArgument(type, mlir::NameLoc::get(builder_.getStringAttr(name)));
  inputNames_.push_back(name);
  inputDims_.push_back(dynamic ? names : std::vector<std::string>{});
  return Tensor(argument);
}

KVCache Builder::kvCacheInput(const std::string &name, const KVCacheShape &shape, DType dtype) {
  if (!ready("kv cache input", {}))
    return {};
  const std::pair<const char *, int64_t> extents[] = {{"layers", shape.layers},
                                                      {"blocks", shape.blocks},
                                                      {"blockSize", shape.blockSize},
                                                      {"kvHeads", shape.kvHeads},
                                                      {"headDim", shape.headDim}};
  for (auto [field, value] : extents)
    if (value <= 0) {
      status_ = invalid(fmt::format("kv cache input '{}': {} must be positive, got {}", name,
                                    field, value));
      return {};
    }
  if (!isFloatDType(dtype) || name.empty() ||
      std::count(inputNames_.begin(), inputNames_.end(), name)) {
    status_ = invalid(fmt::format("kv cache input '{}': needs a unique name and a float element "
                                  "type, got {}", name, dtypeName(dtype)));
    return {};
  }
  auto type = graph::KVCacheType::get(&context_, shape.layers, shape.blocks, shape.blockSize,
                                      shape.kvHeads, shape.headDim, toMlirType(dtype, context_));
  mlir::Block &body = function_->getRegion(0).front();
  mlir::Value argument =
      body.addArgument(type, mlir::NameLoc::get(builder_.getStringAttr(name)));
  inputNames_.push_back(name);
  inputDims_.push_back({});
  return KVCache(argument);
}

Tensor Builder::weight(const std::string &name, const std::vector<int64_t> &shape) {
  return weight(name, shape, weightDType_);
}

Tensor Builder::weight(const std::string &name, const std::vector<int64_t> &shape, DType dtype) {
  if (!ready("graph.weight", {}))
    return {};
  auto reject = [&](const std::string &why) {
    status_ = invalid(fmt::format("graph.weight '{}' {} {}: {}", name, shapeText(shape),
                                  dtypeName(dtype), why));
    return Tensor();
  };
  if (name.empty())
    return reject("a weight needs a name");
  if (shape.empty() || std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d <= 0; }))
    return reject("a weight needs at least one dimension, all positive");
  if (!isFloatDType(dtype))
    return reject("weights are bf16, f16 or f32");
  WeightSpec spec{name, shape, dtype};
  if (auto it = weightValues_.find(name); it != weightValues_.end()) {
    const WeightSpec &bound = *std::find_if(weights_.begin(), weights_.end(),
                                            [&](const WeightSpec &w) { return w.name == name; });
    if (bound == spec)
      return Tensor(it->second);
    return reject(fmt::format("already bound as {} {}", shapeText(bound.shape),
                              dtypeName(bound.dtype)));
  }
  auto type = mlir::RankedTensorType::get(shape, toMlirType(dtype, context_));
  mlir::Operation *op = create<graph::WeightOp>({}, type, name);
  if (!op)
    return {};
  weights_.push_back(spec);
  weightValues_.emplace(name, op->getResult(0));
  return Tensor(op->getResult(0));
}

StatusOr<mlir::OwningOpRef<mlir::ModuleOp>> Builder::finish(const std::vector<Output> &outputs) {
  if (!ready("finish", {}))
    return status_;
  std::vector<mlir::Type> resultTypes;
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i].value)
      return invalid(fmt::format("finish: output {} is an empty Tensor", i));
    if (mlir::Value(outputs[i].value).getParentRegion() != &function_->getRegion(0))
      return invalid(fmt::format("finish: output {} was built by another Builder", i));
    resultTypes.push_back(outputs[i].value.getType());
  }
  auto function = mlir::cast<mlir::func::FuncOp>(function_);
  std::vector<mlir::Value> results;
  for (const Output &output : outputs)
    results.push_back(output.value);
  mlir::func::ReturnOp::create(builder_, builder_.getUnknownLoc(), results);
  mlir::Block &body = function.getBody().front();
  function.setFunctionType(builder_.getFunctionType(body.getArgumentTypes(), resultTypes));
  // Names travel as `loom.name` (argument and result attributes): a compiled package's inputs
  // and outputs are known by them (docs/package.md).
  for (size_t i = 0; i < inputNames_.size(); ++i)
    function.setArgAttr(i, "loom.name", builder_.getStringAttr(inputNames_[i]));
  for (size_t i = 0; i < outputs.size(); ++i)
    if (!outputs[i].name.empty())
      function.setResultAttr(i, "loom.name", builder_.getStringAttr(outputs[i].name));
  for (size_t i = 0; i < inputDims_.size(); ++i) {
    if (inputDims_[i].empty())
      continue;
    std::vector<mlir::Attribute> names;
    for (const std::string &dim : inputDims_[i])
      names.push_back(builder_.getStringAttr(dim));
    function.setArgAttr(i, "loom.dims", builder_.getArrayAttr(names));
  }
  for (const auto &[dim, maxExtent] : bounds_)
    function->setAttr("loom.max_" + dim, builder_.getI64IntegerAttr(maxExtent));
  finished_ = true;
  std::string errors = verificationErrors(*module_, /*recursive=*/true);
  if (!errors.empty())
    return invalid(fmt::format("function @{} does not verify: {}",
                               function.getSymName().str(), errors));
  return std::move(module_);
}

} // namespace loom
