// Every emitted kernel waits for the previous grid before it touches global memory (programmatic
// dependent launch is only safe that way): the PTX of every kernel of the tiny Llama and of the
// Llama-3.2-1B-shaped forward step, compiled by NVRTC for sm_90a, starts with
// griddepcontrol.wait before any global/generic load or store, branch or exit — except that a
// kernel the compiler marked (`loom.reads-before-wait`: a GEMV whose W is a package weight) may
// load that one parameter first, and does; and the check itself catches a load, an early exit,
// a missing wait, and in a marked kernel a store, a branch, a load of another pointer, through
// a loaded address or through a register a predicated mov may not have set (CPU only, label unit).
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
    std::optional<int> weight = std::nullopt; ///< the parameter a marked kernel may load first
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
      // A marked kernel (parameter 0, `in`, declared a weight) may load `in` before the wait, nothing else.
      {"marked: weight loads before the wait",
       "  float v = in[threadIdx.x] + in[threadIdx.x + 4 * n];\n  loom::grid_dependency_sync();\n  out[threadIdx.x] = v;\n",
       false, 0},
      {"marked: a load of another pointer before the wait",
       "  float v = in[threadIdx.x] + out[threadIdx.x];\n  loom::grid_dependency_sync();\n  out[threadIdx.x] = v;\n", true, 0},
      {"marked: a store before the wait",
       "  float v = in[threadIdx.x];\n  out[threadIdx.x] = v;\n  loom::grid_dependency_sync();\n  out[n] = v;\n", true, 0},
      {"marked: a load through a loaded index before the wait",
       "  float v = in[int(in[0])];\n  loom::grid_dependency_sync();\n  out[threadIdx.x] = v;\n", true, 0},
      {"marked: an exit before the wait",
       "  float v = in[threadIdx.x];\n  if (int(threadIdx.x) >= n) return;\n  loom::grid_dependency_sync();\n  out[threadIdx.x] = v;\n",
       true, 0},
      {"marked: the weight is another parameter",
       "  float v = in[threadIdx.x];\n  loom::grid_dependency_sync();\n  out[threadIdx.x] = v;\n", true, 1},
  };
  for (const Case &c : cases) {
    auto ptx = ptxOf("probe", probeSource(c.body));
    ASSERT_TRUE(ptx.isOk()) << c.what << ": " << ptx.status().toString();
    auto orders = checkWaitOrder(*ptx, c.weight);
    ASSERT_EQ(orders.size(), 1u) << c.what;
    EXPECT_EQ(!orders[0].offending.empty(), c.violates) << c.what << ": " << orders[0].offending << "\n" << *ptx;
    if (c.weight && !c.violates) {
      EXPECT_EQ(orders[0].weightLoadsBeforeWait, 2) << c.what << "\n" << *ptx;
    }
  }
}

TEST(GridDependencyOrder, ReadsTheEmittersMarker) {
  EXPECT_EQ(readsBeforeWaitParameter("void k(const int *x, const int *w) {\n  // loom.reads-before-wait: parameter 1 (w), "
                                     "a package weight no kernel writes, streamed before the grid-dependency wait\n"),
            std::optional<int>(1));
  EXPECT_EQ(readsBeforeWaitParameter("void k(const int *x) { loom::grid_dependency_sync();\n"), std::nullopt);
}

/// Hand-written PTX of a marked kernel (weight = parameter 0): %rd3 holds parameter 1's address,
/// then a predicated mov may (or may not) replace it with the weight's, and a global load reads
/// through %rd3 before the wait. `guard` is the mov's predicate ("" for none).
std::string predicatedAddressPtx(const std::string &guard) {
  return ".visible .entry probe(\n"
         "\t.param .u64 probe_param_0,\n"
         "\t.param .u64 probe_param_1\n"
         ")\n{\n"
         "\tld.param.u64 %rd1, [probe_param_0];\n"
         "\tld.param.u64 %rd2, [probe_param_1];\n"
         "\tsetp.eq.s32 %p1, %r1, 0;\n"
         "\tmov.b64 %rd3, %rd2;\n"
         "\t" + guard + "mov.b64 %rd3, %rd1;\n"
         "\tld.global.nc.f32 %f1, [%rd3];\n"
         "\tgriddepcontrol.wait;\n"
         "\tret;\n}\n";
}

