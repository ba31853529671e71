// graph-hoist-weights: weight-only concat/transpose/reshape/cast become one graph.weight with a load-time recipe.
#include "compiler/Transforms/Graph/Passes.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"

namespace loom::graph {

#define GEN_PASS_DEF_GRAPHHOISTWEIGHTSPASS
#include "compiler/Transforms/Graph/Passes.h.inc"

namespace {

constexpr llvm::StringLiteral kRecipeAttr = "loom.recipe";

/// The recipe entry of a weight operand: its checkpoint name, or its own recipe when hoisted.
mlir::Attribute recipeEntry(WeightOp weight) {
  if (mlir::Attribute recipe = weight->getAttr(kRecipeAttr))
    return recipe;
  return weight.getNameAttr();
}

/// The first checkpoint name a recipe entry reads.
llvm::StringRef firstLeafName(mlir::Attribute entry) {
  if (auto name = mlir::dyn_cast<mlir::StringAttr>(entry))
    return name.getValue();
  auto body = mlir::cast<mlir::DictionaryAttr>(
      mlir::cast<mlir::DictionaryAttr>(entry).getValue().front().getValue());
  return firstLeafName(mlir::cast<mlir::ArrayAttr>(body.get("of"))[0]);
}

/// What tells the sources apart once their common prefix and suffix are cut: q_proj, k_proj,
/// v_proj → "qkv"; gate_proj, up_proj → "gate_up"; empty when they do not differ.
std::string distinguishingStem(llvm::ArrayRef<llvm::StringRef> names) {
  size_t prefix = names[0].size(), suffix = names[0].size();
  for (llvm::StringRef name : names.drop_front()) {
    size_t p = 0, s = 0;
    while (p < std::min(prefix, name.size()) && name[p] == names[0][p])
      ++p;
    while (s < std::min(suffix, name.size()) && name[name.size() - 1 - s] == names[0][names[0].size() - 1 - s])
      ++s;
    prefix = p;
    suffix = s;
  }
  llvm::SmallVector<llvm::StringRef> middles;
  bool allSingleCharacters = true;
  for (llvm::StringRef name : names) {
    size_t cut = std::min(prefix, name.size());
    llvm::StringRef middle = name.substr(cut, name.size() - cut - std::min(suffix, name.size() - cut));
    middle = middle.trim("._");
    if (middle.empty())
      return "";
    allSingleCharacters &= middle.size() == 1;
    middles.push_back(middle);
  }
  return llvm::join(middles, allSingleCharacters ? "" : "_");
}

mlir::StringAttr dtypeName(mlir::Builder &builder, mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << mlir::cast<mlir::ShapedType>(type).getElementType();
  return builder.getStringAttr(text);
}

/// The recipe of a weight-only op, as the manifest spells it: {<kind> = {<attrs>, of = [...]}},
/// and the stem of the name the hoisted weight gets.
std::pair<mlir::DictionaryAttr, std::string> recipeOf(mlir::Operation *op, mlir::Builder &builder) {
  llvm::SmallVector<mlir::Attribute> of;
  llvm::SmallVector<llvm::StringRef> leaves;
  for (mlir::Value operand : op->getOperands()) {
    of.push_back(recipeEntry(operand.getDefiningOp<WeightOp>()));
    leaves.push_back(firstLeafName(of.back()));
  }
  llvm::SmallVector<mlir::NamedAttribute> fields;
  fields.push_back(builder.getNamedAttr("of", builder.getArrayAttr(of)));
  std::string kind = op->getName().stripDialect().str();
  std::string stem = kind;
  llvm::TypeSwitch<mlir::Operation *>(op)
      .Case([&](ConcatOp concat) {
        fields.push_back(builder.getNamedAttr("axis", builder.getI64IntegerAttr(concat.getAxis())));
        if (std::string distinct = distinguishingStem(leaves); !distinct.empty())
          stem = distinct;
      })
      .Case([&](TransposeOp transpose) {
        fields.push_back(builder.getNamedAttr("permutation",
                                              builder.getI64ArrayAttr(transpose.getPermutation())));
      })
      .Case([&](ReshapeOp reshape) {
        fields.push_back(builder.getNamedAttr("shape", builder.getI64ArrayAttr(reshape.getType().getShape())));
      })
      .Case([&](CastOp cast) {
        fields.push_back(builder.getNamedAttr("dtype", dtypeName(builder, cast.getType())));
      });
  auto body = builder.getDictionaryAttr(fields);
  return {builder.getDictionaryAttr({builder.getNamedAttr(kind, body)}), stem};
}

bool isWeightOnly(mlir::Operation *op) {
  return mlir::isa<ConcatOp, TransposeOp, ReshapeOp, CastOp>(op) && op->getNumOperands() > 0 &&
         llvm::all_of(op->getOperands(),
                      [](mlir::Value v) { return mlir::isa_and_nonnull<WeightOp>(v.getDefiningOp()); });
}

struct GraphHoistWeightsPass final : impl::GraphHoistWeightsPassBase<GraphHoistWeightsPass> {
  void runOnOperation() override {
    mlir::OpBuilder builder(&getContext());
    llvm::StringMap<unsigned> stemCounts;
    llvm::DenseMap<mlir::Attribute, mlir::StringAttr> nameOfRecipe;
    for (auto function : getOperation().getOps<mlir::func::FuncOp>()) {
      if (function.isExternal())
        continue;
      for (mlir::Operation &op : llvm::make_early_inc_range(function.getBody().front())) {
        if (!isWeightOnly(&op))
          continue;
        auto [recipe, stem] = recipeOf(&op, builder);
        mlir::StringAttr &name = nameOfRecipe[recipe];
        if (!name)
          name = builder.getStringAttr("loom." + stem + "." + std::to_string(stemCounts[stem]++));
        builder.setInsertionPoint(&op);
        auto weight = WeightOp::create(builder, op.getLoc(), op.getResult(0).getType(), name);
        weight->setAttr(kRecipeAttr, recipe);
        llvm::SmallSetVector<mlir::Operation *, 4> sources;
        for (mlir::Value operand : op.getOperands())
          sources.insert(operand.getDefiningOp());
        op.getResult(0).replaceAllUsesWith(weight.getResult());
        op.erase();
        for (mlir::Operation *source : sources)
          if (source->use_empty())
            source->erase();
      }
    }
  }
};

} // namespace
} // namespace loom::graph
