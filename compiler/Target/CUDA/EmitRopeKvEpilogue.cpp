// Emission of the rope + KV-append GEMM epilogue: a `loom.rope_kv` store becomes
// loom::epi::makeRopeKvAppend over the kernel's named parameters.
#include "compiler/Target/CUDA/EmitRopeKvEpilogue.h"
#include "dialects/Tile/IR/RopeKvParameters.h"

#include "llvm/ADT/StringExtras.h"

namespace loom::cuda {

namespace {

/// The kernel parameter called `name` (graph-to-tile adds them by these names), or null.
mlir::Value parameterNamed(tile::KernelOp kernel, llvm::StringRef name) {
  for (auto [index, attr] : llvm::enumerate(kernel.getParamNames()))
    if (mlir::cast<mlir::StringAttr>(attr).getValue() == name)
      return kernel.getBody().getArgument(index);
  return nullptr;
}

/// The `loom.rope_kv` entries, in makeRopeKvAppend's template order after the element type.
constexpr llvm::StringLiteral kTemplateParameters[] = {"head_dim", "q_width", "kv_width", "block_size"};
constexpr llvm::StringLiteral kCallParameters[] = {"positions", "slots", "k_cache", "v_cache", "layer",
                                                   "cache_blocks"};

} // namespace

mlir::FailureOr<std::optional<std::string>> ropeKvEpilogue(tile::KernelOp kernel, tile::StoreOp store,
                                                           KernelSource &source,
                                                           const std::vector<std::string> &parts) {
  auto config = store->getAttrOfType<mlir::DictionaryAttr>("loom.rope_kv");
  if (!config)
    return std::optional<std::string>();
  if (kernel.getConfigValue("simt"))
    return store.emitOpError() << "the rope + KV-append epilogue needs column pairs, which "
                                  "loom::gemmSimt's per-element store does not give";
  std::string element = source.pointee(store.getPtr());
  std::vector<std::string> templateArguments = {element};
  for (llvm::StringRef key : kTemplateParameters) {
    auto attr = config.getAs<mlir::IntegerAttr>(key);
    if (!attr)
      return store.emitOpError() << "loom.rope_kv has no integer '" << key << "'";
    templateArguments.push_back(std::to_string(attr.getInt()));
  }
  std::vector<std::string> arguments = {source.name(store.getPtr())};
  auto named = [&](const auto &names) -> mlir::LogicalResult {
    for (llvm::StringRef name : names) {
      mlir::Value parameter = parameterNamed(kernel, name);
      if (!parameter)
        return store.emitOpError() << "rope + KV-append epilogue: the kernel has no '" << name << "' parameter";
      arguments.push_back(source.name(parameter));
    }
    return mlir::success();
  };
  if (mlir::failed(named(kCallParameters)))
    return mlir::failure();
  for (llvm::StringRef pool : {"k_cache", "v_cache"}) // written through, so not const
    source.declare(parameterNamed(kernel, pool), element + " *" + pool.str());
  size_t frequenciesBegin = arguments.size();
  if (mlir::failed(named(tile::kRopeFrequencyParameters)))
    return mlir::failure();
  std::string frequencies =
      "loom::RopeFrequencies{" + llvm::join(llvm::ArrayRef(arguments).drop_front(frequenciesBegin), ", ") + "}";
  arguments.resize(frequenciesBegin);
  arguments.push_back(frequencies);
  arguments.insert(arguments.end(), parts.begin(), parts.end());
  source.include("loom/epilogue_rope_kv.cuh");
  return std::optional<std::string>("loom::epi::makeRopeKvAppend<" + llvm::join(templateArguments, ", ") + ">(" +
                                    llvm::join(arguments, ", ") + ")");
}

} // namespace loom::cuda
