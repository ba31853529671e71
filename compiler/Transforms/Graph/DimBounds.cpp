// Dim bounds: named argument dims bounded by loom.max_*, propagated to every result conservatively.
#include "compiler/Transforms/Graph/DimBounds.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

namespace loom::graph {

namespace {
constexpr llvm::StringLiteral kDefaultLeadingDim = "tokens";
} // namespace

mlir::FailureOr<int64_t> boundOfDimName(mlir::func::FuncOp function, llvm::StringRef expression) {
  llvm::SmallVector<llvm::StringRef> terms;
  expression.split(terms, '+');
  int64_t total = 0;
  for (llvm::StringRef term : terms) {
    term = term.trim();
    int64_t value;
    if (!term.getAsInteger(10, value)) {
      total += value;
      continue;
    }
    auto bound = function->getAttrOfType<mlir::IntegerAttr>(("loom.max_" + term).str());
    if (!bound)
      return function.emitError() << "dimension '" << term << "' has no bound: the function needs a loom.max_"
                                  << term << " attribute";
    total += bound.getInt();
  }
  return total;
}

const ShapeBound *DimBounds::lookup(mlir::Value value) const {
  auto it = bounds.find(value);
  return it == bounds.end() ? nullptr : &it->second;
}

mlir::FailureOr<DimBounds> DimBounds::compute(mlir::func::FuncOp function) {
  DimBounds result;
  for (auto [index, argument] : llvm::enumerate(function.getArguments())) {
    auto type = mlir::dyn_cast<mlir::RankedTensorType>(argument.getType());
    if (!type)
      continue;
    auto names = function.getArgAttrOfType<mlir::ArrayAttr>(index, "loom.dims");
    for (int64_t d = 1; !names && d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        return function.emitError() << "argument #" << index << " has dynamic dimension " << d
                                    << " but no loom.dims naming it";
    // loom.dims may leave out trailing static dimensions.
    if (names && (static_cast<int64_t>(names.size()) > type.getRank() ||
                  llvm::any_of(type.getShape().drop_front(names.size()), mlir::ShapedType::isDynamic)))
      return function.emitError() << "loom.dims of argument #" << index << " names " << names.size()
                                  << " dimensions, its type has " << type.getRank();
    ShapeBound shape;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d)) {
        shape.push_back({type.getDimSize(d), std::to_string(type.getDimSize(d))});
        continue;
      }
      // Without loom.dims, a dynamic leading dimension is the step's tokens.
      auto name = names ? mlir::dyn_cast<mlir::StringAttr>(names[d])
                        : mlir::StringAttr::get(function.getContext(), kDefaultLeadingDim);
      if (!name)
        return function.emitError() << "loom.dims of argument #" << index << " must be strings";
      mlir::FailureOr<int64_t> bound = boundOfDimName(function, name.getValue());
      if (mlir::failed(bound))
        return mlir::failure();
      shape.push_back({*bound, name.getValue().str()});
    }
    result.bounds[argument] = std::move(shape);
  }
  if (mlir::failed(result.propagate(function.getBody().front())))
    return mlir::failure();
  return result;
}

mlir::LogicalResult DimBounds::propagate(mlir::Block &block) {
  for (mlir::Operation &op : block) {
    if (auto fused = mlir::dyn_cast<FusedOp>(op)) {
      mlir::Block &body = fused.getBody().front();
      for (auto [argument, input] : llvm::zip(body.getArguments(), fused.getInputs()))
        if (const ShapeBound *shape = lookup(input)) {
          ShapeBound copy = *shape; // before operator[]: inserting may grow the map and move *shape
          bounds[argument] = std::move(copy);
        }
      if (mlir::failed(propagate(body)))
        return mlir::failure();
      for (auto [result, yielded] : llvm::zip(fused.getResults(), fused.getYield().getValues()))
        if (const ShapeBound *shape = lookup(yielded)) {
          ShapeBound copy = *shape;
          bounds[result] = std::move(copy);
        }
      continue;
    }
    for (mlir::Value result : op.getResults())
      if (mlir::failed(bindResult(&op, result)))
        return mlir::failure();
  }
  return mlir::success();
}

