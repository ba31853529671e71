// loomc: compiles a graph-dialect .mlir file to fused graph, tile IR, CUDA, PTX, cubins or a
// package (docs/package.md). Errors are located MLIR diagnostics and exit status 1.
#include "tools/loomc/ModelInput.h"
#include "tools/loomc/Report.h"

#include "compiler/Pipelines/Pipelines.h"
#include "dialects/Graph/IR/GraphDialect.h"
#include "dialects/Tile/IR/TileDialect.h"
#include "runtime/CUDA/NvrtcCompiler.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

namespace cl = llvm::cl;

namespace {

enum class Emit { kGraph, kFused, kTile, kCuda, kPtx, kCubin, kPackage };

cl::opt<std::string> inputPath(cl::Positional,
                               cl::desc("<input.mlir | MODEL_DIR | config.json | model.gguf>"),
                               cl::Required);
cl::opt<int64_t> maxTokens("max-tokens", cl::desc("MODEL input: most tokens in one step"), cl::init(2048));
cl::opt<int64_t> maxSeqs("max-seqs", cl::desc("MODEL input: most sequences in one step"), cl::init(256));
cl::opt<int64_t> maxContext("max-context", cl::desc("MODEL input: most tokens of one sequence (0: the model's)"),
                            cl::init(4096));
cl::opt<int64_t> kvBlocks("kv-blocks", cl::desc("MODEL input: blocks of 16 tokens in the KV pool"), cl::init(1024));
cl::opt<std::string> outputPath("o", cl::desc("Output file (graph/fused/tile/cuda/ptx) or folder (cubin/package)"),
                                cl::init("-"));
cl::opt<std::string> target("target", cl::desc("sm_90a, sm_90, sm_89 or sm_80"), cl::init("sm_90a"));
cl::opt<Emit> emit("emit", cl::desc("What to write"), cl::init(Emit::kPackage),
                   cl::values(clEnumValN(Emit::kGraph, "graph", "the parsed graph"),
                              clEnumValN(Emit::kFused, "fused", "after fusion"),
                              clEnumValN(Emit::kTile, "tile", "tile IR, tiled and lowered"),
                              clEnumValN(Emit::kCuda, "cuda", "the CUDA sources"),
                              clEnumValN(Emit::kPtx, "ptx", "PTX of every kernel (NVRTC)"),
                              clEnumValN(Emit::kCubin, "cubin", "a cubin per kernel into -o FOLDER"),
                              clEnumValN(Emit::kPackage, "package", "a package folder (-o FOLDER)")));
cl::opt<bool> report("report", cl::desc("Print per kernel: ops, tile, atom, shared memory, registers, "
                                         "bytes, FLOPs, roofline time"));
cl::opt<std::string> reportSvgPath("report-svg",
                                   cl::desc("Write the kernels' roofline chart (predicted times "
                                            "against the target's memory and compute roofs) as SVG"),
                                   cl::value_desc("FILE.svg"));
cl::opt<bool> debug("debug", cl::desc("Explain why ops stay unfused (graph-fuse remarks)"));

int fail(llvm::StringRef message) {
  llvm::errs() << "loomc: " << message << "\n";
  return 1;
}

/// Writes `text` to `path` ("-" is stdout).
bool writeFile(llvm::StringRef path, llvm::StringRef text) {
  std::error_code error;
  llvm::ToolOutputFile file(path, error, llvm::sys::fs::OF_None);
  if (error) {
    llvm::errs() << "loomc: cannot write " << path << ": " << error.message() << "\n";
    return false;
  }
  file.os() << text;
  file.keep();
  return true;
}

/// NVRTC-compiles every kernel of the package for the target (needs no GPU).
bool compileKernels(const loom::cuda::Package &package, loom::rt::GpuArch arch,
                    std::map<std::string, loom::rt::CompiledKernel> &compiled) {
  for (const auto &[path, source] : package.sources) {
    std::string name = llvm::sys::path::stem(path).str();
    auto kernel = loom::rt::compileWithNvrtc({name, source, arch, {}});
    if (!kernel) {
      llvm::errs() << "loomc: " << kernel.status().message() << "\n";
      return false;
    }
    compiled[name] = std::move(*kernel);
  }
  return true;
}

bool writePackage(const loom::cuda::Package &package, llvm::StringRef folder) {
  if (std::error_code error = llvm::sys::fs::create_directories(llvm::Twine(folder) + "/kernels")) {
    llvm::errs() << "loomc: cannot create " << folder << ": " << error.message() << "\n";
    return false;
  }
  for (const auto &[path, source] : package.sources)
    if (!writeFile((folder + "/" + path).str(), source))
      return false;
  return writeFile((folder + "/manifest.json").str(), package.manifest + "\n");
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "Loom compiler: graph .mlir -> tile IR -> CUDA / package\n");

