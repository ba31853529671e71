// Registration of the code generator's passes and pipelines.
#include "compiler/Pipelines/Registration.h"
#include "compiler/Conversion/GraphToTile/Passes.h"
#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/CUDA/Passes.h"
#include "compiler/Transforms/Tile/Passes.h"

namespace loom::pipelines {

void registerCodegenPasses() {
  conversion::registerGraphToTilePasses();
  tile::registerTileTransformsPasses();
  cuda::registerTargetCUDAPasses();
  registerPipelines();
}

} // namespace loom::pipelines