/// Product of the static extents of a type.
static int64_t staticElements(mlir::RankedTensorType type) {
  int64_t elements = 1;
  for (int64_t extent : type.getShape())
    if (!mlir::ShapedType::isDynamic(extent))
      elements *= extent;
  return elements;
}

/// reshape keeps the element count: its one dynamic dim scales by the static parts' ratio.
static std::optional<DimBound> reshapedDim(ReshapeOp reshape, const ShapeBound &input) {
  auto inputType = reshape.getInput().getType();
  std::optional<DimBound> dynamic;
  for (int64_t d = 0; d < inputType.getRank(); ++d)
    if (inputType.isDynamicDim(d))
      dynamic = input[d];
  if (!dynamic)
    return std::nullopt;
  int64_t in = staticElements(inputType), out = staticElements(reshape.getType());
  if (in == out)
    return dynamic;
  if (in % out == 0)
    return DimBound{dynamic->bound * (in / out), "(" + dynamic->name + ")*" + std::to_string(in / out)};
  return DimBound{(dynamic->bound * in + out - 1) / out, "ceildiv((" + dynamic->name + ")*" +
                                                            std::to_string(in) + ", " +
                                                            std::to_string(out) + ")"};
}

/// Ops whose dynamic result dims come from one operand: a dim takes that operand's dim at the
/// same position, or at `operandDim` when set (rows of an embedding are its ids).
struct DimSource {
  llvm::StringLiteral op;
  unsigned operand;
  std::optional<int64_t> operandDim;
};
constexpr DimSource kDimSources[] = {
    {"graph.embedding", 1, 0},      {"graph.linear", 0, std::nullopt},
    {"graph.attention", 0, std::nullopt}, {"graph.paged_attention", 0, std::nullopt},
    {"graph.sample", 0, 0},         {"graph.argmax", 0, std::nullopt},
};

/// The bound a DimSource row gives dim `d` of `op`'s result, if the op has a row.
std::optional<DimBound> DimBounds::sourcedDim(mlir::Operation *op, int64_t d) const {
  llvm::StringRef name = op->getName().getStringRef();
  const DimSource *source =
      llvm::find_if(kDimSources, [&](const DimSource &row) { return row.op == name; });
  if (source == std::end(kDimSources))
    return std::nullopt;
  const ShapeBound *shape = lookup(op->getOperand(source->operand));
  int64_t dim = source->operandDim.value_or(d);
  if (!shape || dim >= static_cast<int64_t>(shape->size()))
    return std::nullopt;
  return (*shape)[dim];
}

mlir::LogicalResult DimBounds::bindResult(mlir::Operation *op, mlir::Value result) {
  auto type = mlir::dyn_cast<mlir::RankedTensorType>(result.getType());
  if (!type)
    return mlir::success();
  ShapeBound shape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!type.isDynamicDim(d)) {
      shape.push_back({type.getDimSize(d), std::to_string(type.getDimSize(d))});
      continue;
    }
    std::optional<DimBound> chosen;
    auto consider = [&](const DimBound &candidate) {
      if (!chosen || candidate.bound > chosen->bound)
        chosen = candidate;
    };
    if (auto reshape = mlir::dyn_cast<ReshapeOp>(op)) {
      if (const ShapeBound *input = lookup(reshape.getInput()))
        chosen = reshapedDim(reshape, *input);
    } else if (std::optional<DimBound> sourced = sourcedDim(op, d)) {
      chosen = sourced;
    } else {
      // The same position of same-rank operands first, else any dynamic dim of any operand.
      for (bool samePosition : {true, false}) {
        for (mlir::Value operand : op->getOperands()) {
          auto operandType = mlir::dyn_cast<mlir::RankedTensorType>(operand.getType());
          const ShapeBound *operandShape = lookup(operand);
          if (!operandType || !operandShape)
            continue;
          for (int64_t od = 0; od < operandType.getRank(); ++od)
            if (operandType.isDynamicDim(od) &&
                (!samePosition || (operandType.getRank() == type.getRank() && od == d)))
              consider((*operandShape)[od]);
        }
        if (chosen)
          break;
      }
    }
    if (!chosen)
      return op->emitError() << "cannot bound dynamic dimension " << d
                             << " of this result: no operand has a bounded dynamic dimension";
    shape.push_back(*chosen);
  }
  bounds[result] = std::move(shape);
  return mlir::success();
}

} // namespace loom::graph
