// PackageEmitter: kernel sources and the manifest's sections, parameters and launch program.
#include "compiler/Target/CUDA/PackageEmitter.h"

#include "compiler/Target/CUDA/KernelSource.h"
#include "compiler/Transforms/Tile/BatchInvariance.h"
#include "compiler/Transforms/Tile/CostModel.h"
#include "compiler/Transforms/Tile/KernelAnalysis.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

namespace loom::cuda {

namespace {

namespace json = llvm::json;

/// Attributes of the launch program (dictionaries, arrays, numbers, strings) as JSON.
json::Value toJson(mlir::Attribute attribute) {
  if (auto dict = llvm::dyn_cast<mlir::DictionaryAttr>(attribute)) {
    json::Object object;
    for (mlir::NamedAttribute entry : dict)
      object[entry.getName().getValue()] = toJson(entry.getValue());
    return object;
  }
  if (auto array = llvm::dyn_cast<mlir::ArrayAttr>(attribute)) {
    json::Array values;
    for (mlir::Attribute element : array)
      values.push_back(toJson(element));
    return values;
  }
  if (auto integer = llvm::dyn_cast<mlir::IntegerAttr>(attribute))
    return integer.getInt();
  if (auto number = llvm::dyn_cast<mlir::FloatAttr>(attribute))
    return number.getValueAsDouble();
  if (auto text = llvm::dyn_cast<mlir::StringAttr>(attribute))
    return text.str();
  return nullptr;
}

/// A TMA descriptor parameter (sm_90a GEMM operand): what it describes and its box.
json::Object tmaParam(tile::DotOp dot, mlir::Value operand, llvm::StringRef binding) {
  auto kernel = dot->getParentOfType<tile::KernelOp>();
  bool isX = operand == dot.getA();
  auto [of, ref] = binding.split(':');
  // A gated W has 2N rows (gate, then up) and arrives in two boxes of bn / 2 rows per stage.
  int64_t gates = tile::gatingOf(dot) ? 2 : 1;
  std::string rows = tile::renderDimExpr(isX ? dot.getM() : dot.getN());
  if (!isX && gates > 1)
    rows = std::to_string(gates * tile::evaluateAtBounds(dot.getN(), {}).value_or(0));
  int64_t boxRows = isX ? kernel.getConfigValue("bm").value_or(0)
                        : kernel.getConfigValue("bn").value_or(0) / gates;
  return json::Object{{"kind", "tma"},
                      {"of", of},
                      {"ref", ref},
                      {"rows", rows},
                      {"cols", tile::renderDimExpr(dot.getK())},
                      {"box_rows", boxRows},
                      {"box_cols", 64}};
}

mlir::FailureOr<json::Array> kernelParams(tile::KernelOp kernel, tile::LaunchOp launch) {
  tile::DotOp dot;
  kernel.walk([&](tile::DotOp found) { dot = found; });
  bool tma = dot && kernel.getConfigValue("consumers");
  json::Array params;
  for (auto [argument, name, entry] :
       llvm::zip(kernel.getBody().getArguments(), kernel.getParamNames(), launch.getBindings())) {
    llvm::StringRef binding = llvm::cast<mlir::StringAttr>(entry).getValue();
    json::Object param;
    if (tma && (argument == dot.getA() || argument == dot.getB()))
      param = tmaParam(dot, argument, binding);
    else {
      auto [kind, ref] = binding.split(':');
      param["kind"] = kind;
      if (kind == "int" || kind == "float")
        param["value"] = std::stod(ref.str());
      else if (kind != "kv_k" && kind != "kv_v")
        param["ref"] = ref;
    }
    param["name"] = llvm::cast<mlir::StringAttr>(name).getValue();
    params.push_back(std::move(param));
  }
  return params;
}

mlir::FailureOr<json::Object> kernelEntry(tile::KernelOp kernel, tile::LaunchOp launch,
                                          const tile::GpuTarget &target) {
  auto shape = tile::analyzeKernel(kernel);
  auto params = kernelParams(kernel, launch);
  if (mlir::failed(shape) || mlir::failed(params))
    return mlir::failure();
  json::Object tileConfig;
  for (mlir::NamedAttribute entry : kernel.getConfigAttr())
    tileConfig[entry.getName().getValue()] = toJson(entry.getValue());
  kernel.walk([&](tile::DotOp dot) { tileConfig["atom"] = dot.getAtom().value_or("").str(); });
  json::Array ops, block, grid;
  for (mlir::Attribute op : kernel.getOps())
    ops.push_back(llvm::cast<mlir::StringAttr>(op).str());
  llvm::ArrayRef<int32_t> blockExtents = *kernel.getBlock();
  mlir::ArrayAttr gridExtents = *kernel.getGrid();
  for (int32_t extent : blockExtents)
    block.push_back(extent);
  for (mlir::Attribute extent : gridExtents)
    grid.push_back(llvm::cast<mlir::StringAttr>(extent).str());
  std::string name = kernel.getSymName().str();
  return json::Object{
      {"name", name},
      {"source", "kernels/" + name + ".cu"},
      {"ops", std::move(ops)},
      {"block", std::move(block)},
      {"grid", std::move(grid)},
      {"shared_bytes", kernel.getSharedBytes().value_or(0)},
      {"tile", std::move(tileConfig)},
      {"cost", json::Object{{"bytes", shape->bytes}, // zero for library kernels (not modelled)
                            {"flops", shape->flops},
                            {"roofline_us", 1e6 * tile::rooflineSeconds(shape->bytes, shape->flops, target)}}},
      {"params", std::move(*params)}};
}

} // namespace

mlir::FailureOr<Package> emitPackage(mlir::ModuleOp module, const tile::GpuTarget &target) {
  auto programs = llvm::to_vector(module.getOps<tile::LaunchProgramOp>());
  if (programs.size() != 1)
    return module.emitError() << "expected one tile.launch_program, found " << programs.size();
  tile::LaunchProgramOp program = programs.front();
  Package package;
  json::Array kernels, order;
  mlir::SymbolTable symbols(module);
  llvm::StringSet<> emitted;
  for (auto launch : program.getBody().getOps<tile::LaunchOp>()) {
    if (std::optional<llvm::StringRef> when = launch.getWhen())
      order.push_back(json::Object{{"kernel", launch.getKernel().str()}, {"when", when->str()}});
    else
      order.push_back(launch.getKernel().str());
    if (!emitted.insert(launch.getKernel()).second)
      continue;
    auto kernel = symbols.lookup<tile::KernelOp>(launch.getKernel());
    auto source = emitKernelSource(kernel);
    if (mlir::failed(source))
      return mlir::failure();
    auto entry = kernelEntry(kernel, launch, target);
    if (mlir::failed(entry))
      return mlir::failure();
    package.sources["kernels/" + kernel.getSymName().str() + ".cu"] = *source;
    kernels.push_back(std::move(*entry));
  }
  json::Object manifest{{"format", "loom-package"},
                        {"version", 1},
                        {"target", target.name},
                        {"dims", toJson(program.getDims())},
                        {"inputs", toJson(program.getInputs())},
                        {"outputs", toJson(program.getOutputs())},
                        {"weights", toJson(program.getWeights())},
                        {"arena", json::Object{{"bytes", program.getArenaBytes()}, {"alignment", 256}}},
                        {"buffers", toJson(program.getBuffers())},
                        {"kernels", std::move(kernels)},
                        {"program", std::move(order)},
                        // Every emitted kernel waits for the previous grid first (KernelSource),
                        // so the runtime may launch them with programmatic dependent launch.
                        {"launch_overlap", true}};
  if (auto kv = program.getKvCache())
    manifest["kv_cache"] = toJson(*kv);
  if (module->hasAttr(tile::kBatchInvariantAttrName)) // docs/batch-invariance.md
    manifest["batch_invariant"] = true;
  package.manifest = llvm::formatv("{0:2}", json::Value(std::move(manifest))).str();
  return package;
}

} // namespace loom::cuda
