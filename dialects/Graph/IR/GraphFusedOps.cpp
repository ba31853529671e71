// graph.fused: assembly format (captures as `%arg = %value`) and the verifier of its region.
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

namespace loom::graph {

YieldOp FusedOp::getYield() { return mlir::cast<YieldOp>(getBody().front().back()); }

/// graph.fused <kind> "<name>" (%arg = %value, ...) : (inputs) -> (results) [attributes {...}] { body }
mlir::ParseResult FusedOp::parse(mlir::OpAsmParser &parser, mlir::OperationState &result) {
  mlir::MLIRContext *context = parser.getContext();
  llvm::StringRef kindWord;
  llvm::SMLoc kindLoc = parser.getCurrentLocation();
  if (parser.parseKeyword(&kindWord))
    return mlir::failure();
  std::optional<FusionKind> kind = symbolizeFusionKind(kindWord);
  if (!kind)
    return parser.emitError(kindLoc) << "unknown fusion kind '" << kindWord << "'";
  result.addAttribute(getKindAttrName(result.name), FusionKindAttr::get(context, *kind));

  mlir::StringAttr name;
  if (parser.parseAttribute(name, getNameAttrName(result.name), result.attributes))
    return mlir::failure();

  llvm::SmallVector<mlir::OpAsmParser::Argument> arguments;
  llvm::SmallVector<mlir::OpAsmParser::UnresolvedOperand> captured;
  llvm::SMLoc capturesLoc = parser.getCurrentLocation();
  mlir::FunctionType signature;
  if (parser.parseAssignmentList(arguments, captured) || parser.parseColonType(signature))
    return mlir::failure();
  if (signature.getNumInputs() != captured.size())
    return parser.emitError(capturesLoc)
           << "captures " << captured.size() << " values but the signature has "
           << signature.getNumInputs() << " inputs";
  if (parser.resolveOperands(captured, signature.getInputs(), capturesLoc, result.operands))
    return mlir::failure();
  for (auto [argument, type] : llvm::zip(arguments, signature.getInputs()))
    argument.type = type;
  result.addTypes(signature.getResults());

  if (parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return mlir::failure();
  return parser.parseRegion(*result.addRegion(), arguments);
}

void FusedOp::print(mlir::OpAsmPrinter &printer) {
  printer << ' ' << stringifyFusionKind(getKind()) << ' ';
  printer.printAttributeWithoutType(getNameAttr());
  printer << " (";
  llvm::interleaveComma(llvm::zip(getBody().getArguments(), getInputs()), printer,
                        [&](auto pair) {
                          printer << std::get<0>(pair) << " = " << std::get<1>(pair);
                        });
  printer << ") : ";
  printer.printFunctionalType(getInputs().getTypes(), getResultTypes());
  printer.printOptionalAttrDictWithKeyword((*this)->getAttrs(),
                                           {getKindAttrName(), getNameAttrName()});
  printer << ' ';
  printer.printRegion(getBody(), /*printEntryBlockArgs=*/false);
}

mlir::LogicalResult FusedOp::verify() {
  if (getName().empty())
    return emitOpError() << "name must not be empty";
  mlir::Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError() << "body has " << body.getNumArguments() << " arguments but "
                         << getInputs().size() << " values are captured";
  for (auto [index, argument, input] : llvm::enumerate(body.getArguments(), getInputs()))
    if (argument.getType() != input.getType())
      return emitOpError() << "body argument " << index << " has type " << argument.getType()
                           << " but captures a value of type " << input.getType();
  auto yield = body.empty() ? YieldOp() : mlir::dyn_cast<YieldOp>(body.back());
  if (!yield)
    return emitOpError() << "body must end with graph.yield";
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError() << "yields (" << yield.getValues().getTypes()
                         << ") but the results are (" << getResultTypes() << ")";
  return mlir::success();
}

} // namespace loom::graph