  auto arch = loom::rt::parseGpuArch(target);
  if (!arch)
    return fail(arch.status().message());
  mlir::DialectRegistry registry;
  registry.insert<loom::graph::GraphDialect, loom::tile::TileDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  mlir::MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (loom::loomc::isModelInput(inputPath)) {
    loom::models::ForwardOptions forward;
    forward.maxTokens = maxTokens;
    forward.maxSeqs = maxSeqs;
    forward.maxContext = maxContext;
    forward.numBlocks = kvBlocks;
    auto built = loom::loomc::buildModelModule(context, inputPath, forward);
    if (!built)
      return fail(built.status().toString());
    module = std::move(*built);
  } else {
    std::string error;
    auto file = mlir::openInputFile(inputPath, &error);
    if (!file)
      return fail(error);
    sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
    module = mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
    if (!module)
      return 1;
  }

  loom::pipelines::CompileOptions options;
  options.target = target;
  options.explain = debug;
  if (emit == Emit::kGraph || emit == Emit::kFused || emit == Emit::kTile) {
    mlir::PassManager pm(&context);
    if (emit == Emit::kFused)
      loom::pipelines::buildFusionPipeline(pm, options);
    if (emit == Emit::kTile)
      loom::pipelines::buildGraphToTilePipeline(pm, options);
    if (mlir::failed(pm.run(*module)))
      return 1;
    std::string text;
    llvm::raw_string_ostream stream(text);
    module->print(stream);
    return writeFile(outputPath, text) ? 0 : 1;
  }

  auto package = loom::pipelines::compile(*module, options);
  if (mlir::failed(package))
    return 1;
  std::map<std::string, loom::rt::CompiledKernel> compiled;
  bool needsNvrtc = report || emit == Emit::kPtx || emit == Emit::kCubin;
  if (needsNvrtc && !compileKernels(*package, *arch, compiled))
    return 1;
  if (report)
    loom::loomc::printReport(*module, *loom::tile::findGpuTarget(target), compiled, llvm::errs());
  if (!reportSvgPath.empty()) {
    std::string title = llvm::sys::path::filename(llvm::StringRef(inputPath).rtrim('/')).str() +
                        " on " + target;
    if (!writeFile(reportSvgPath, loom::loomc::reportSvg(*module, *loom::tile::findGpuTarget(target),
                                                         title)))
      return 1;
  }

  std::string text;
  switch (emit) {
  case Emit::kCuda:
    for (const auto &[path, source] : package->sources)
      text += "// ----- " + path + "\n" + source;
    return writeFile(outputPath, text) ? 0 : 1;
  case Emit::kPtx:
    for (const auto &[name, kernel] : compiled)
      text += "// ----- " + name + ".ptx\n" + kernel.ptx;
    return writeFile(outputPath, text) ? 0 : 1;
  case Emit::kCubin:
    if (outputPath == "-")
      return fail("--emit=cubin writes one file per kernel: give -o FOLDER");
    if (std::error_code ec = llvm::sys::fs::create_directories(outputPath.getValue()))
      return fail("cannot create " + outputPath + ": " + ec.message());
    for (const auto &[name, kernel] : compiled)
      if (!writeFile(outputPath + "/" + name + ".cubin", kernel.cubin))
        return 1;
    return 0;
  default:
    if (outputPath == "-")
      return fail("--emit=package writes a folder: give -o FOLDER");
    return writePackage(*package, outputPath) ? 0 : 1;
  }
}
