// Ops of the tile dialect: what one program (CTA) of a kernel computes.
#ifndef LOOM_TILE_OPS
#define LOOM_TILE_OPS

include "dialects/Tile/IR/TileDialect.td"
include "dialects/Tile/IR/TileTypes.td"
include "dialects/Tile/IR/TileAttrs.td"
include "dialects/Tile/IR/TileKernelOps.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Tile_ProgramIdOp : Tile_Op<"program_id", [Pure, HasParent<"KernelOp">]> {
  let summary = "The index of this program (CTA) along a grid axis.";
  let description = [{ Example: `%p = tile.program_id 0` }];
  let arguments = (ins ConfinedAttr<I32Attr, [IntMinValue<0>, IntMaxValue<2>]>:$axis);
  let results = (outs I32:$result);
  let assemblyFormat = "$axis attr-dict";
}

def Tile_LoadOp : Tile_Op<"load", [HasParent<"KernelOp">, MemoryEffects<[MemRead]>, AttrSizedOperandSegments]> {
  let summary = "Loads tile [indices] of a row-major global tensor, masked by its bounds.";
  let description = [{
    The tensor at `ptr` has extents `bounds`; the tile's extents are `shape` (config keys such
    as "bm" or integers), so the tile covers elements [i * shape[d], (i + 1) * shape[d]) of each
    dimension d; elements past the bounds read as zero. A result element type of f32 converts
    on load; otherwise it is the pointer's element type.
    Example: `%x = tile.load %in[%p, %c0] bounds(%rows, %h) {layout = #tile.layout<row>, shape = ["rows", "4096"]} : !tile.ptr<bf16> -> tensor<?x4096xf32>`
  }];
  let arguments = (ins Tile_Pointer:$ptr, Variadic<I32>:$indices, Variadic<I32>:$bounds,
                       StrArrayAttr:$shape, Tile_LayoutAttr:$layout);
  let results = (outs Tile_Tile:$result);
  let assemblyFormat = [{
    $ptr `[` $indices `]` `bounds` `(` $bounds `)` attr-dict `:` qualified(type($ptr)) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_StoreOp : Tile_Op<"store", [HasParent<"KernelOp">, MemoryEffects<[MemWrite]>, AttrSizedOperandSegments]> {
  let summary = "Stores a tile at [indices] of a row-major global tensor, masked by its bounds.";
  let description = [{
    The inverse of `tile.load`: elements past the bounds are not written; values are rounded
    once to the pointer's element type.
    Example: `tile.store %y, %out[%p, %c0] bounds(%rows, %h) {layout = #tile.layout<row>, shape = ["rows", "4096"]} : tensor<?x4096xf32>, !tile.ptr<bf16>`
  }];
  let arguments = (ins Tile_Tile:$value, Tile_Pointer:$ptr, Variadic<I32>:$indices,
                       Variadic<I32>:$bounds, StrArrayAttr:$shape, Tile_LayoutAttr:$layout);
  let assemblyFormat = [{
    $value `,` $ptr `[` $indices `]` `bounds` `(` $bounds `)` attr-dict `:` type($value) `,` qualified(type($ptr))
  }];
  let hasVerifier = 1;
}

def Tile_RowScaleOp : Tile_Op<"row_scale", [HasParent<"KernelOp">, MemoryEffects<[MemRead]>]> {
  let summary = "The RMSNorm scale rsqrt(mean(x²) + eps) of each row of a GEMM's row tile.";
  let description = [{
    Rows [i * bm, (i + 1) * bm) of the [M, K] tensor at `x`; a GEMM prologue (`tile.dot`'s
    `scale` operand), so the normalized rows never go through memory.
    Example: `%s = tile.row_scale %x[%pm] sizes(%M, %K) {eps = 1.0e-05 : f32} : !tile.ptr<bf16> -> tensor<?x1xf32>`
  }];
  let arguments = (ins Tile_Pointer:$x, I32:$index, I32:$rows, I32:$cols, F32Attr:$eps);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $x `[` $index `]` `sizes` `(` $rows `,` $cols `)` attr-dict `:` qualified(type($x)) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_DotOp : Tile_Op<"dot", [HasParent<"KernelOp">, MemoryEffects<[MemRead]>, AttrSizedOperandSegments]> {
  let summary = "The GEMM main loop: acc[bm, bn] = Σ_k a[m, k] · b[n, k] of one output tile.";
  let description = [{
    `a` is [M, K] and `b` is [N, K] (nn.Linear weight layout), both row-major; the program
    computes output tile (im, in) in f32, walking K in `bk` steps through `stages` shared-memory
    stages. An optional `scale` (from `tile.row_scale`) multiplies each accumulator row. `atom`
    (the MMA instruction) and `staging` (the shared-memory ring) are set by
    `tile-lower-to-tensor-cores`.
    Example: `%acc = tile.dot %x[%pm], %w[%pn] sizes(%M, %N, %K) : !tile.ptr<bf16>, !tile.ptr<bf16> -> tensor<?x?xf32>`
  }];
  let arguments = (ins Tile_Pointer:$a, I32:$a_index, Tile_Pointer:$b, I32:$b_index,
                       I32:$m, I32:$n, I32:$k, Optional<RankedTensorOf<[F32]>>:$scale,
                       Optional<Tile_SharedType>:$staging, OptionalAttr<StrAttr>:$atom);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $a `[` $a_index `]` `,` $b `[` $b_index `]` `sizes` `(` $m `,` $n `,` $k `)`
    (`scale` `(` $scale^ `:` type($scale) `)`)? (`staging` `(` $staging^ `:` qualified(type($staging)) `)`)?
    attr-dict `:` qualified(type($a)) `,` qualified(type($b)) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_AllocSharedOp : Tile_Op<"alloc_shared", [HasParent<"KernelOp">, MemoryEffects<[MemAlloc]>]> {
  let summary = "A shared-memory buffer of the program (dynamic shared memory of the kernel).";
  let description = [{ Example: `%ring = tile.alloc_shared : !tile.shared<bf16, [3, 256, 32]>` }];
  let results = (outs Tile_SharedType:$result);
  let assemblyFormat = "attr-dict `:` qualified(type($result))";
}

def Tile_MapOp : Tile_Op<"map", [Pure]> {
  let summary = "An elementwise function of tiles, with numpy broadcasting of its operands.";
  let description = [{
    Math is f32; `cast` rounds to the result's element type (as graph.cast). An operand of
    extent 1 (or of lower rank, aligned to the right) is broadcast.
    Example: `%y = tile.map <mul> %x, %s : (tensor<?x4096xf32>, tensor<?x1xf32>) -> tensor<?x4096xf32>`
  }];
  let arguments = (ins Tile_MapKindAttr:$kind, Variadic<AnyTypeOf<[Tile_Tile, F32]>>:$operands);
  let results = (outs Tile_Tile:$result);
  let assemblyFormat = "$kind $operands attr-dict `:` functional-type($operands, $result)";
  let hasVerifier = 1;
}

def Tile_ReduceOp : Tile_Op<"reduce", [Pure]> {
  let summary = "Reduces a tile along one axis, keeping that axis with extent 1.";
  let description = [{
    Statistics are f32; `argmax` gives the i32 index of the largest element (the lowest on ties).
    Example: `%m = tile.reduce <max> %x {axis = 1 : i64} : tensor<?x32000xf32> -> tensor<?x1xf32>`
  }];
  let arguments = (ins Tile_ReduceKindAttr:$kind, Tile_Tile:$input, I64Attr:$axis);
  let results = (outs Tile_Tile:$result);
  let assemblyFormat = "$kind $input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Tile_GatherOp : Tile_Op<"gather", [HasParent<"KernelOp">, MemoryEffects<[MemRead]>]> {
  let summary = "Gathers rows of a [vocab, H] table by a tile of i32 ids (zero rows when out of range).";
  let description = [{
    An id outside [0, vocab) gives a zero row; with `errors`, an i32 error record
    {count, id, row, vocab} (loom/embedding.cuh EmbeddingError) counts such ids and names the
    first. Example:
    `%rows = tile.gather %table[%ids] vocab(%v) errors(%e) : !tile.ptr<bf16>, tensor<?xi32>, !tile.ptr<i32> -> tensor<?x64xbf16>`
  }];
  let arguments = (ins Tile_Pointer:$table, RankedTensorOf<[I32]>:$ids, I32:$vocab,
                       Optional<Tile_Pointer>:$errors);
  let results = (outs Tile_Tile:$result);
  let assemblyFormat = [{
    $table `[` $ids `]` `vocab` `(` $vocab `)` (`errors` `(` $errors^ `)`)? attr-dict `:`
    qualified(type($table)) `,` type($ids) (`,` qualified(type($errors))^)? `->` type($result)
  }];
  let hasVerifier = 1;
}

#endif // LOOM_TILE_OPS
