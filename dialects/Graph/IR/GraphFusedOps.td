// graph.fused (one future kernel: a region of graph ops) and its graph.yield terminator.
#ifndef LOOM_GRAPH_FUSED_OPS
#define LOOM_GRAPH_FUSED_OPS

include "dialects/Graph/IR/GraphDialect.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Graph_FusionKind : I32EnumAttr<"FusionKind", "the kernel family a fused group becomes", [
    I32EnumAttrCase<"elementwise", 0>,  // a chain of elementwise ops, one pass over the elements
    I32EnumAttrCase<"norm", 1>,         // row reductions (rms_norm, residual add + rms_norm)
    I32EnumAttrCase<"gemm", 2>,         // linear/matmul with its prologue and epilogue
    I32EnumAttrCase<"attention", 3>,    // attention / paged_attention
    I32EnumAttrCase<"gather", 4>,       // embedding (row gathers)
    I32EnumAttrCase<"other", 5>         // anything else, one op per kernel
  ]> {
  let cppNamespace = "::loom::graph";
  let genSpecializedAttr = 0;
}
def Graph_FusionKindAttr : EnumAttr<Graph_Dialect, Graph_FusionKind, "fusion_kind"> {
  let assemblyFormat = "`<` $value `>`";
}

def Graph_GemmPrologue : I32EnumAttr<"GemmPrologue", "how an rms_norm feeding a GEMM is computed in it", [
    // rsqrt(mean(x²) + eps) per row in-kernel, scaling the accumulators; the norm gain is folded
    // into the GEMM weight's columns at load time (W'[n, k] = W[n, k] · gain[k]).
    I32EnumAttrCase<"row_scale_folded_gain", 0>,
    // x normalised and multiplied by the gain while the A tiles are loaded (gain not constant).
    I32EnumAttrCase<"normalize_tiles", 1>
  ]> {
  let cppNamespace = "::loom::graph";
  let genSpecializedAttr = 0;
}
def Graph_GemmPrologueAttr : EnumAttr<Graph_Dialect, Graph_GemmPrologue, "gemm_prologue"> {
  let assemblyFormat = "`<` $value `>`";
}

def Graph_FusedOp : Graph_Op<"fused", [IsolatedFromAbove, SingleBlock, RecursiveMemoryEffects,
                                       RecursivelySpeculatable]> {
  let summary = "A group of graph ops that becomes one kernel; inputs captured, results yielded.";
  let description = [{
    The body sees only its block arguments, one per operand (`%arg = %value`); its
    `graph.yield` gives the results. `kind` names the kernel family and `name` the kernel
    (deterministic: the body's op names in order and a counter). A GEMM group whose input is
    normalised in-kernel records how in `prologue`.
    Example:
    ```mlir
    %s, %n = graph.fused norm "fused_add_rms_norm_0" (%a = %x, %b = %r, %g = %w)
        : (tensor<?x64xf32>, tensor<?x64xf32>, tensor<64xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
      %0 = graph.add %a, %b : tensor<?x64xf32>
      %1 = graph.rms_norm %0, %g {eps = 1.0e-5 : f32} : tensor<?x64xf32>, tensor<64xf32>
      graph.yield %0, %1 : tensor<?x64xf32>, tensor<?x64xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$inputs, Graph_FusionKindAttr:$kind, StrAttr:$name,
                       OptionalAttr<Graph_GemmPrologueAttr>:$prologue);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The terminator of the body.
    YieldOp getYield();
  }];
}

def Graph_YieldOp : Graph_Op<"yield", [Pure, Terminator, HasParent<"FusedOp">]> {
  let summary = "Ends a graph.fused body, giving the group's results.";
  let description = [{
    Example: `graph.yield %0, %1 : tensor<?x64xf32>, tensor<?x64xf32>`
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // LOOM_GRAPH_FUSED_OPS
