// Graph-level passes: weight hoisting, fusion into graph.fused regions, memory planning.
#ifndef LOOM_GRAPH_TRANSFORMS_PASSES
#define LOOM_GRAPH_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def GraphHoistWeightsPass : Pass<"graph-hoist-weights", "mlir::ModuleOp"> {
  let summary = "Turn weight-only concat/transpose/cast expressions into one graph.weight built at load time.";
  let description = [{
    Walks each function in order. An op among graph.concat, graph.transpose, graph.reshape and graph.cast whose
    operands are all graph.weight results is replaced by a new graph.weight whose `loom.recipe`
    attribute says how the runtime builds it from checkpoint tensors, mirroring the package
    manifest: `{concat = {axis = 0, of = [...]}}`, `{transpose = {permutation = [...], of = [x]}}`,
    `{cast = {dtype = "bf16", of = [x]}}`, `{reshape = {shape = [...], of = [x]}}`. An `of` entry is a checkpoint name, or the recipe of an
    operand that was itself hoisted (nested), so chains collapse bottom-up into one weight.
    The name is `loom.<stem>.<n>`: the stem joins what differs between the source names once their
    common prefix and suffix are removed (q_proj, k_proj, v_proj → "qkv"; gate_proj, up_proj →
    "gate_up"), n counts that stem's weights in the module (so it is the layer for per-layer
    weights). Equal recipes share one name. Weights left unused are erased.
  }];
  let dependentDialects = ["::loom::graph::GraphDialect"];
}

def GraphRopePairsPass : Pass<"graph-rope-pairs", "mlir::ModuleOp"> {
  let summary = "Turn rotate-half ropes of q and k into interleaved ropes over per-head permuted projection rows.";
  let description = [{
    Attention scores q·k do not change when q and k are permuted the same way within each head.
    For a rotate_half graph.rope whose result only feeds a paged_attention (as its query), whose
    attention reads the cache straight from the kv_append of its layer, and whose appended key is
    a rotate_half rope (same head_dim and positions) read only by that kv_append, and whose cache
    layer no other paged_attention or kv_append of the module touches (the permuted K stays in
    the persistent pool):
    1. Find the rows producing q and k: the roped value is a linear's result, or a piece of a split
       of it along the last axis (the linear read only by the split), read only by the rope; the
       rows are the linear's weight (bias) or exactly one operand of a graph.concat (axis 0) that
       feeds only this linear, and a graph.weight.
    2. Permute those rows per head — new row 2i <- old i, new row 2i + 1 <- old i + D/2 — as
       graph.reshape [H, 2, D/2, K] -> graph.transpose [0, 2, 1, 3] -> graph.reshape [H·D, K]
       on the weight (and [H·D] bias) operand; graph-hoist-weights folds these into the weight's
       load-time recipe.
    3. Set both ropes to style interleaved, whose pairs (2i, 2i + 1) use frequency i — the
       rotate-half pair (i, i + D/2) moved next to each other.
    Now the pair a GEMM epilogue receives (two adjacent columns) is a rope pair. With `explain`,
    a rotate_half rope left alone gets a remark saying why.
  }];
  let options = [
    Option<"explain", "explain", "bool", "false",
           "Emit a remark on every rotate_half rope left unchanged, saying why.">
  ];
  let dependentDialects = ["::loom::graph::GraphDialect"];
}

def GraphFusePass : Pass<"graph-fuse", "mlir::ModuleOp"> {
  let summary = "Group graph ops into graph.fused regions, one per kernel, by a table of fusion rules.";
  let description = [{
    1. Seeds, highest priority first (the seed table): linear/matmul start gemm groups, rms_norm
       norm groups, add/mul/silu/gelu/cast elementwise groups; ops of the function body are
       visited in order for each priority, skipping ops already grouped.
    2. A group grows by the absorb table: rows (group kind, producer or consumer side, op class,
       matcher). A gemm group takes as epilogue consumers of its current tail (activation,
       residual add, cast, and the gating pattern split into halves → silu(gate) · up) and an
       rms_norm producing its input rows as prologue (strategy recorded in `prologue`); a norm
       group takes the residual add producing its input, whose sum stays a group result; an
       elementwise group takes elementwise producers and consumers.
    3. Legality, in the driver for every row: the absorbed op is not yet grouped; the value that
       connects it to the group has no user outside the group (unless the row allows that, as the
       add + rms_norm pair does); shapes agree (row matchers); no op outside the group lies on a
       path from the group back into it (a cycle).
    4. Groups of one op dissolve; the others are outlined into `graph.fused` (inputs captured,
       results yielded, name `fused_<op names>_<n>`, n counting groups in the module).
    With `explain`, every graph op left unfused gets a remark saying why.
  }];
  let options = [
    Option<"explain", "explain", "bool", "false",
           "Emit a remark on every op left unfused, saying why.">
  ];
  let dependentDialects = ["::loom::graph::GraphDialect"];
}

def GraphPlanMemoryPass : Pass<"graph-plan-memory", "mlir::func::FuncOp"> {
  let summary = "Give every activation of a forward function an arena offset by liveness (best fit).";
  let description = [{
    1. Bounds: each argument's `loom.dims` names its dimensions; a name `x` is bounded by the
       function's `loom.max_x`, `a+k` by bound(a) + k, a number by itself. A dynamic result
       dimension comes from the operand a table names for the op (embedding rows: the ids;
       linear, attention: the input rows), or else takes the largest bound among the operands'
       dynamic dimensions at the same position of same-rank operands, or else among all their
       dynamic dimensions (conservative); reshape keeps the element count; graph.fused
       propagates through its body.
    2. Buffers: every tensor result of a top-level op except graph.weight (not arguments, not the
       KV cache); graph.reshape, graph.split and graph.rope alias their input's buffer (the
       lowering keeps them as views: split pieces are column ranges of it, rope rotates in place
       inside the kv_append kernel). Live range: the position of the defining op to that of the
       last user (func.return counts), over aliases. convert-graph-to-tile reads this plan.
    3. Placement, best fit: each buffer takes the smallest gap between the buffers already
       placed whose live ranges overlap its own, or the end; offsets and sizes aligned to
       `alignment`. Two orders are tried — largest first (TFLite's greedy-by-size) and program
       order — and the smaller arena is kept (size order on ties).
    4. Output: `loom.buffer_plan` (per buffer: id, offset, bytes, first, last, shape with dim
       names), `loom.arena_bytes`, `loom.arena_alignment` on the function; `loom.buffers` (a
       buffer id per result, "" for none) on each op that defines one.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", "256", "Alignment of offsets and sizes, in bytes.">
  ];
}

#endif // LOOM_GRAPH_TRANSFORMS_PASSES
