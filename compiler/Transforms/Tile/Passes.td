// Passes on the tile dialect.
#ifndef LOOM_TRANSFORMS_TILE_PASSES
#define LOOM_TRANSFORMS_TILE_PASSES

include "mlir/Pass/PassBase.td"

def TileTilingPass : Pass<"tile-tiling", "mlir::ModuleOp"> {
  let summary = "Choose each kernel's tile configuration, warps and stages, and its launch shape.";
  let description = [{
    1. Analyze the kernel: family (GEMM, vector, rows), sizes at the launch program's dim bounds,
       bytes and FLOPs. A GEMM no tensor-core family can take (no MMA atom for its operands, K or
       N not a multiple of 8: SimtFallback.h's rules) gets the CUDA-core GEMM's tile
       (loom/gemm_simt.cuh, config `simt`) and `loom.fallback` saying why; steps 2-3 are skipped.
    2. Take the tuning table's entry (TuningTable.json) for the shape and target if there is one;
       otherwise enumerate the family's candidates and keep those that can launch on the target
       (threads, shared memory, a register estimate).
    3. Rank by the roofline estimate with wave quantization (GEMMs at max tokens and small M) and
       set `config`, `block`, `grid` (dim expressions) and `shared_bytes`. A kernel with no
       configuration that can launch, or a tuned one that cannot, is an error.
    Before that, with `gemv-variants`, every GEMM whose rows are bounded above the GEMV limit
    (16) gets a copy capped at 16 rows, tiled as a GEMV, and its launches split in two guarded
    launches: the GEMV on `<rows> <= 16`, the GEMM on `<rows> > 16` (GemvVariants.h).
    On sm_90, every GEMM whose rows are bounded above 128 also gets a skinny copy capped at 128
    rows (loom/gemm_skinny.cuh, SkinnyVariants.h), launched on `<rows> > 16 && <rows> <= 128`, the
    GEMM then on `<rows> > 128`; a GEMM bounded by 17..128 rows is tiled as the skinny GEMM itself.
    With `batch-invariant` instead, no row-count variant is added and paged attention's
    decode-only branch is erased (BatchInvariance.h): one kernel per op at every step shape.
  }];
  let options = [Option<"target", "target", "std::string", "\"sm_90a\"",
                        "Compile target: sm_80, sm_89, sm_90 or sm_90a.">,
                 Option<"gemvVariants", "gemv-variants", "bool", "true",
                        "Give GEMMs with more than 16 rows a guarded decode GEMV variant (and, on sm_90, "
                        "a skinny variant for 17..128 rows).">,
                 Option<"batchInvariant", "batch-invariant", "bool", "false",
                        "One kernel per op at every step shape (overrides gemv-variants): a "
                        "row's result is the same alone, in any batch and under any chunking.">,
                 Option<"explain", "explain", "bool", "false",
                        "Remark on every GEMM left without a GEMV variant and on every kernel "
                        "with a CUDA-core fallback (loom.fallback), saying why.">];
}

def TileLowerToTensorCoresPass : Pass<"tile-lower-to-tensor-cores", "mlir::ModuleOp"> {
  let summary = "Give each tile.dot an MMA atom from the atom table and its shared-memory ring.";
  let description = [{
    For every tile.dot of a tiled kernel: pick the first atom of the table (wgmma on sm_90a,
    mma.sync m16n8k16 on sm_80+) whose target, operand type and prologue fit; set `atom` and,
    for the pipelined GEMMs, allocate the `stages` x (bm + bn) x bk staging ring in shared memory.
    A dot of a kernel tile-tiling sent to the CUDA-core GEMM gets atom `simt.fma.f32` and no ring.
    When no atom fits, the pattern fails saying why and the pass reports it on the dot.
  }];
  let options = [Option<"target", "target", "std::string", "\"sm_90a\"",
                        "Compile target: sm_80, sm_89, sm_90 or sm_90a.">];
  let dependentDialects = ["::loom::tile::TileDialect"];
}

#endif // LOOM_TRANSFORMS_TILE_PASSES
