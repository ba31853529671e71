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

mlir::LogicalResult ArgmaxOp::verify() {
  auto input = getInput().getType();
  auto result = getResult().getType();
  if (result.getRank() != input.getRank() - 1)
    return emitOpError() << "result rank (" << result.getRank()
                         << ") must be one less than the input rank (" << input.getRank() << ")";
  for (int64_t i = 0; i < result.getRank(); ++i)
    if (result.getDimSize(i) != input.getDimSize(i))
      return emitOpError() << "result dimension " << i << " (" << result.getDimSize(i)
                           << ") must equal input dimension " << i << " (" << input.getDimSize(i) << ")";
  return mlir::success();
}

/// Product of the static dimensions and the number of dynamic ones.
static std::pair<int64_t, int> staticElementsAndDynamicDims(mlir::RankedTensorType type) {
  int64_t elements = 1;
  int dynamic = 0;
  for (int64_t d : type.getShape()) {
    if (mlir::ShapedType::isDynamic(d))
      ++dynamic;
    else
      elements *= d;
  }
  return {elements, dynamic};
}

mlir::LogicalResult ReshapeOp::verify() {
  auto input = getInput().getType();
  auto result = getResult().getType();
  if (input.getElementType() != result.getElementType())
    return emitOpError() << "element type " << result.getElementType()
                         << " must equal the input's " << input.getElementType();
  auto [inElems, inDyn] = staticElementsAndDynamicDims(input);
  auto [outElems, outDyn] = staticElementsAndDynamicDims(result);
  if (inDyn > 1 || outDyn > 1)
    return emitOpError() << "at most one dynamic dimension is allowed on each side";
  if (inDyn != outDyn)
    return emitOpError() << "input and result must both be static or both have one dynamic dimension";
  if (inDyn == 0 && inElems != outElems)
    return emitOpError() << "element count of the result (" << outElems
                         << ") must equal that of the input (" << inElems << ")";
  if (inDyn == 1 && inElems % outElems != 0 && outElems % inElems != 0)
    return emitOpError() << "static part of the result (" << outElems
                         << ") is incompatible with that of the input (" << inElems << ")";
  return mlir::success();
}

/// reshape to the same type is the input; reshape of a reshape reads the original.
mlir::OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getResult().getType())
    return getInput();
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    if (producer.getInput().getType() == getResult().getType())
      return producer.getInput();
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  return {};
}

/// A cast to the type it already has is the input itself.
mlir::OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getResult().getType())
    return getInput();
  return {};
}

} // namespace loom::graph
