// loom-opt: runs Loom's passes over .mlir files (the driver of the lit tests).
#include "compiler/Pipelines/Registration.h"
#include "compiler/Transforms/Graph/Passes.h"
#include "dialects/Graph/IR/GraphDialect.h"
#include "dialects/Tile/IR/TileDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  loom::graph::registerGraphPasses();
  loom::pipelines::registerCodegenPasses();
  mlir::DialectRegistry registry;
  registry.insert<loom::graph::GraphDialect, loom::tile::TileDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Loom optimizer driver\n", registry));
}
