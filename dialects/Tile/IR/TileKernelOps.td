// The tile dialect's structure ops: kernels, their terminator, the launch program.
#ifndef LOOM_TILE_KERNEL_OPS
#define LOOM_TILE_KERNEL_OPS

include "dialects/Tile/IR/TileDialect.td"
include "dialects/Tile/IR/TileTypes.td"
include "mlir/Interfaces/FunctionInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Tile_KernelOp : Tile_Op<"kernel", [FunctionOpInterface, IsolatedFromAbove,
                                       DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>]> {
  let summary = "A GPU kernel: one program (CTA) of tiles, with its parameters and launch shape.";
  let description = [{
    Parameters are global pointers (`!tile.ptr<T>`) and scalars (i32 dims, f32 values), named
    by `param_names` in signature order. `ops` lists the graph ops the kernel came from;
    `config` holds the tile configuration (`tile-tiling`): tile extents named by loads and
    stores (`bm`, `bn`, `bk`, `rows`, `block`), `warps`, `stages`, `vec`, ... The launch shape
    is `block` (threads), `grid` (dim expressions of docs/package.md) and `shared_bytes`.
    Example:
    ```mlir
    tile.kernel @fused_silu_0(%x: !tile.ptr<bf16>, %y: !tile.ptr<bf16>, %n: i32)
        attributes {ops = ["graph.silu"], param_names = ["x", "y", "n"]} {
      %p = tile.program_id 0
      %t = tile.load %x[%p] bounds(%n) {layout = #tile.layout<vector>, shape = ["block"]} : !tile.ptr<bf16> -> tensor<?xf32>
      %s = tile.map <silu> %t : (tensor<?xf32>) -> tensor<?xf32>
      tile.store %s, %y[%p] bounds(%n) {layout = #tile.layout<vector>, shape = ["block"]} : tensor<?xf32>, !tile.ptr<bf16>
      tile.return
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttrOf<FunctionType>:$function_type,
                       OptionalAttr<DictArrayAttr>:$arg_attrs, OptionalAttr<DictArrayAttr>:$res_attrs,
                       StrArrayAttr:$param_names, StrArrayAttr:$ops,
                       OptionalAttr<DictionaryAttr>:$config,
                       OptionalAttr<DenseI32ArrayAttr>:$block, OptionalAttr<StrArrayAttr>:$grid,
                       OptionalAttr<I64Attr>:$shared_bytes);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::llvm::ArrayRef<::mlir::Type> getArgumentTypes() { return getFunctionType().getInputs(); }
    ::llvm::ArrayRef<::mlir::Type> getResultTypes() { return getFunctionType().getResults(); }
    ::mlir::Region *getCallableRegion() { return &getBody(); }
    /// The config entry `key` (e.g. "bm"), if the kernel has been tiled and has it.
    std::optional<int64_t> getConfigValue(::llvm::StringRef key);
  }];
}

def Tile_ReturnOp : Tile_Op<"return", [Pure, Terminator, HasParent<"KernelOp">]> {
  let summary = "Ends a kernel's program.";
  let description = [{ Example: `tile.return` }];
  let assemblyFormat = "attr-dict";
}

def Tile_LaunchProgramOp : Tile_Op<"launch_program", [NoTerminator, SingleBlock, NoRegionArguments]> {
  let summary = "The kernels of one forward step in launch order, with the package's tensors.";
  let description = [{
    `dims` bounds every dim name (`tokens`, `seqs`, ...); `inputs`, `outputs`, `weights` and
    `buffers` are the manifest sections of docs/package.md (dictionaries), `arena_bytes` the
    size of the activation arena the buffers live in, `kv_cache` the paged KV pool if any.
    Example:
    ```mlir
    tile.launch_program attributes {arena_bytes = 0 : i64, buffers = [], dims = {tokens = 64 : i64},
        inputs = [ {dtype = "bf16", name = "x", shape = ["tokens", 64]} ],
        outputs = [ {buffer = "y", dtype = "bf16", name = "y", shape = ["tokens", 64]} ], weights = []} {
      tile.launch @fused_silu_0 ["input:x", "output:y", "dim:tokens"]
    }
    ```
  }];
  let arguments = (ins DictionaryAttr:$dims, ArrayAttr:$inputs, ArrayAttr:$outputs,
                       ArrayAttr:$weights, ArrayAttr:$buffers, I64Attr:$arena_bytes,
                       OptionalAttr<DictionaryAttr>:$kv_cache);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

def Tile_LaunchOp : Tile_Op<"launch", [HasParent<"LaunchProgramOp">,
                                       DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Launches a kernel with each parameter bound to a package tensor, dim or value.";
  let description = [{
    One binding per kernel parameter, `kind:ref`: pointers bind `buffer:`, `weight:`, `input:`,
    `output:`, `kv_k:`, `kv_v:`; i32 parameters `dim:<name>` or `int:<value>`; f32 parameters
    `float:<value>`. `when`, if present, guards the launch: the step launches the kernel only
    when the guard holds for its dims (docs/package.md "program": "decode" or "prefill"); the
    manifest's program entry becomes `{"kernel": name, "when": guard}`. Without it the kernel
    launches on every step. Example:
    `tile.launch @fused_silu_0 ["input:x", "output:y", "dim:tokens"] when "decode"`
  }];
  let arguments = (ins FlatSymbolRefAttr:$kernel, StrArrayAttr:$bindings,
                       OptionalAttr<StrAttr>:$when);
  let assemblyFormat = "$kernel $bindings (`when` $when^)? attr-dict";
  let hasVerifier = 1;
}

#endif // LOOM_TILE_KERNEL_OPS
