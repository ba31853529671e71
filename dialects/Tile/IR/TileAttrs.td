// Enum attributes of the tile dialect: map and reduction kinds, tile layouts.
#ifndef LOOM_TILE_ATTRS
#define LOOM_TILE_ATTRS

include "dialects/Tile/IR/TileDialect.td"
include "mlir/IR/EnumAttr.td"

def Tile_MapKind : I32EnumAttr<"MapKind", "an elementwise function of tiles", [
    I32EnumAttrCase<"add", 0>, I32EnumAttrCase<"sub", 1>, I32EnumAttrCase<"mul", 2>,
    I32EnumAttrCase<"div", 3>, I32EnumAttrCase<"silu", 4>, I32EnumAttrCase<"gelu_tanh", 5>,
    I32EnumAttrCase<"gelu_erf", 6>, I32EnumAttrCase<"exp", 7>, I32EnumAttrCase<"rsqrt", 8>,
    I32EnumAttrCase<"cast", 9>
  ]> {
  let cppNamespace = "::loom::tile";
  let genSpecializedAttr = 0;
}
def Tile_MapKindAttr : EnumAttr<Tile_Dialect, Tile_MapKind, "map"> {
  let assemblyFormat = "`<` $value `>`";
}

def Tile_ReduceKind : I32EnumAttr<"ReduceKind", "a reduction along one axis", [
    I32EnumAttrCase<"sum", 0>, I32EnumAttrCase<"max", 1>, I32EnumAttrCase<"mean", 2>,
    I32EnumAttrCase<"mean_square", 3>, I32EnumAttrCase<"argmax", 4>
  ]> {
  let cppNamespace = "::loom::tile";
  let genSpecializedAttr = 0;
}
def Tile_ReduceKindAttr : EnumAttr<Tile_Dialect, Tile_ReduceKind, "reduce"> {
  let assemblyFormat = "`<` $value `>`";
}

def Tile_Layout : I32EnumAttr<"Layout", "how a tile is spread over a CTA's threads", [
    I32EnumAttrCase<"vector", 0>,   // contiguous kVec-element packets per thread
    I32EnumAttrCase<"row", 1>,      // one row per group of threads, packets along the row
    I32EnumAttrCase<"mma", 2>       // tensor-core accumulator fragments
  ]> {
  let cppNamespace = "::loom::tile";
  let genSpecializedAttr = 0;
}
def Tile_LayoutAttr : EnumAttr<Tile_Dialect, Tile_Layout, "layout"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // LOOM_TILE_ATTRS
