// Every kernel the lit suite's graph inputs produce compiles with NVRTC for sm_80 and sm_90a
// (no GPU needed), names its entry point as the manifest does, and the sm_80 packages load in the
// runtime's manifest reader.
#include "compiler/Pipelines/Pipelines.h"
#include "dialects/Graph/IR/GraphDialect.h"
#include "dialects/Tile/IR/TileDialect.h"
#include "runtime/CUDA/NvrtcCompiler.h"
#include "runtime/Package/Package.h"
#include "runtime/Support/ThreadPool.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <sstream>

namespace {

/// The graph inputs of the codegen lit tests: each `// -----` chunk of the files below that is a
/// forward function the compiler accepts (chunks expecting errors are left out).
std::vector<std::pair<std::string, std::string>> litInputs() {
  const char *files[] = {"test/Compiler/Conversion/GraphToTile/convert-graph-to-tile.mlir",
                         "test/Compiler/Conversion/GraphToTile/matmul.mlir",
                         "test/Compiler/Conversion/GraphToTile/matmul-epilogue.mlir",
                         "test/Compiler/Conversion/GraphToTile/paged-attention-targets.mlir",
                         "test/Compiler/Conversion/GraphToTile/simt-fallback.mlir",
                         "test/Compiler/Conversion/GraphToTile/rope-kv-epilogue.mlir",
                         "test/Compiler/Transforms/Tile/tiling.mlir",
                         "test/Compiler/Transforms/Tile/lower-to-tensor-cores.mlir",
                         "test/Compiler/Transforms/Tile/gemv-variants.mlir",
                         "test/Compiler/Transforms/Tile/skinny-variants.mlir",
                         "test/Compiler/Target/CUDA/emit.mlir",
                         "test/Compiler/Target/CUDA/emit-llama-layer.mlir",
                         "test/Compiler/Target/CUDA/emit-gemm-epilogues.mlir",
                         "test/Compiler/Target/CUDA/emit-rope-kv-epilogue-f16.mlir",
                         "test/Compiler/loomc/loomc.mlir",
                         "test/Compiler/loomc/hoisted-weights.mlir",
                         "test/Compiler/loomc/emit-graph-cubin.mlir"};
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const char *file : files) {
    std::ifstream stream(std::string(LOOM_SOURCE_DIR) + "/" + file);
    EXPECT_TRUE(stream) << "missing lit input " << file;
    std::stringstream text;
    text << stream.rdbuf();
    std::string all = text.str(), separator = "\n// -----\n";
    size_t start = 0, chunk = 0, forwards = 0;
    while (start <= all.size()) {
      size_t end = all.find(separator, start);
      std::string piece = all.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (piece.find("func.func @forward") != std::string::npos) {
        inputs.emplace_back(std::string(file) + "#" + std::to_string(chunk), piece);
        ++forwards;
      }
      if (end == std::string::npos)
        break;
      start = end + separator.size();
      ++chunk;
    }
    EXPECT_GT(forwards, 0u) << file << " has no forward function left to compile";
  }
  return inputs;
}

class EmittedKernels : public ::testing::TestWithParam<const char *> {
protected:
  EmittedKernels() {
    registry_.insert<loom::graph::GraphDialect, loom::tile::TileDialect, mlir::func::FuncDialect,
                     mlir::arith::ArithDialect>();
  }
  mlir::DialectRegistry registry_;
};

TEST_P(EmittedKernels, CompileWithNvrtc) {
  const std::string target = GetParam();
  auto arch = loom::rt::parseGpuArch(target);
  ASSERT_TRUE(arch) << arch.status().message();
  auto inputs = litInputs();
  ASSERT_GE(inputs.size(), 10u) << "the lit inputs moved";
  // Identical kernels (the same layer in several files) compile once; the distinct ones run on
  // every core, the NVRTC compiles being independent programs.
  std::map<std::string, std::pair<std::string, std::string>> unique; // source -> (input, path)
  for (const auto &[name, text] : inputs) {
    mlir::MLIRContext context(registry_);
    auto module = mlir::parseSourceString<mlir::ModuleOp>(text, &context);
    ASSERT_TRUE(module) << name;
    loom::pipelines::CompileOptions options;
    options.target = target;
    auto package = loom::pipelines::compile(*module, options);
    ASSERT_TRUE(mlir::succeeded(package)) << name;
    ASSERT_FALSE(package->sources.empty()) << name;
    for (const auto &[path, source] : package->sources)
      unique.try_emplace(source, name, path);
    if (target == "sm_80") { // sm_90a GEMMs take TMA parameters, a manifest extension
      auto loaded = loom::rt::makePackage(package->manifest, package->sources);
      ASSERT_TRUE(loaded) << name << ": " << loaded.status().message() << "\n" << package->manifest;
      EXPECT_EQ(loaded->manifest.kernels.size(), package->sources.size());
    }
  }
  loom::ThreadPool pool;
  std::vector<std::future<loom::StatusOr<loom::rt::CompiledKernel>>> compiles;
  for (const auto &[source, where] : unique) {
    std::string kernel = std::filesystem::path(where.second).stem().string();
    compiles.push_back(pool.submit([kernel, source = &source, arch = *arch] {
      return loom::rt::compileWithNvrtc({kernel, *source, arch, {}});
    }));
  }
  size_t kernels = 0;
  for (const auto &[source, where] : unique) {
    const auto &[name, path] = where;
    std::string kernel = std::filesystem::path(path).stem().string();
    auto compiled = compiles[kernels++].get();
    ASSERT_TRUE(compiled) << name << " " << path << ":\n" << compiled.status().message() << "\n" << source;
    EXPECT_FALSE(compiled->cubin.empty()) << path;
    EXPECT_NE(compiled->ptx.find(".entry " + kernel + "("), std::string::npos) << path;
  }
  EXPECT_GE(kernels, 40u);
}

INSTANTIATE_TEST_SUITE_P(Targets, EmittedKernels, ::testing::Values("sm_80", "sm_90a"));

} // namespace
