// Types of the tile dialect: global pointers and shared-memory buffers.
#ifndef LOOM_TILE_TYPES
#define LOOM_TILE_TYPES

include "dialects/Tile/IR/TileDialect.td"

def Tile_PtrType : Tile_Type<"Ptr", "ptr"> {
  let summary = "A pointer to global memory holding elements of one type.";
  let description = [{
    A kernel parameter bound to a buffer, weight, input or output. Example: `!tile.ptr<bf16>`.
  }];
  let parameters = (ins "::mlir::Type":$elementType);
  let assemblyFormat = "`<` $elementType `>`";
  let genVerifyDecl = 1;
}

def Tile_SharedType : Tile_Type<"Shared", "shared"> {
  let summary = "A shared-memory buffer of a static shape (e.g. the stages of a GEMM pipeline).";
  let description = [{
    Example: `!tile.shared<bf16, [3, 256, 32]>` (3 stages of a 128-row X tile and a 128-row W
    tile, 32 columns each).
  }];
  let parameters = (ins "::mlir::Type":$elementType, ArrayRefParameter<"int64_t">:$shape);
  let assemblyFormat = "`<` $elementType `,` `[` $shape `]` `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Bytes of the whole buffer.
    int64_t getBytes() const;
  }];
}

def Tile_Pointer : Type<CPred<"::llvm::isa<::loom::tile::PtrType>($_self)">, "tile pointer">;
def Tile_Tile : RankedTensorOf<[BF16, F16, F32, I32]>;

#endif // LOOM_TILE_TYPES
