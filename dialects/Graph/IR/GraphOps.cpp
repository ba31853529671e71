// Verifiers of the graph dialect's ops.
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#define GET_OP_CLASSES
#include "dialects/Graph/IR/GraphOps.cpp.inc"

namespace loom::graph {

mlir::LogicalResult RMSNormOp::verify() {
  auto input = getInput().getType();
  auto weight = getWeight().getType();
  if (weight.getRank() != 1)
    return emitOpError() << "weight must be a vector, got rank " << weight.getRank();
  int64_t last = input.getDimSize(input.getRank() - 1);
  if (!mlir::ShapedType::isDynamic(last) && weight.getDimSize(0) != last)
    return emitOpError() << "weight length (" << weight.getDimSize(0)
                         << ") must match the last dimension of input (" << last << ")";
  if (getResult().getType() != input)
    return emitOpError() << "result type " << getResult().getType()
                         << " must equal the input type " << input;
  if (getEps().convertToFloat() <= 0.0f)
    return emitOpError() << "eps must be positive";
  return mlir::success();
}

/// A cast to the type it already has is the input itself.
mlir::OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getResult().getType())
    return getInput();
  return {};
}

} // namespace loom::graph
