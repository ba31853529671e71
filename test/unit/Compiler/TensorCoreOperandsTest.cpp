// The target-free tensor-core rules graph-fuse reads agree with tile-tiling's SIMT fallback.
#include "compiler/Transforms/Tile/MmaAtoms.h"
#include "compiler/Transforms/Tile/SimtFallback.h"
#include "dialects/Tile/IR/TensorCoreOperands.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

namespace {

using namespace loom::tile;

class TensorCoreOperands : public ::testing::Test {
protected:
  mlir::MLIRContext context_;
  mlir::Builder builder_{&context_};
  std::vector<mlir::Type> types_ = {builder_.getBF16Type(), builder_.getF16Type(), builder_.getF32Type(),
                                    builder_.getF64Type()};
};

std::string typeName(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream(text) << type;
  return text;
}

TEST_F(TensorCoreOperands, OperandTypesAreTheAtomTablesOnEveryTarget) {
  for (mlir::Type type : types_) {
    bool anyAtom = llvm::any_of(mmaAtoms(), [&](const MmaAtom &atom) { return atom.operand == typeName(type); });
    EXPECT_EQ(isTensorCoreOperandType(type), anyAtom) << typeName(type);
    for (const GpuTarget &target : gpuTargets()) { // every target has an atom for each such type
      std::string why;
      EXPECT_EQ(selectMmaAtom(target, type, false, why) != nullptr, anyAtom) << typeName(type) << " " << target.name.str();
    }
  }
}

TEST_F(TensorCoreOperands, SimtFallbackDecidesExactlyWhereTheRulesFail) {
  const std::pair<int64_t, int64_t> sizes[] = {{32, 32}, {36, 32}, {32, 36}, {36, 1001}, {2048, 8192}};
  for (const GpuTarget &target : gpuTargets())
    for (mlir::Type type : types_)
      for (auto [k, n] : sizes)
        for (bool rowScale : {false, true}) {
          KernelShape shape;
          shape.rowScale = rowScale;
          shape.family = KernelFamily::kGemm;
          shape.rows = "tokens";
          shape.rowsBound = 64;
          shape.k = k;
          shape.n = n;
          shape.operand = type;
          EXPECT_EQ(simtGemmReason(shape, target).empty(), tensorCoreGemmProblem(type, k, n).empty())
              << target.name.str() << " " << typeName(type) << " K " << k << " N " << n << " row scale " << rowScale;
        }
}

TEST_F(TensorCoreOperands, ProblemsNameEveryReason) {
  EXPECT_EQ(tensorCoreGemmProblem(builder_.getBF16Type(), 2048, 8192), "");
  EXPECT_EQ(tensorCoreGemmProblem(builder_.getF16Type(), 36, 32),
            "K (36) is not a multiple of 8, so rows of X and W are not 16-byte aligned");
  EXPECT_EQ(tensorCoreGemmProblem(builder_.getF32Type(), 32, 1001),
            "no MMA atom takes f32 operands; N (1001) is not a multiple of 8, so rows of W and Y are not "
            "16-byte aligned");
}

} // namespace
