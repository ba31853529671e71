// The graph -> tile conversion.
#ifndef LOOM_CONVERSION_GRAPH_TO_TILE
#define LOOM_CONVERSION_GRAPH_TO_TILE

include "mlir/Pass/PassBase.td"

def ConvertGraphToTilePass : Pass<"convert-graph-to-tile", "mlir::ModuleOp"> {
  let summary = "Turn each fused graph group (or unfused op) of the forward function into a tile.kernel.";
  let description = [{
    1. Groups: every `graph.fused` region is one group; every other graph op except
       `graph.weight` is a group of one.
    2. The package plan: dim names and bounds (`loom.dims`, `loom.max_*`), inputs, weights,
       outputs, and one arena buffer per intermediate tensor where graph-plan-memory's
       `loom.buffer_plan` puts it (the pass runs graph-plan-memory first when the function has
       no plan); the lowering's own storage (group scratch, the error record) follows that arena.
    3. Each group becomes a `tile.kernel` by its family: GEMM groups as program-id tiles ->
       (row-scale prologue) -> `tile.dot` -> epilogue maps -> masked store; norm, gather,
       softmax and argmax groups as row loads -> reductions and maps -> stores; elementwise
       groups as vector loads -> maps -> store.
    4. A `tile.launch_program` lists the kernels in order with their parameter bindings; the
       function is erased. A group no family lowers is an error naming its ops.
    Device-library kernels are chosen for `target` (e.g. the wgmma prefill attention on
    sm_90a); with no target, only kernels every target runs.
  }];
  let options = [Option<"target", "target", "std::string", "\"\"",
                        "Compile target: sm_80, sm_89, sm_90 or sm_90a; empty: any target.">];
  let dependentDialects = ["::loom::tile::TileDialect", "::mlir::arith::ArithDialect"];
}

#endif // LOOM_CONVERSION_GRAPH_TO_TILE
