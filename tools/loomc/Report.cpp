// The --report table of loomc and its roofline chart.
#include "Report.h"

#include "compiler/Transforms/Tile/CostModel.h"
#include "compiler/Transforms/Tile/KernelAnalysis.h"
#include "compiler/Transforms/Tile/SimtFallback.h"
#include "tools/loomc/RooflineSvg.h"

#include <fmt/format.h>

namespace loom::loomc {

namespace {

/// What the cost model says of one kernel at the dim bounds.
struct KernelCost {
  double bytes = 0, flops = 0;
  double rooflineSeconds = 0;  ///< max(bytes / bandwidth, flops / peak)
  /// The cost model's time of the kernel's tile configuration (wave quantization, lane use);
  /// the roofline time where the model prices no configuration.
  double predictedSeconds = 0;
};

KernelCost kernelCost(tile::KernelOp kernel, const tile::GpuTarget &target) {
  KernelCost cost;
  auto shape = tile::analyzeKernel(kernel);
  if (mlir::failed(shape))
    return cost;
  cost.bytes = shape->bytes;
  cost.flops = shape->flops;
  cost.rooflineSeconds = tile::rooflineSeconds(cost.bytes, cost.flops, target);
  cost.predictedSeconds = cost.rooflineSeconds;
  std::map<std::string, int64_t> values;
  for (mlir::NamedAttribute entry : kernel.getConfigAttr())
    values[entry.getName().str()] = llvm::cast<mlir::IntegerAttr>(entry.getValue()).getInt();
  // The tiling pass wrote the configuration the cost model completed (library calls and the
  // CUDA-core fallback have none it prices): re-completing it gives the time it was chosen by.
  bool priced = shape->family != tile::KernelFamily::kLibrary &&
                !kernel->hasAttr(tile::kFallbackAttrName) && !values.empty();
  if (priced)
    if (auto config = tile::completeConfig(*shape, target, values); mlir::succeeded(config))
      cost.predictedSeconds = config->seconds;
  return cost;
}

} // namespace

void printReport(mlir::ModuleOp module, const tile::GpuTarget &target,
                 const std::map<std::string, rt::CompiledKernel> &compiled, llvm::raw_ostream &os) {
  os << fmt::format("{:<34} {:<40} {:<44} {:<24} {:>8} {:>5} {:>12} {:>12} {:>10} {:>10}\n",
                    "kernel", "ops", "tile", "atom", "smem", "regs", "bytes", "flops", "roofline",
                    "predicted");
  double total = 0, predicted = 0;
  for (auto kernel : module.getOps<tile::KernelOp>()) {
    std::string ops, config, atom = "-";
    for (mlir::Attribute op : kernel.getOps())
      ops += (ops.empty() ? "" : ",") + llvm::cast<mlir::StringAttr>(op).getValue().drop_front(6).str();
    for (mlir::NamedAttribute entry : kernel.getConfigAttr())
      config += (config.empty() ? "" : " ") + entry.getName().str() + "=" +
                std::to_string(llvm::cast<mlir::IntegerAttr>(entry.getValue()).getInt());
    kernel.walk([&](tile::DotOp dot) { atom = dot.getAtom().value_or("-").str(); });
    int registers = -1, staticShared = 0;
    if (auto it = compiled.find(kernel.getSymName().str()); it != compiled.end())
      for (const rt::KernelResources &resources : it->second.resources)
        if (resources.function == kernel.getSymName()) {
          registers = resources.registers;
          staticShared = std::max(resources.sharedBytes, 0);
        }
    KernelCost cost = kernelCost(kernel, target);
    total += cost.rooflineSeconds;
    predicted += cost.predictedSeconds;
    os << fmt::format("{:<34} {:<40} {:<44} {:<24} {:>8} {:>5} {:>12.4g} {:>12.4g} {:>8.2f}us "
                      "{:>8.2f}us\n",
                      kernel.getSymName().str(), ops, config, atom,
                      kernel.getSharedBytes().value_or(0) + uint64_t(staticShared), registers,
                      cost.bytes, cost.flops, cost.rooflineSeconds * 1e6,
                      cost.predictedSeconds * 1e6);
  }
  os << fmt::format("roofline total on {} at the dim bounds: {:.2f}us (predicted {:.2f}us)\n",
                    target.name.str(), total * 1e6, predicted * 1e6);
}

std::string reportSvg(mlir::ModuleOp module, const tile::GpuTarget &target,
                      const std::string &title) {
  RooflineChart chart{title, "predicted", target.memoryBytesPerSecond,
                      target.tensorFlopsPerSecond, {}};
  for (auto kernel : module.getOps<tile::KernelOp>()) {
    KernelCost cost = kernelCost(kernel, target);
    chart.kernels.push_back(
        {kernel.getSymName().str(), cost.bytes, cost.flops, cost.predictedSeconds});
  }
  return rooflineSvg(chart);
}

} // namespace loom::loomc
