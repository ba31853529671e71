// Verifiers, folders and canonicalizations of the graph dialect's transpose, concat and split.
#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/GraphVerify.h"

#include "mlir/IR/PatternMatch.h"

namespace loom::graph {

using mlir::LogicalResult;
using mlir::RankedTensorType;

LogicalResult TransposeOp::verify() {
  auto input = getInput().getType();
  auto result = getResult().getType();
  llvm::ArrayRef<int64_t> perm = getPermutation();
  if (static_cast<int64_t>(perm.size()) != input.getRank())
    return emitOpError() << "permutation has " << perm.size() << " entries for an input of rank "
                         << input.getRank();
  llvm::SmallVector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= input.getRank() || seen[p])
      return emitOpError() << "permutation must list each of 0.." << input.getRank() - 1
                           << " once";
    seen[p] = true;
  }
  if (result.getElementType() != input.getElementType() || result.getRank() != input.getRank())
    return emitOpError() << "result type " << result << " must have the input's rank and element type";
  for (size_t i = 0; i < perm.size(); ++i)
    if (!compatibleDims(result.getDimSize(i), input.getDimSize(perm[i])))
      return emitOpError() << "result dimension " << i << " (" << dimText(result.getDimSize(i))
                           << ") must be input dimension " << perm[i] << " ("
                           << dimText(input.getDimSize(perm[i])) << ")";
  return mlir::success();
}

/// The identity permutation is the input; transpose of a transpose composes into one.
mlir::OpFoldResult TransposeOp::fold(FoldAdaptor) {
  auto isIdentity = [](llvm::ArrayRef<int64_t> perm) {
    for (size_t i = 0; i < perm.size(); ++i)
      if (perm[i] != static_cast<int64_t>(i))
        return false;
    return true;
  };
  if (isIdentity(getPermutation()) && getInput().getType() == getResult().getType())
    return getInput();
  auto producer = getInput().getDefiningOp<TransposeOp>();
  if (!producer)
    return {};
  // result[i] = mid[outer[i]] = in[inner[outer[i]]].
  llvm::SmallVector<int64_t> composed;
  for (int64_t p : getPermutation())
    composed.push_back(producer.getPermutation()[p]);
  if (isIdentity(composed) && producer.getInput().getType() == getResult().getType())
    return producer.getInput();
  getInputMutable().assign(producer.getInput());
  setPermutation(composed);
  return getResult();
}

LogicalResult ConcatOp::verify() {
  auto inputs = getInputs();
  if (inputs.empty())
    return emitOpError() << "needs at least one input";
  auto first = mlir::cast<RankedTensorType>(inputs.front().getType());
  auto result = getResult().getType();
  int64_t rank = first.getRank(), axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is outside the rank " << rank;
  int64_t total = 0;
  bool dynamic = false;
  for (mlir::Value v : inputs) {
    auto type = mlir::cast<RankedTensorType>(v.getType());
    if (type.getRank() != rank || type.getElementType() != first.getElementType())
      return emitOpError() << "input type " << type << " must have the rank and element type of "
                           << first;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && !compatibleDims(type.getDimSize(d), first.getDimSize(d)))
        return emitOpError() << "inputs differ in dimension " << d << ", which is not the axis";
    dynamic |= mlir::ShapedType::isDynamic(type.getDimSize(axis));
    total += type.getDimSize(axis);
  }
  if (result.getRank() != rank || result.getElementType() != first.getElementType())
    return emitOpError() << "result type " << result << " must have the inputs' rank and element type";
  if (!dynamic && !compatibleDims(result.getDimSize(axis), total))
    return emitOpError() << "result extent along the axis (" << dimText(result.getDimSize(axis))
                         << ") must be the sum of the inputs' (" << total << ")";
  return mlir::success();
}

/// Concatenating a single tensor is the tensor.
mlir::OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getResult().getType())
    return getInputs().front();
  return {};
}

LogicalResult SplitOp::verify() {
  auto input = getInput().getType();
  int64_t rank = input.getRank(), axis = getAxis();
  if (getResults().empty())
    return emitOpError() << "needs at least one result";
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is outside the rank " << rank;
  int64_t total = 0;
  for (mlir::Value v : getResults()) {
    auto type = mlir::cast<RankedTensorType>(v.getType());
    if (type.getRank() != rank || type.getElementType() != input.getElementType())
      return emitOpError() << "result type " << type << " must have the input's rank and element type";
    if (mlir::ShapedType::isDynamic(type.getDimSize(axis)))
      return emitOpError() << "result extents along the axis must be static";
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && !compatibleDims(type.getDimSize(d), input.getDimSize(d)))
        return emitOpError() << "result differs from the input in dimension " << d
                             << ", which is not the axis";
    total += type.getDimSize(axis);
  }
  if (!compatibleDims(input.getDimSize(axis), total))
    return emitOpError() << "result extents along the axis sum to " << total
                         << ", not the input's " << input.getDimSize(axis);
  return mlir::success();
}

namespace {
/// split(concat(a, b, ...)) with matching pieces is (a, b, ...).
struct SplitOfConcat final : mlir::OpRewritePattern<SplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SplitOp split, mlir::PatternRewriter &rewriter) const override {
    auto concat = split.getInput().getDefiningOp<ConcatOp>();
    if (!concat)
      return rewriter.notifyMatchFailure(split, "input is not a concat");
    if (concat.getAxis() != split.getAxis() ||
        concat.getInputs().size() != split.getResults().size())
      return rewriter.notifyMatchFailure(split, "concat has another axis or piece count");
    for (auto [piece, result] : llvm::zip(concat.getInputs(), split.getResults()))
      if (piece.getType() != result.getType())
        return rewriter.notifyMatchFailure(split, "pieces have other extents");
    rewriter.replaceOp(split, concat.getInputs());
    return mlir::success();
  }
};
} // namespace

void SplitOp::getCanonicalizationPatterns(mlir::RewritePatternSet &patterns,
                                          mlir::MLIRContext *context) {
  patterns.add<SplitOfConcat>(context);
}

} // namespace loom::graph
