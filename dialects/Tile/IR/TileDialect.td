// The tile dialect: GPU kernels over tiles of global tensors, the output of graph -> tile.
#ifndef LOOM_TILE_DIALECT
#define LOOM_TILE_DIALECT

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Tile_Dialect : Dialect {
  let name = "tile";
  let summary = "Tile-level GPU kernels: program ids, masked tile loads/stores, dots, maps, reductions.";
  let description = [{
    One `tile.kernel` per fused graph group. Its body says what each CTA (program) computes:
    tiles loaded from global pointers (masked by bounds for ragged tails), `tile.dot` main
    loops, elementwise `tile.map`s and `tile.reduce`s along an axis, and masked stores. Tile
    extents are named by the kernel's `config` (set by `tile-tiling`), MMA atoms by
    `tile-lower-to-tensor-cores`. A `tile.launch_program` lists the kernels of one forward step
    with their parameter bindings; compiler/Target/CUDA turns all of it into CUDA C++ and a
    package manifest.
  }];
  let cppNamespace = "::loom::tile";
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
}

class Tile_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tile_Dialect, mnemonic, traits>;

class Tile_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Tile_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

#endif // LOOM_TILE_DIALECT
