// Enum attributes of the graph dialect.
#ifndef LOOM_GRAPH_ATTRS
#define LOOM_GRAPH_ATTRS

include "dialects/Graph/IR/GraphDialect.td"
include "mlir/IR/EnumAttr.td"

def Graph_RopeStyle : I32EnumAttr<"RopeStyle", "how RoPE pairs the features of a head", [
    I32EnumAttrCase<"rotate_half", 0>,   // pairs (i, i + D/2), as Hugging Face Llama
    I32EnumAttrCase<"interleaved", 1>    // pairs (2i, 2i + 1), as GPT-J / llama.cpp
  ]> {
  let cppNamespace = "::loom::graph";
  let genSpecializedAttr = 0;
}
def Graph_RopeStyleAttr : EnumAttr<Graph_Dialect, Graph_RopeStyle, "rope_style"> {
  let assemblyFormat = "`<` $value `>`";
}

def Graph_GeluApproximation : I32EnumAttr<"GeluApproximation", "how GELU is evaluated", [
    I32EnumAttrCase<"none", 0>,   // exact: x/2 · (1 + erf(x/√2))
    I32EnumAttrCase<"tanh", 1>    // x/2 · (1 + tanh(√(2/π)(x + 0.044715x³)))
  ]> {
  let cppNamespace = "::loom::graph";
  let genSpecializedAttr = 0;
}
def Graph_GeluApproximationAttr
    : EnumAttr<Graph_Dialect, Graph_GeluApproximation, "gelu_approximation"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // LOOM_GRAPH_ATTRS
