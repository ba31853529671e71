// Registration of the code generator's passes and pipelines with the pass registry (loom-opt).
#pragma once

namespace loom::pipelines {

/// Registers convert-graph-to-tile, the tile passes and the graph-to-tile / graph-to-cuda
/// pipelines.
void registerCodegenPasses();

} // namespace loom::pipelines
