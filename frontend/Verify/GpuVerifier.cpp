// GPU kernels of a compiled graph against the CPU reference interpreter.
#include "frontend/Verify/GpuVerifier.h"

#include "frontend/Reference/Interpreter/MlirTypes.h"
#include "frontend/Reference/StorageBytes.h"
#include "frontend/Verify/ReferenceRun.h"

#include <fmt/format.h>

namespace loom::verify {

double graphRoundoff(mlir::func::FuncOp function) {
  double roundoff = 0;
  auto account = [&](mlir::Type type) {
    auto tensor = mlir::dyn_cast<mlir::RankedTensorType>(type);
    if (!tensor)
      return;
    StatusOr<ref::ElementType> element = ref::elementTypeOf(tensor.getElementType());
    if (element.isOk())
      roundoff = std::max(roundoff, unitRoundoff(*element));
  };
  for (mlir::Type type : function.getArgumentTypes())
    account(type);
  function.walk([&](mlir::Operation *op) {
    for (mlir::Type type : op->getResultTypes())
      account(type);
  });
  return roundoff;
}

bool VerifyReport::passed() const {
  return !outputs.empty() &&
         std::all_of(outputs.begin(), outputs.end(), [](const OutputCheck &o) { return o.passed; });
}

std::string VerifyReport::describe() const {
  std::vector<std::string> dimTexts;
  for (const auto &[name, value] : dims)
    dimTexts.push_back(fmt::format("{}={}", name, value));
  std::string text = fmt::format("dims {}: {}", fmt::join(dimTexts, ", "),
                                 passed() ? "passed" : "FAILED");
  for (size_t i = 0; i < outputs.size(); ++i)
    text += "\n  " + outputs[i].describe(shapes[i]);
  return text;
}

StatusOr<std::unique_ptr<GpuVerifier>> GpuVerifier::create(std::string_view moduleText,
                                                           const VerifyOptions &options,
                                                           const rt::Context &context,
                                                           rt::KernelCompiler &compiler) {
  LOOM_ASSIGN_OR_RETURN(GraphModule graph, GraphModule::parse(moduleText));
  std::unique_ptr<GpuVerifier> verifier(new GpuVerifier(std::move(graph), options));
  mlir::func::FuncOp function = verifier->graph_.function();
  LOOM_ASSIGN_OR_RETURN(verifier->signature_, readSignature(function));
  LOOM_ASSIGN_OR_RETURN(verifier->weights_, SharedWeights::random(function, options.weightSeed));
  verifier->roundoff_ = graphRoundoff(function);

  std::string target = options.target;
  if (target.empty()) {
    LOOM_ASSIGN_OR_RETURN(rt::GpuArch arch, context.arch());
    target = std::string(rt::gpuArchName(arch));
  }
  LOOM_ASSIGN_OR_RETURN(cuda::Package compiled, verifier->graph_.compile(target));
  LOOM_ASSIGN_OR_RETURN(rt::Package package, rt::makePackage(compiled.manifest, compiled.sources));
  LOOM_ASSIGN_OR_RETURN(verifier->executor_, rt::PackageExecutor::create(
                                                 context, std::move(package), verifier->weights_,
                                                 compiler));
  for (const rt::TensorSpec &input : verifier->manifest().inputs)
    if (std::none_of(verifier->signature_.arguments.begin(), verifier->signature_.arguments.end(),
                     [&](const SignatureTensor &argument) { return argument.name == input.name; }))
      return LOOM_ERROR(StatusCode::kInternal,
                        fmt::format("package input {} is no argument of the graph", input.name));
  return verifier;
}

StatusOr<VerifyReport> GpuVerifier::verify(const rt::DimValues &dims, uint64_t inputSeed,
                                           const rt::Stream &stream) {
  LOOM_ASSIGN_OR_RETURN(std::vector<ref::HostTensor> inputs,
                        randomInputs(signature_, dims, inputSeed));
  std::map<std::string, std::vector<std::byte>, std::less<>> inputBytes;
  for (size_t i = 0; i < inputs.size(); ++i)
    inputBytes[signature_.arguments[i].name] = ref::toStorageBytes(inputs[i]);
  for (const rt::TensorSpec &input : manifest().inputs)
    LOOM_RETURN_IF_ERROR(executor_->copyInput(input.name, inputBytes[input.name], dims, stream)
                             .withContext("input " + input.name));
  LOOM_RETURN_IF_ERROR(executor_->run(dims, stream));
  LOOM_ASSIGN_OR_RETURN(std::vector<ref::HostTensor> expected,
                        runReference(graph_.function(), weights_, std::move(inputs), &pool_));

  VerifyReport report;
  report.dims = dims;
  for (const SignatureTensor &result : signature_.results) {
    const ref::HostTensor &reference = expected.at(result.index);
    LOOM_ASSIGN_OR_RETURN(std::vector<std::byte> bytes,
                          executor_->readOutput(result.name, dims, stream));
    LOOM_ASSIGN_OR_RETURN(ref::HostTensor gpu,
                          ref::fromStorageBytes(result.type, reference.shape(), bytes));
    report.outputs.push_back(checkOutput(result.name, gpu, reference, roundoff_, options_.ulps));
    report.shapes.push_back(reference.shape());
  }
  return report;
}

StatusOr<VerifyReport> verifyOnGpu(std::string_view moduleText, const rt::DimValues &dims,
                                   uint64_t seed, const rt::Context &context,
                                   rt::KernelCompiler &compiler, const rt::Stream &stream,
                                   VerifyOptions options) {
  options.weightSeed = seed;
  LOOM_ASSIGN_OR_RETURN(std::unique_ptr<GpuVerifier> verifier,
                        GpuVerifier::create(moduleText, options, context, compiler));
  return verifier->verify(dims, seed, stream);
}

} // namespace loom::verify