TEST(GridDependencyOrder, PredicatedMovKeepsTheOldAddressOrigins) {
  // Unpredicated, the mov replaces parameter 1's address with the weight's: an allowed weight load.
  std::vector<EntryWaitOrder> plain = checkWaitOrder(predicatedAddressPtx(""), 0);
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].offending, "");
  EXPECT_EQ(plain[0].weightLoadsBeforeWait, 1);
  // Predicated, %rd3 may still hold parameter 1's address: the load must be flagged.
  std::vector<EntryWaitOrder> guarded = checkWaitOrder(predicatedAddressPtx("@%p1 "), 0);
  ASSERT_EQ(guarded.size(), 1u);
  EXPECT_EQ(guarded[0].offending, "ld.global.nc.f32 %f1, [%rd3]");
  EXPECT_EQ(guarded[0].weightLoadsBeforeWait, 0);
}

/// The distinct kernel bodies of a package, and those that stream a weight before their wait.
struct BodyCounts {
  int distinct = 0;
  int streamingWeights = 0;
};

/// Compiles every distinct kernel body of `sources` (the kernel's own name taken out) to PTX and
/// returns "kernel: statement" for each violation, and for each marked kernel that loads no
/// weight before its wait (the early stream would be dead).
std::vector<std::string> violationsOf(const std::map<std::string, std::string> &sources, BodyCounts &counts) {
  std::map<std::string, std::string> bodies; // body with the name replaced -> one kernel name
  for (const auto &[path, source] : sources) {
    std::string kernel = std::filesystem::path(path).stem().string();
    std::string anonymous = std::regex_replace(source, std::regex("\\b" + kernel + "\\b"), "loom_kernel");
    bodies.emplace(anonymous, kernel);
  }
  counts.distinct = static_cast<int>(bodies.size());
  std::vector<std::string> found;
  for (const auto &[body, kernel] : bodies) {
    auto ptx = ptxOf(kernel, std::regex_replace(body, std::regex("\\bloom_kernel\\b"), kernel));
    if (!ptx.isOk()) {
      found.push_back(kernel + ": does not compile: " + ptx.status().toString());
      continue;
    }
    std::optional<int> weight = readsBeforeWaitParameter(body);
    counts.streamingWeights += weight ? 1 : 0;
    for (const EntryWaitOrder &order : checkWaitOrder(*ptx, weight)) {
      if (!order.offending.empty())
        found.push_back(kernel + ": " + order.offending);
      else if (weight && order.weightLoadsBeforeWait == 0)
        found.push_back(kernel + ": marked as streaming parameter " + std::to_string(*weight) +
                        " before its wait, but loads nothing before it");
    }
  }
  return found;
}

/// compile() of `forward` for sm_90a, then the check over its kernels: at least 10 distinct
/// bodies (GEMV and GEMM variants, attention, rope, norms, embedding), none violating, and exactly
/// `streamingWeights` of them GEMVs marked to load their weight before the wait (none while
/// EmitGemm.cpp's kStreamWeightsBeforeWait is off).
void expectEveryKernelWaitsFirst(mlir::MLIRContext &context, StatusOr<models::LlamaForward> &forward,
                                 int streamingWeights) {
  ASSERT_TRUE(forward.isOk()) << forward.status().toString();
  std::map<std::string, std::string> sources;
  auto package = compileTinyForward(context, *forward->module, "sm_90a", &sources);
  ASSERT_TRUE(package.isOk()) << package.status().toString();
  BodyCounts counts;
  std::vector<std::string> violations = violationsOf(sources, counts);
  EXPECT_GE(counts.distinct, 10);
  EXPECT_EQ(counts.streamingWeights, streamingWeights);
  EXPECT_TRUE(violations.empty()) << fmt::format("{}", fmt::join(violations, "\n"));
}

TEST(GridDependencyOrder, EveryTinyLlamaKernelWaitsFirst) {
  mlir::MLIRContext context;
  auto forward = buildTinyForward(context, tinyEngineConfig(), true);
  // QKV (rope epilogue), o_proj, gate/up and down in their MAX_M 8 and MAX_M 16 GEMV copies, and
  // the LM head's one GEMV (its rows are the sequences, at most 8 here).
  expectEveryKernelWaitsFirst(context, forward, 0); // the early stream is off (EmitGemm.cpp)
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
  // The four linears of a layer and the LM head, each in both GEMV copies.
  expectEveryKernelWaitsFirst(context, forward, 0); // the early stream is off (EmitGemm.cpp)
}

} // namespace
} // namespace loom::testing
