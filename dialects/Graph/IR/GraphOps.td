// Ops of the graph dialect.
#ifndef LOOM_GRAPH_OPS
#define LOOM_GRAPH_OPS

include "dialects/Graph/IR/GraphDialect.td"
include "dialects/Graph/IR/GraphTypes.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Graph_BinaryElementwiseOp<string mnemonic, string what>
    : Graph_Op<mnemonic, [Pure, Commutative, SameOperandsAndResultType]> {
  let summary = "Elementwise " # what # " of two tensors of the same type.";
  let description = [{
    Example: `%z = graph.}] # mnemonic # [{ %x, %y : tensor<?x4096xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$lhs, Graph_FloatTensor:$rhs);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Graph_AddOp : Graph_BinaryElementwiseOp<"add", "sum">;
def Graph_MulOp : Graph_BinaryElementwiseOp<"mul", "product">;

def Graph_SiluOp : Graph_Op<"silu", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise SiLU, x · sigmoid(x).";
  let description = [{
    Example: `%y = graph.silu %x : tensor<?x11008xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Graph_CastOp : Graph_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "Elementwise conversion to another float element type (round to nearest even).";
  let description = [{
    Example: `%y = graph.cast %x : tensor<?x4096xf32> to tensor<?x4096xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasFolder = 1;
}

def Graph_SoftmaxOp : Graph_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax over the last dimension, statistics in f32.";
  let description = [{
    Example: `%p = graph.softmax %logits : tensor<?x32000xf32>`
  }];
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Graph_ArgmaxOp : Graph_Op<"argmax", [Pure]> {
  let summary = "Index of the largest element of each row (the lowest index on ties).";
  let description = [{
    Example: `%ids = graph.argmax %logits : tensor<?x32000xf32> -> tensor<?xi32>`
  }];
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_IndexTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shape
//===----------------------------------------------------------------------===//

def Graph_ReshapeOp : Graph_Op<"reshape", [Pure]> {
  let summary = "Reinterprets a row-major tensor with another shape of the same element count.";
  let description = [{
    At most one dynamic dimension on each side.
    Example: `%y = graph.reshape %x : tensor<?x4096xbf16> to tensor<?x32x128xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Graph_RMSNormOp : Graph_Op<"rms_norm", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "RMS normalization over the last dimension, scaled by a weight vector.";
  let description = [{
    y = x / sqrt(mean(x², last dim) + eps) · w, statistics in f32.
    Example: `%y = graph.rms_norm %x, %w {eps = 1.0e-5 : f32} : tensor<?x4096xbf16>, tensor<4096xbf16>`
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$weight, F32Attr:$eps);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` type($input) `,` type($weight)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$weight, "float":$eps), [{
      build($_builder, $_state, input.getType(), input, weight, $_builder.getF32FloatAttr(eps));
    }]>
  ];
  let hasVerifier = 1;
}

#endif // LOOM_GRAPH_OPS
