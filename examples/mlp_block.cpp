// Example: a fused MLP block written with Loom's C++ DSL, JIT-compiled in-process (MLIR pipeline
// → CUDA C++ → NVRTC), run on the GPU on random inputs and checked against the CPU reference
// interpreter. Without a GPU it prints the graph and the emitted kernels, and says it cannot run.
// Usage: loom-example-mlp-block [TOKENS]   (default 64, at most 4096)
#include "frontend/Builder/Builder.h"
#include "frontend/Jit/Jit.h"
#include "frontend/Verify/OutputCheck.h"
#include "frontend/Verify/RandomTensors.h"

#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

#include <cstdlib>

using loom::DType;
using loom::Dim;
using loom::Tensor;

/// y = x + down(silu(gate(rms_norm(x))) · up(rms_norm(x))), Llama-3.2-1B sizes.
static loom::StatusOr<mlir::OwningOpRef<mlir::ModuleOp>> buildMlpBlock(mlir::MLIRContext &context) {
  const int64_t hidden = 2048, intermediate = 8192;
  loom::Builder b(context, "mlp_block");
  Tensor x = b.input("x", {Dim::dynamic("tokens", 4096), hidden}, DType::bf16);
  Tensor h = b.rmsNorm(x, b.weight("post_attention_layernorm.weight", {hidden}), 1e-5f);
  Tensor gate = b.linear(h, b.weight("mlp.gate_proj.weight", {intermediate, hidden}));
  Tensor up = b.linear(h, b.weight("mlp.up_proj.weight", {intermediate, hidden}));
  Tensor activated = b.mul(b.silu(gate), up);
  Tensor down = b.linear(activated, b.weight("mlp.down_proj.weight", {hidden, intermediate}));
  return b.finish({{"y", b.add(x, down)}});
}

/// One line per kernel: name, the graph ops it fuses, block size and shared memory.
static void printKernels(const loom::JitModule &module) {
  llvm::outs() << fmt::format("\n// {} kernels for {} (jit cache key {}…):\n",
                              module.manifest().kernels.size(), module.arch(),
                              module.cacheKey().substr(0, 12));
  for (const loom::rt::KernelSpec &kernel : module.manifest().kernels)
    llvm::outs() << fmt::format("//   {:<32} {:>4} threads {:>6} B shared  ops: {}\n", kernel.name,
                                kernel.block[0] * kernel.block[1] * kernel.block[2],
                                kernel.sharedBytes, fmt::join(kernel.ops, ", "));
}

static int fail(const loom::Status &status) {
  llvm::errs() << "error: " << status.toString() << "\n";
  return 1;
}

int main(int argc, char **argv) {
  const int64_t tokens = argc > 1 ? std::atoll(argv[1]) : 64;
  mlir::MLIRContext context;
  auto graph = buildMlpBlock(context);
  if (!graph.isOk())
    return fail(graph.status());
  (*graph)->print(llvm::outs());

  // Compile in-process for this machine's GPU (sm_90a when there is none); cached per process.
  auto module = loom::jit(**graph);
  if (!module.isOk())
    return fail(module.status());
  printKernels(*module);

  if (auto devices = loom::rt::deviceCount(); !devices.isOk() || *devices == 0) {
    llvm::outs() << "\nno GPU here ("
                 << (devices.isOk() ? "no CUDA device" : devices.status().message())
                 << "): the block compiled, but cannot run on this machine\n";
    return 0;
  }

  // Random weights and inputs (uniform, never zero), one set for the GPU and the reference.
  if (loom::Status bound = module->bindRandomWeights(/*seed=*/1); !bound.isOk())
    return fail(bound);
  loom::HostTensors inputs;
  inputs["x"] = loom::verify::randomFloatTensor(loom::ref::ElementType::kBF16, {tokens, 2048}, 1.0,
                                                /*seed=*/7);

  auto gpu = module->call(inputs);
  if (!gpu.isOk())
    return fail(gpu.status());
  const loom::rt::LoadReport &load = *module->loadReport();
  llvm::outs() << fmt::format("\nran on the GPU: {} tokens; pipeline {:.0f} ms, NVRTC {:.0f} ms "
                              "({} kernels compiled, {} from the kernel cache)\n",
                              tokens, module->compileMilliseconds(), load.compileMilliseconds,
                              load.kernelsCompiled, load.kernelsFromCache);

  loom::ThreadPool pool;
  auto expected = module->reference(inputs, &pool);
  if (!expected.isOk())
    return fail(expected.status());
  // bf16 tolerance: |gpu − ref| ≤ 8 · 2^-8 · (|ref| + rms(ref)) per element (OutputCheck.h).
  const loom::ref::HostTensor &reference = expected->at("y");
  loom::verify::OutputCheck check = loom::verify::checkOutput(
      "y", gpu->at("y"), reference, loom::verify::unitRoundoff(loom::ref::ElementType::kBF16), 8.0);
  llvm::outs() << fmt::format("vs the CPU reference interpreter: max abs error {:.3g}, max rel "
                              "error {:.3g}, rel L2 {:.3g} — {}\n",
                              check.maxAbsError, check.maxRelError, check.relativeL2,
                              check.passed ? "within the bf16 tolerance" : "OVER the bf16 tolerance");
  if (!check.passed) {
    llvm::outs() << check.describe(reference.shape()) << "\n";
    return 1;
  }
  return 0;
}
