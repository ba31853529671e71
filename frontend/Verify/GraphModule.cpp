// Parsing a graph module and compiling clones of it with diagnostics captured as text.
#include "frontend/Verify/GraphModule.h"

#include "compiler/Pipelines/Pipelines.h"
#include "dialects/Graph/IR/GraphDialect.h"
#include "dialects/Tile/IR/TileDialect.h"
#include "frontend/Reference/Interpreter/MlirTypes.h"
#include "frontend/Verify/GraphSignature.h"
#include "runtime/CUDA/NvrtcCompiler.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <fmt/format.h>

namespace loom::verify {

namespace {

/// Collects every diagnostic emitted on a context while it lives, as "loc: severity: message".
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(mlir::MLIRContext *context)
      : handler_(context, [this](mlir::Diagnostic &diagnostic) {
          append(diagnostic);
          for (mlir::Diagnostic &note : diagnostic.getNotes())
            append(note);
          return mlir::success();
        }) {}
  const std::string &text() const { return text_; }

private:
  void append(mlir::Diagnostic &diagnostic) {
    static constexpr std::pair<mlir::DiagnosticSeverity, const char *> kSeverities[] = {
        {mlir::DiagnosticSeverity::Error, "error"},
        {mlir::DiagnosticSeverity::Warning, "warning"},
        {mlir::DiagnosticSeverity::Note, "note"},
        {mlir::DiagnosticSeverity::Remark, "remark"}};
    const char *severity = "error";
    for (auto [kind, name] : kSeverities)
      if (kind == diagnostic.getSeverity())
        severity = name;
    text_ += fmt::format("\n  {}: {}: {}", ref::locationText(diagnostic.getLocation()), severity,
                         diagnostic.str());
  }
  std::string text_;
  mlir::ScopedDiagnosticHandler handler_;
};

} // namespace

StatusOr<GraphModule> GraphModule::parse(std::string_view text, std::string_view bufferName) {
  GraphModule graph;
  mlir::DialectRegistry registry;
  registry.insert<graph::GraphDialect, tile::TileDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  graph.context_ = std::make_unique<mlir::MLIRContext>(registry);
  graph.context_->loadAllAvailableDialects();
  DiagnosticCollector diagnostics(graph.context_.get());
  mlir::ParserConfig config(graph.context_.get());
  graph.module_ = mlir::parseSourceString<mlir::ModuleOp>(
      llvm::StringRef(text.data(), text.size()), config, llvm::StringRef(bufferName));
  if (!graph.module_)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("cannot parse {}:{}", bufferName, diagnostics.text()));
  LOOM_RETURN_IF_ERROR(forwardFunction(*graph.module_).status());
  return graph;
}

mlir::func::FuncOp GraphModule::function() { return *forwardFunction(*module_); }

StatusOr<cuda::Package> GraphModule::compile(std::string_view target) const {
  mlir::OwningOpRef<mlir::ModuleOp> clone = module_.get().clone();
  DiagnosticCollector diagnostics(context_.get());
  pipelines::CompileOptions options;
  options.target = std::string(target);
  mlir::FailureOr<cuda::Package> package = pipelines::compile(*clone, options);
  if (mlir::failed(package))
    return LOOM_ERROR(StatusCode::kCompileError,
                      fmt::format("compile() for {} failed:{}", target, diagnostics.text()));
  return std::move(*package);
}

StatusOr<std::map<std::string, rt::CompiledKernel>> compileKernels(const cuda::Package &package,
                                                                   rt::GpuArch arch) {
  std::map<std::string, rt::CompiledKernel> compiled;
  for (const auto &[path, source] : package.sources) {
    std::string name = path.substr(path.rfind('/') + 1);
    name = name.substr(0, name.rfind('.'));
    rt::CompileRequest request;
    request.name = name;
    request.source = source;
    request.arch = arch;
    LOOM_ASSIGN_OR_RETURN(compiled[name], rt::compileWithNvrtc(request));
  }
  return compiled;
}

} // namespace loom::verify
