// Every emitted kernel waits for the previous grid before it touches global memory (programmatic
// dependent launch is only safe that way): the PTX of every kernel of the tiny Llama and of the
// Llama-3.2-1B-shaped forward step, compiled by NVRTC for sm_90a, starts with
// griddepcontrol.wait before any global/generic load or store, branch or exit; and the check
// itself catches a load, an early exit and a missing wait (CPU only, label unit).
#include "frontend/Readers/ModelConfig.h"
#include "runtime/CUDA/NvrtcCompiler.h"
#include "test/gpu/Kernels/Gemm/GridDependencyOrder.h"
#include "test/gpu/Model/TinyLlama.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

namespace loom::testing {
namespace {

/// The PTX of `source` for sm_90a. With LOOM_DUMP_CUBINS=DIR the cubin is written to DIR/name.cubin
/// too, for a look at the SASS (nvdisasm: griddepcontrol.wait is ACQBULK there).
StatusOr<std::string> ptxOf(const std::string &name, const std::string &source) {
  LOOM_ASSIGN_OR_RETURN(rt::CompiledKernel compiled, rt::compileWithNvrtc({name, source, rt::GpuArch::kSm90a, {}}));
  if (const char *dump = std::getenv("LOOM_DUMP_CUBINS"))
    std::ofstream(std::string(dump) + "/" + name + ".cubin", std::ios::binary) << compiled.cubin;
  return compiled.ptx;
}

/// Kernels for the check's own cases: `body` after the wrapper's includes.
std::string probeSource(const std::string &body) {
  return "#include \"loom/grid_dependency.cuh\"\n"
         "extern \"C\" __global__ void probe(const float *in, float *out, int n) {\n" +
         body + "}\n";
}

TEST(GridDependencyOrder, CatchesLoadsExitsAndMissingWaits) {
  struct Case {
    const char *what, *body;
    bool violates;
  };
  const Case cases[] = {
      {"wait first", "  loom::grid_dependency_sync();\n  if (int(threadIdx.x) < n) out[threadIdx.x] = in[threadIdx.x] * 2.0f;\n", false},
      {"L2 prefetch before the wait",
       "  asm volatile(\"prefetch.global.L2 [%0];\" :: \"l\"(in + threadIdx.x));\n  loom::grid_dependency_sync();\n"
       "  out[threadIdx.x] = in[threadIdx.x];\n",
       false},
      {"L1 prefetch before the wait",
       "  asm volatile(\"prefetch.global.L1 [%0];\" :: \"l\"(in + threadIdx.x));\n  loom::grid_dependency_sync();\n"
       "  out[threadIdx.x] = in[threadIdx.x];\n",
       true},
      {"load before the wait", "  float v = in[threadIdx.x];\n  loom::grid_dependency_sync();\n  out[threadIdx.x] = v;\n", true},
      {"exit before the wait", "  if (int(threadIdx.x) >= n) return;\n  loom::grid_dependency_sync();\n  out[threadIdx.x] = 1.0f;\n", true},
      {"no wait", "  loom::allow_next_grid_launch();\n  out[threadIdx.x] = in[threadIdx.x];\n", true},
  };
  for (const Case &c : cases) {
    auto ptx = ptxOf("probe", probeSource(c.body));
    ASSERT_TRUE(ptx.isOk()) << c.what << ": " << ptx.status().toString();
    auto violations = findWaitOrderViolations(*ptx);
    EXPECT_EQ(violations.size(), c.violates ? 1u : 0u) << c.what << "\n" << *ptx;
  }
}

/// Compiles every distinct kernel body of `sources` (the kernel's own name taken out) to PTX and
/// returns "kernel: statement" for each violation; `distinct` counts the bodies.
std::vector<std::string> violationsOf(const std::map<std::string, std::string> &sources, int &distinct) {
  std::map<std::string, std::string> bodies; // body with the name replaced -> one kernel name
  for (const auto &[path, source] : sources) {
    std::string kernel = std::filesystem::path(path).stem().string();
    std::string anonymous = std::regex_replace(source, std::regex("\\b" + kernel + "\\b"), "loom_kernel");
    bodies.emplace(anonymous, kernel);
  }
  distinct = static_cast<int>(bodies.size());
  std::vector<std::string> found;
  for (const auto &[body, kernel] : bodies) {
    auto ptx = ptxOf(kernel, std::regex_replace(body, std::regex("\\bloom_kernel\\b"), kernel));
    if (!ptx.isOk()) {
      found.push_back(kernel + ": does not compile: " + ptx.status().toString());
      continue;
    }
    for (const WaitOrderViolation &violation : findWaitOrderViolations(*ptx))
      found.push_back(kernel + ": " + violation.instruction);
  }
  return found;
}

/// compile() of `forward` for sm_90a, then the check over its kernels: at least 10 distinct
/// bodies (GEMV and GEMM variants, attention, rope, norms, embedding), none violating.
void expectEveryKernelWaitsFirst(mlir::MLIRContext &context, StatusOr<models::LlamaForward> &forward) {
  ASSERT_TRUE(forward.isOk()) << forward.status().toString();
  std::map<std::string, std::string> sources;
  auto package = compileTinyForward(context, *forward->module, "sm_90a", &sources);
  ASSERT_TRUE(package.isOk()) << package.status().toString();
  int distinct = 0;
  std::vector<std::string> violations = violationsOf(sources, distinct);
  EXPECT_GE(distinct, 10);
  EXPECT_TRUE(violations.empty()) << fmt::format("{}", fmt::join(violations, "\n"));
}

TEST(GridDependencyOrder, EveryTinyLlamaKernelWaitsFirst) {
  mlir::MLIRContext context;
  auto forward = buildTinyForward(context, tinyEngineConfig(), true);
  expectEveryKernelWaitsFirst(context, forward);
}

TEST(GridDependencyOrder, EveryLlama1BKernelWaitsFirst) {
  auto config = frontend::readModelConfig(std::string(LOOM_SOURCE_DIR) + "/examples/configs/llama-3.2-1b.json");
  ASSERT_TRUE(config.isOk()) << config.status().toString();
  rt::EngineConfig engine; // loom-run bench's decode runs: 64 sequences, 2048 tokens, context 512
  engine.blockSize = 16;
  engine.maxSequences = 64;
  engine.maxBatchedTokens = 2048;
  engine.maxModelLen = 512;
  engine.numBlocks = 64 * 32;
  engine.vocabSize = static_cast<int>(config->vocabSize);
  mlir::MLIRContext context;
  auto forward = models::buildLlamaForward(context, *config, models::forwardOptionsFor(engine));
  expectEveryKernelWaitsFirst(context, forward);
}

} // namespace
} // namespace loom::testing
