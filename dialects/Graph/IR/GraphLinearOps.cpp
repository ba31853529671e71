// Verifiers and builders of the graph dialect's weight, gather, product, norm and sampling ops.
#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/GraphVerify.h"

#include "mlir/IR/Builders.h"

namespace loom::graph {

using mlir::LogicalResult;
using mlir::RankedTensorType;
using mlir::ShapedType;

LogicalResult WeightOp::verify() {
  if (getName().empty())
    return emitOpError() << "weight name must not be empty";
  if (!getResult().getType().hasStaticShape())
    return emitOpError() << "weight '" << getName() << "' must have a static shape, got "
                         << getResult().getType();
  return mlir::success();
}

void EmbeddingOp::build(mlir::OpBuilder &builder, mlir::OperationState &state, mlir::Value table,
                        mlir::Value ids) {
  auto tableType = mlir::cast<RankedTensorType>(table.getType());
  auto idsType = mlir::cast<RankedTensorType>(ids.getType());
  auto result = RankedTensorType::get({idsType.getDimSize(0), tableType.getDimSize(1)},
                                      tableType.getElementType());
  build(builder, state, result, table, ids);
}

LogicalResult EmbeddingOp::verify() {
  auto table = getTable().getType();
  auto ids = getIds().getType();
  auto result = getResult().getType();
  if (table.getRank() != 2)
    return emitOpError() << "table must be 2-D, got rank " << table.getRank();
  if (ids.getRank() != 1)
    return emitOpError() << "ids must be 1-D, got rank " << ids.getRank();
  if (result.getRank() != 2 || !compatibleDims(result.getDimSize(0), ids.getDimSize(0)) ||
      result.getDimSize(1) != table.getDimSize(1) ||
      result.getElementType() != table.getElementType())
    return emitOpError() << "result type " << result << " must be [ids, " << table.getDimSize(1)
                         << "] of " << table.getElementType();
  return mlir::success();
}

void LinearOp::build(mlir::OpBuilder &builder, mlir::OperationState &state, mlir::Value input,
                     mlir::Value weight, mlir::Value bias) {
  auto inputType = mlir::cast<RankedTensorType>(input.getType());
  auto weightType = mlir::cast<RankedTensorType>(weight.getType());
  llvm::SmallVector<int64_t> shape(inputType.getShape());
  shape.back() = weightType.getDimSize(0);
  build(builder, state, RankedTensorType::get(shape, inputType.getElementType()), input, weight,
        bias);
}

LogicalResult LinearOp::verify() {
  auto input = getInput().getType();
  auto weight = getWeight().getType();
  auto result = getResult().getType();
  if (weight.getRank() != 2)
    return emitOpError() << "weight must be 2-D [out, in], got rank " << weight.getRank();
  if (input.getElementType() != weight.getElementType())
    return emitOpError() << "input element type " << input.getElementType()
                         << " must equal the weight's " << weight.getElementType();
  int64_t in = input.getDimSize(input.getRank() - 1);
  if (!compatibleDims(in, weight.getDimSize(1)))
    return emitOpError() << "weight in_features (" << weight.getDimSize(1)
                         << ") must match the last dimension of input (" << dimText(in) << ")";
  int64_t out = weight.getDimSize(0);
  if (auto bias = getBias()) {
    auto biasType = mlir::cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != out)
      return emitOpError() << "bias type " << biasType << " must be a vector of out_features ("
                           << out << ")";
  }
  llvm::SmallVector<int64_t> expected(input.getShape());
  expected.back() = out;
  if (result.getElementType() != input.getElementType() || result.getRank() != input.getRank())
    return emitOpError() << "result type " << result << " must have the input's rank and element type";
  for (int64_t i = 0; i < result.getRank(); ++i)
    if (!compatibleDims(result.getDimSize(i), expected[i]))
      return emitOpError() << "result dimension " << i << " (" << result.getDimSize(i)
                           << ") must be " << dimText(expected[i]);
  return mlir::success();
}

