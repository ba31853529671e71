// TuningTable: lookup in the embedded TuningTable.json.
#include "compiler/Transforms/Tile/TuningTable.h"

#include "compiler/Transforms/Tile/SkinnyVariants.h"

#include "llvm/Support/JSON.h"

namespace loom::tile {

namespace {
constexpr const char *kTuningJson =
#include "compiler/Transforms/Tile/TuningTable.inc"
    ;
} // namespace

std::optional<std::map<std::string, int64_t>> tunedConfig(const KernelShape &shape,
                                                          llvm::StringRef target) {
  // Measured without gating, at prefill sizes: GEMVs (rows <= 16) and skinny GEMMs (<= 128)
  // keep the cost model's choice.
  if (shape.family != KernelFamily::kGemm || shape.gating != 1 || shape.rowsBound <= kSkinnyMaxRows)
    return std::nullopt;
  static const std::optional<llvm::json::Value> table = [] {
    auto parsed = llvm::json::parse(kTuningJson);
    if (!parsed) {
      llvm::consumeError(parsed.takeError());
      return std::optional<llvm::json::Value>();
    }
    return std::optional<llvm::json::Value>(std::move(*parsed));
  }();
  const llvm::json::Object *root = table ? table->getAsObject() : nullptr;
  const llvm::json::Array *entries = root ? root->getArray("gemm") : nullptr;
  if (!entries)
    return std::nullopt;
  for (const llvm::json::Value &entry : *entries) {
    const llvm::json::Object *object = entry.getAsObject();
    if (!object || object->getString("target") != target || object->getInteger("n") != shape.n ||
        object->getInteger("k") != shape.k)
      continue;
    std::map<std::string, int64_t> values;
    if (const llvm::json::Object *config = object->getObject("config"))
      for (const auto &[key, value] : *config)
        if (auto number = value.getAsInteger())
          values[key.str()] = *number;
    return values;
  }
  return std::nullopt;
}

} // namespace loom::tile
