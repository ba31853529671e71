// The --report table of loomc.
#include "Report.h"

#include "compiler/Transforms/Tile/CostModel.h"
#include "compiler/Transforms/Tile/KernelAnalysis.h"

#include <fmt/format.h>

namespace loom::loomc {

void printReport(mlir::ModuleOp module, const tile::GpuTarget &target,
                 const std::map<std::string, rt::CompiledKernel> &compiled, llvm::raw_ostream &os) {
  os << fmt::format("{:<34} {:<40} {:<44} {:<24} {:>8} {:>5} {:>12} {:>12} {:>10}\n", "kernel",
                    "ops", "tile", "atom", "smem", "regs", "bytes", "flops", "roofline");
  double total = 0;
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
    auto shape = tile::analyzeKernel(kernel);
    double bytes = mlir::succeeded(shape) ? shape->bytes : 0, flops = mlir::succeeded(shape) ? shape->flops : 0;
    double seconds = tile::rooflineSeconds(bytes, flops, target);
    total += seconds;
    os << fmt::format("{:<34} {:<40} {:<44} {:<24} {:>8} {:>5} {:>12.4g} {:>12.4g} {:>8.2f}us\n",
                      kernel.getSymName().str(), ops, config, atom,
                      kernel.getSharedBytes().value_or(0) + uint64_t(staticShared), registers, bytes,
                      flops, seconds * 1e6);
  }
  os << fmt::format("roofline total on {} at the dim bounds: {:.2f}us\n", target.name.str(), total * 1e6);
}

} // namespace loom::loomc