/// [..., M, K] · [..., K, N] -> [..., M, N]; nullopt when the shapes do not chain.
static std::optional<llvm::SmallVector<int64_t>> matmulShape(RankedTensorType lhs,
                                                            RankedTensorType rhs) {
  if (lhs.getRank() < 2 || lhs.getRank() != rhs.getRank())
    return std::nullopt;
  llvm::SmallVector<int64_t> shape(lhs.getShape());
  shape.back() = rhs.getDimSize(rhs.getRank() - 1);
  return shape;
}

void MatmulOp::build(mlir::OpBuilder &builder, mlir::OperationState &state, mlir::Value lhs,
                     mlir::Value rhs) {
  auto lhsType = mlir::cast<RankedTensorType>(lhs.getType());
  auto shape = matmulShape(lhsType, mlir::cast<RankedTensorType>(rhs.getType()));
  build(builder, state, RankedTensorType::get(*shape, lhsType.getElementType()), lhs, rhs);
}

LogicalResult MatmulOp::verify() {
  auto lhs = getLhs().getType();
  auto rhs = getRhs().getType();
  auto result = getResult().getType();
  if (lhs.getRank() < 2 || lhs.getRank() != rhs.getRank())
    return emitOpError() << "operands must have the same rank of at least 2, got " << lhs.getRank()
                         << " and " << rhs.getRank();
  if (lhs.getElementType() != rhs.getElementType() ||
      result.getElementType() != lhs.getElementType())
    return emitOpError() << "operands and result must share one element type";
  int64_t rank = lhs.getRank();
  for (int64_t i = 0; i + 2 < rank; ++i)
    if (!compatibleDims(lhs.getDimSize(i), rhs.getDimSize(i)))
      return emitOpError() << "batch dimension " << i << " differs: " << lhs.getDimSize(i)
                           << " vs " << rhs.getDimSize(i);
  if (!compatibleDims(lhs.getDimSize(rank - 1), rhs.getDimSize(rank - 2)))
    return emitOpError() << "contraction dimensions differ: lhs has " << lhs.getDimSize(rank - 1)
                         << ", rhs has " << rhs.getDimSize(rank - 2);
  auto expected = *matmulShape(lhs, rhs);
  if (result.getRank() != rank)
    return emitOpError() << "result rank (" << result.getRank() << ") must be " << rank;
  for (int64_t i = 0; i < rank; ++i)
    if (!compatibleDims(result.getDimSize(i), expected[i]))
      return emitOpError() << "result dimension " << i << " (" << result.getDimSize(i)
                           << ") must be " << dimText(expected[i]);
  return mlir::success();
}

LogicalResult LayerNormOp::verify() {
  int64_t last = lastDim(getInput());
  auto checkVector = [&](mlir::Value v, llvm::StringRef what) -> LogicalResult {
    auto type = mlir::cast<RankedTensorType>(v.getType());
    if (type.getRank() != 1 || !compatibleDims(type.getDimSize(0), last))
      return emitOpError() << what << " type " << type
                           << " must be a vector as long as the last dimension of input (" << dimText(last)
                           << ")";
    return mlir::success();
  };
  if (mlir::failed(checkVector(getWeight(), "weight")))
    return mlir::failure();
  if (getBias() && mlir::failed(checkVector(getBias(), "bias")))
    return mlir::failure();
  if (getEps().convertToFloat() <= 0.0f)
    return emitOpError() << "eps must be positive";
  return mlir::success();
}

LogicalResult SampleOp::verify() {
  auto logits = getLogits().getType();
  if (logits.getRank() != 2)
    return emitOpError() << "logits must be 2-D [rows, vocab], got rank " << logits.getRank();
  int64_t rows = logits.getDimSize(0);
  for (mlir::Value v : {getTemperature(), getTopK(), getTopP(), getMinP(), getSeed(), getResult()}) {
    auto type = mlir::cast<RankedTensorType>(v.getType());
    if (type.getRank() != 1 || !compatibleDims(type.getDimSize(0), rows))
      return emitOpError() << "per-row operand or result of type " << type
                           << " must be a vector of one entry per logits row (" << dimText(rows) << ")";
  }
  return mlir::success();
}

} // namespace loom::graph
