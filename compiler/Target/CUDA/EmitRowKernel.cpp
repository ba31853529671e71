// Emission of row kernels (norms, softmax, argmax, embedding): the body's op sequence is
// matched against a table of the device library's row families.
//
// How it works: the kernel's signature is its op kinds in order ("load load reduce.mean_square
// map.add ..."); each table row names a signature and writes the call of its family with the
// kernel's parameters picked by role (row tiles, [H] vectors, stores) and the tile config.
#include "compiler/Target/CUDA/KernelSource.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/StringExtras.h"

namespace loom::cuda {

namespace {

/// The parts of a row kernel a family call needs.
struct RowParts {
  mutable tile::KernelOp kernel;
  KernelSource &source;
  llvm::SmallVector<tile::LoadOp> rowLoads, vectorLoads; ///< [rows, H] tiles, [H] tiles
  mutable llvm::SmallVector<tile::StoreOp> stores;
  tile::GatherOp gather;
  float eps = 0;
  int64_t length = 0;

  std::string config(llvm::StringRef key) const {
    return std::to_string(kernel.getConfigValue(key).value_or(0));
  }
  /// "<kHidden>, <threads per row>, <vec>, <rows per CTA>".
  std::string shape() const {
    return std::to_string(length) + ", " + config("threads_per_row") + ", " + config("vec") + ", " +
           config("rows");
  }
  std::string rows() const { return source.expr(stores[0].getBounds()[0]); }
  std::string name(mlir::Value v) const { return source.name(v); }
  std::string type(mlir::Value pointer) const { return source.pointee(pointer); }
};

using FamilyCall = std::string (*)(RowParts &);

std::string rmsNormCall(RowParts &p) {
  p.source.include("loom/norm.cuh");
  auto x = p.rowLoads[0].getPtr(), w = p.vectorLoads[0].getPtr(), y = p.stores[0].getPtr();
  return "loom::rmsNorm<" + p.type(x) + ", " + p.type(w) + ", " + p.type(y) + ", " + p.shape() +
         ">(" + p.name(x) + ", " + p.name(w) + ", " + p.name(y) + ", " + p.rows() + ", " +
         KernelSource::floatLiteral(p.eps) + ")";
}

std::string addRmsNormCall(RowParts &p) {
  p.source.include("loom/norm.cuh");
  // The store of the sum (a map of the two row loads) is the residual output.
  auto first = p.stores[0].getValue().getDefiningOp<tile::MapOp>();
  bool sumFirst = first && first.getKind() == tile::MapKind::add;
  auto sum = p.stores[sumFirst ? 0 : 1].getPtr(), out = p.stores[sumFirst ? 1 : 0].getPtr();
  auto x = p.rowLoads[0].getPtr(), residual = p.rowLoads[1].getPtr(), w = p.vectorLoads[0].getPtr();
  return "loom::addRmsNorm<" + p.type(x) + ", " + p.type(w) + ", " + p.type(out) + ", " + p.shape() +
         ">(" + p.name(x) + ", " + p.name(residual) + ", " + p.name(w) + ", " + p.name(sum) + ", " +
         p.name(out) + ", " + p.rows() + ", " + KernelSource::floatLiteral(p.eps) + ")";
}

std::string layerNormCall(RowParts &p) {
  p.source.include("loom/norm.cuh");
  bool bias = p.vectorLoads.size() == 2;
  auto x = p.rowLoads[0].getPtr(), w = p.vectorLoads[0].getPtr(), y = p.stores[0].getPtr();
  std::string biasArg = bias ? p.name(p.vectorLoads[1].getPtr()) : "nullptr";
  return "loom::layerNorm<" + p.type(x) + ", " + p.type(w) + ", " + p.type(y) + ", " +
         (bias ? "true" : "false") + ", " + p.shape() + ">(" + p.name(x) + ", " + p.name(w) + ", " +
         biasArg + ", " + p.name(y) + ", " + p.rows() + ", " + KernelSource::floatLiteral(p.eps) + ")";
}

std::string softmaxCall(RowParts &p) {
  p.source.include("loom/softmax.cuh");
  auto x = p.rowLoads[0].getPtr(), y = p.stores[0].getPtr();
  return "loom::softmax<" + p.type(x) + ", " + p.type(y) + ", " + p.config("threads_per_row") + ", " +
         p.config("vec") + ", " + p.config("rows") + ">(" + p.name(x) + ", " + p.name(y) + ", " +
         p.rows() + ", " + std::to_string(p.length) + ")";
}

std::string argmaxCall(RowParts &p) {
  p.source.include("loom/argmax.cuh");
  auto x = p.rowLoads[0].getPtr(), y = p.stores[0].getPtr();
  return "loom::argmax<" + p.type(x) + ", " + p.config("threads_per_row") + ", " + p.config("vec") +
         ", " + p.config("rows") + ">(" + p.name(x) + ", " + p.name(y) + ", " + p.rows() + ", " +
         std::to_string(p.length) + ")";
}

std::string embeddingCall(RowParts &p) {
  p.source.include("loom/embedding.cuh");
  auto table = p.gather.getTable(), ids = p.vectorLoads[0].getPtr(), y = p.stores[0].getPtr();
  // Bad ids read as zero rows and are counted in the package's error record, when bound.
  mlir::Value errors = p.gather.getErrors();
  return "loom::embedding<" + p.type(table) + ", " + p.shape() + ">(" + p.name(table) + ", " +
         p.name(ids) + ", " + p.name(y) + ", " + p.rows() + ", " + p.source.expr(p.gather.getVocab()) +
         ", " + (errors ? p.name(errors) : std::string("nullptr")) + ")";
}

const std::pair<llvm::StringLiteral, FamilyCall> kFamilies[] = {
    {"load load reduce.mean_square map.add map.rsqrt map.mul map.mul store", rmsNormCall},
    {"load load map.add load reduce.mean_square map.add map.rsqrt map.mul map.mul store store", addRmsNormCall},
    {"load load load reduce.mean map.sub reduce.mean_square map.add map.rsqrt map.mul map.mul map.add store", layerNormCall},
    {"load load reduce.mean map.sub reduce.mean_square map.add map.rsqrt map.mul map.mul store", layerNormCall},
    {"load reduce.max map.sub map.exp reduce.sum map.div store", softmaxCall},
    {"load reduce.argmax store", argmaxCall},
    {"load gather store", embeddingCall},
};

} // namespace

mlir::FailureOr<std::string> emitRowKernel(tile::KernelOp kernel) {
  KernelSource source(kernel);
  RowParts parts{kernel, source};
  std::vector<std::string> signature;
  kernel.walk([&](mlir::Operation *op) {
    if (auto load = llvm::dyn_cast<tile::LoadOp>(op)) {
      auto type = load.getResult().getType();
      (type.getRank() == 2 ? parts.rowLoads : parts.vectorLoads).push_back(load);
      if (type.getRank() == 2)
        parts.length = std::max(parts.length, type.getDimSize(1));
      signature.push_back("load");
    } else if (auto store = llvm::dyn_cast<tile::StoreOp>(op)) {
      parts.stores.push_back(store);
      signature.push_back("store");
    } else if (auto map = llvm::dyn_cast<tile::MapOp>(op)) {
      signature.push_back(("map." + tile::stringifyMapKind(map.getKind())).str());
      for (mlir::Value operand : map.getOperands())
        if (auto eps = operand.getDefiningOp<mlir::arith::ConstantFloatOp>())
          parts.eps = eps.value().convertToFloat();
    } else if (auto reduce = llvm::dyn_cast<tile::ReduceOp>(op)) {
      signature.push_back(("reduce." + tile::stringifyReduceKind(reduce.getKind())).str());
    } else if (auto gather = llvm::dyn_cast<tile::GatherOp>(op)) {
      parts.gather = gather;
      parts.length = gather.getResult().getType().getDimSize(1);
      signature.push_back("gather");
    }
  });
  std::string text = llvm::join(signature, " ");
  auto family = llvm::find_if(kFamilies, [&](auto entry) { return entry.first == text; });
  if (family == std::end(kFamilies))
    return kernel.emitOpError() << "matches no device-library row kernel (ops: " << text << ")";
  std::string body = "  " + family->second(parts) + ";\n";
  return source.render(body, std::to_string((*kernel.getBlock())[0]));
}

} // namespace loom::cuda
