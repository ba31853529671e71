// Compiling a graph module's text into the package the JIT cache stores.
#include "frontend/Jit/CompiledGraph.h"

#include "dialects/Graph/IR/GraphOps.h"
#include "frontend/Reference/Interpreter/MlirTypes.h"
#include "runtime/CUDA/GpuArch.h"
#include "runtime/DeviceLib/DeviceLib.h"
#include "runtime/Support/Hash.h"

#include "llvm/Config/llvm-config.h"

#include <fmt/format.h>

#include <chrono>

namespace loom {

namespace {

constexpr std::string_view kJitFormat = "loom-jit-1";

/// Every distinct checkpoint tensor the graph reads, in first-use order.
StatusOr<std::vector<GraphWeight>> readWeights(mlir::func::FuncOp function) {
  std::vector<GraphWeight> weights;
  Status status;
  function.walk([&](graph::WeightOp weight) {
    auto type = weight.getResult().getType();
    StatusOr<ref::ElementType> element = ref::elementTypeOf(type.getElementType());
    if (!element.isOk()) {
      status = element.status().withContext("weight " + weight.getName().str());
      return mlir::WalkResult::interrupt();
    }
    GraphWeight entry{weight.getName().str(), *element,
                      ref::Shape(type.getShape().begin(), type.getShape().end())};
    if (std::none_of(weights.begin(), weights.end(),
                     [&](const GraphWeight &known) { return known.name == entry.name; }))
      weights.push_back(std::move(entry));
    return mlir::WalkResult::advance();
  });
  if (!status.isOk())
    return status;
  return weights;
}

} // namespace

std::string jitCompilerVersion() {
  return fmt::format("{} llvm-{} devicelib-{}", kJitFormat, LLVM_VERSION_STRING,
                     rt::deviceLibDigest().substr(0, 16));
}

std::string jitCacheKey(std::string_view moduleText, std::string_view arch) {
  Sha256 hash;
  hash.updateField(kJitFormat);
  hash.updateField(moduleText);
  hash.updateField(arch);
  hash.updateField(jitCompilerVersion());
  return hash.hexDigest();
}

StatusOr<std::shared_ptr<const CompiledGraph>> compileGraph(std::string_view moduleText,
                                                            std::string_view arch, std::string key) {
  LOOM_RETURN_IF_ERROR(rt::parseGpuArch(arch).status());
  auto start = std::chrono::steady_clock::now();
  auto compiled = std::make_shared<CompiledGraph>();
  compiled->key = std::move(key);
  compiled->arch = std::string(arch);
  LOOM_ASSIGN_OR_RETURN(verify::GraphModule graph, verify::GraphModule::parse(moduleText, "jit"));
  compiled->graph = std::make_shared<verify::GraphModule>(std::move(graph));
  mlir::func::FuncOp function = compiled->graph->function();
  LOOM_ASSIGN_OR_RETURN(compiled->signature, verify::readSignature(function));
  LOOM_ASSIGN_OR_RETURN(compiled->callSignature, CallSignature::parse(compiled->signature));
  LOOM_ASSIGN_OR_RETURN(compiled->weights, readWeights(function));
  LOOM_ASSIGN_OR_RETURN(cuda::Package package, compiled->graph->compile(arch));
  LOOM_ASSIGN_OR_RETURN(compiled->package, rt::makePackage(package.manifest, package.sources));
  compiled->compileMilliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return std::shared_ptr<const CompiledGraph>(std::move(compiled));
}

} // namespace loom
