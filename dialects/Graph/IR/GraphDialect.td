// The graph dialect: tensor-level transformer ops, the input of Loom's compiler.
#ifndef LOOM_GRAPH_DIALECT
#define LOOM_GRAPH_DIALECT

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Graph_Dialect : Dialect {
  let name = "graph";
  let summary = "Tensor-level transformer ops on ranked tensors with dynamic token dimensions.";
  let description = [{
    Ops of a transformer forward step (embedding, linear, norms, rope,
    attention over a paged KV cache, activations, sampling) on ranked
    tensors of bf16/f16/f32 whose leading dimensions may be dynamic.
    Fusion, tiling and tensor-core lowering start from here.
  }];
  let cppNamespace = "::loom::graph";
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasCanonicalizer = 0;
}

class Graph_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits>;

class Graph_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Graph_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

/// Tensor element types the graph stores: bf16, f16, f32.
def Graph_Float : AnyTypeOf<[BF16, F16, F32]>;
def Graph_FloatTensor : RankedTensorOf<[BF16, F16, F32]>;
def Graph_IndexTensor : RankedTensorOf<[I32, I64]>;
def Graph_I32Tensor : RankedTensorOf<[I32]>;
def Graph_F32Tensor : RankedTensorOf<[F32]>;
def Graph_I64Tensor : RankedTensorOf<[I64]>;

#endif // LOOM_GRAPH_DIALECT
