// Emission of elementwise kernels: the map tree becomes one loom::Chain type (elementwise.cuh).
//
// How it works: inputs are numbered in load order (the wrapper passes them in that order);
// from the stored value back, a load is Input<k>; a unary map appends its functor to its
// operand's chain; add/mul append AddWith<k>/MulWith<k> when the other operand is a load, else
// AddWithValue<sub-chain>; a cast appends CastTo<T>.
#include "compiler/Target/CUDA/KernelSource.h"

#include "llvm/ADT/StringExtras.h"

namespace loom::cuda {

namespace {

/// A chain: the input it starts from and the functors applied after it.
struct Chain {
  int start = 0;
  std::vector<std::string> ops;
  std::string render() const {
    if (ops.empty())
      return "loom::Input<" + std::to_string(start) + ">";
    return "loom::ChainFrom<" + std::to_string(start) + ", " + llvm::join(ops, ", ") + ">";
  }
};

class ChainBuilder {
public:
  explicit ChainBuilder(llvm::ArrayRef<tile::LoadOp> loads) : loads_(loads) {}

  mlir::FailureOr<Chain> chainOf(mlir::Value value) {
    if (auto load = value.getDefiningOp<tile::LoadOp>())
      return Chain{int(llvm::find(loads_, load) - loads_.begin()), {}};
    auto map = value.getDefiningOp<tile::MapOp>();
    if (!map)
      return mlir::emitError(value.getLoc()) << "elementwise chains read only loads and maps";
    auto first = chainOf(map.getOperands()[0]);
    if (mlir::failed(first))
      return mlir::failure();
    static const std::pair<tile::MapKind, const char *> kUnary[] = {
        {tile::MapKind::silu, "loom::Silu"},
        {tile::MapKind::gelu_tanh, "loom::GeluTanh"},
        {tile::MapKind::gelu_erf, "loom::GeluErf"}};
    for (auto [kind, functor] : kUnary)
      if (map.getKind() == kind) {
        first->ops.push_back(functor);
        return first;
      }
    if (map.getKind() == tile::MapKind::cast) {
      first->ops.push_back("loom::CastTo<" + KernelSource::cType(map.getResult().getType().getElementType()) + ">");
      return first;
    }
    if (map.getKind() != tile::MapKind::add && map.getKind() != tile::MapKind::mul)
      return map.emitOpError() << "has no elementwise.cuh functor for '"
                               << tile::stringifyMapKind(map.getKind()) << "'";
    auto second = chainOf(map.getOperands()[1]);
    if (mlir::failed(second))
      return mlir::failure();
    std::string verb = map.getKind() == tile::MapKind::add ? "Add" : "Mul";
    first->ops.push_back(second->ops.empty()
                             ? "loom::" + verb + "With<" + std::to_string(second->start) + ">"
                             : "loom::" + verb + "WithValue<" + second->render() + ">");
    return first;
  }

private:
  llvm::ArrayRef<tile::LoadOp> loads_;
};

} // namespace

mlir::FailureOr<std::string> emitElementwise(tile::KernelOp kernel) {
  llvm::SmallVector<tile::LoadOp> loads;
  llvm::SmallVector<tile::StoreOp> stores;
  kernel.walk([&](tile::LoadOp load) { loads.push_back(load); });
  kernel.walk([&](tile::StoreOp store) { stores.push_back(store); });
  if (stores.size() != 1)
    return kernel.emitOpError() << "an elementwise kernel stores one tensor, this one stores "
                                << stores.size();
  ChainBuilder builder(loads);
  auto chain = builder.chainOf(stores[0].getValue());
  if (mlir::failed(chain))
    return mlir::failure();
  KernelSource source(kernel);
  source.include("loom/elementwise.cuh");
  std::vector<std::string> arguments = {"(long long)" + source.expr(stores[0].getBounds()[0]),
                                        source.name(stores[0].getPtr())};
  for (tile::LoadOp load : loads)
    arguments.push_back(source.name(load.getPtr()));
  auto vec = kernel.getConfigValue("vec"), unroll = kernel.getConfigValue("unroll");
  if (!vec || !unroll)
    return kernel.emitOpError() << "elementwise config needs 'vec' and 'unroll'";
  std::string body = "  using Expr = " + chain->render() + ";\n  loom::elementwise<Expr, " +
                     std::to_string(*vec) + ", " + std::to_string(*unroll) + ">(" +
                     llvm::join(arguments, ", ") + ");\n";
  return source.render(body, std::to_string((*kernel.getBlock())[0]));
}

} // namespace loom::cuda
