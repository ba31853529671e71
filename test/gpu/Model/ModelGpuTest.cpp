// The tiny Llama (TinyLlama.h) compiled by compile() for this GPU, run by PackageExecutor behind
// PackageModelRunner, against the same forward step on the CPU interpreter (same weights),
// through the engine: every step's logits (a prefill of several ragged sequences, then decode
// steps) agree within a relative L2 error of 2e-2, and the greedy tokens agree wherever the
// CPU's top-2 margin is decisive.
#include "frontend/Reference/Interpreter/InterpreterModelRunner.h"
#include "runtime/Engine/Engine.h"
#include "runtime/Serving/PackageModelRunner.h"
#include "test/gpu/GpuTestSupport.h"
#include "test/gpu/Model/TinyLlama.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <algorithm>

namespace loom::testing {
namespace {

/// One step compared.
struct StepComparison {
  int tokens = 0, entries = 0;
  double relativeL2 = 0;
  int decisiveRows = 0, agreeingRows = 0;
};

/// Runs each step on the CPU interpreter and on the GPU runner and compares their logits; the
/// engine continues with the CPU's tokens so both see the same sequences.
class ComparingRunner final : public rt::ModelRunner {
public:
  ComparingRunner(ref::InterpreterModelRunner &cpu, rt::ModelRunner &gpu, rt::PackageExecutor &executor,
                  const rt::Stream &stream)
      : cpu_(cpu), gpu_(gpu), executor_(executor), stream_(stream) {}

  StatusOr<std::vector<rt::TokenId>> run(const rt::ScheduledBatch &batch) override {
    LOOM_ASSIGN_OR_RETURN(std::vector<rt::TokenId> expected, cpu_.run(batch));
    LOOM_ASSIGN_OR_RETURN(std::vector<rt::TokenId> actual, gpu_.run(batch));
    const int64_t rows = static_cast<int64_t>(batch.entries.size());
    LOOM_ASSIGN_OR_RETURN(std::vector<std::byte> bytes,
                          executor_.readOutput("logits", {{"seqs", rows}}, stream_));
    std::span<const float> gpu(reinterpret_cast<const float *>(bytes.data()), bytes.size() / sizeof(float));
    std::span<const float> cpu = cpu_.lastLogits().floats();
    if (gpu.size() != cpu.size())
      return LOOM_ERROR(StatusCode::kInternal, fmt::format("{} GPU logits vs {} CPU", gpu.size(), cpu.size()));
    const size_t vocab = cpu.size() / static_cast<size_t>(rows);
    StepComparison step{batch.numTokens(), static_cast<int>(rows)};
    double error = 0, norm = 0;
    size_t sampled = 0;
    for (int64_t row = 0; row < rows; ++row) {
      auto cpuRow = cpu.subspan(row * vocab, vocab), gpuRow = gpu.subspan(row * vocab, vocab);
      double rowSquares = 0;
      for (size_t v = 0; v < vocab; ++v) {
        error += (gpuRow[v] - cpuRow[v]) * double(gpuRow[v] - cpuRow[v]);
        rowSquares += cpuRow[v] * double(cpuRow[v]);
      }
      norm += rowSquares;
      if (!batch.entries[row].producesToken)
        continue;
      // Decisive: the CPU's best logit beats the runner-up by a tenth of the row's RMS.
      std::vector<float> sorted(cpuRow.begin(), cpuRow.end());
      std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<>());
      if (sorted[0] - sorted[1] > 0.1 * std::sqrt(rowSquares / double(vocab))) {
        ++step.decisiveRows;
        step.agreeingRows += actual[sampled] == expected[sampled];
      }
      ++sampled;
    }
    step.relativeL2 = std::sqrt(error / std::max(norm, 1e-30));
    steps.push_back(step);
    return expected;
  }

  std::vector<StepComparison> steps;

private:
  ref::InterpreterModelRunner &cpu_;
  rt::ModelRunner &gpu_;
  rt::PackageExecutor &executor_;
  const rt::Stream &stream_;
};

class TinyLlamaGpuTest : public GpuTest {};

TEST_F(TinyLlamaGpuTest, CompiledForwardMatchesInterpreterThroughTheEngine) {
  rt::EngineConfig engine = tinyEngineConfig();
  mlir::MLIRContext gpuContext, cpuContext;
  auto compiled = buildTinyForward(gpuContext, engine, false);
  auto reference = buildTinyForward(cpuContext, engine, false);
  ASSERT_TRUE(compiled.isOk() && reference.isOk()) << compiled.status().toString();
  auto package = compileTinyForward(gpuContext, *compiled->module, std::string(rt::gpuArchName(arch_)));
  ASSERT_TRUE(package.isOk()) << package.status().toString();

  TinyPackageWeights packageWeights(compiled->weights);
  auto executor = rt::PackageExecutor::create(*context_, std::move(*package), packageWeights, compiler_);
  ASSERT_TRUE(executor.isOk()) << executor.status().toString();
  rt::PackageRunnerOptions options;
  options.decodeGraphs = false; // eager steps leave every step's logits in the output buffer
  auto gpuRunner = rt::PackageModelRunner::create(**executor, *stream_, options);
  ASSERT_TRUE(gpuRunner.isOk()) << gpuRunner.status().toString();

  TinyReferenceWeights referenceWeights;
  auto functions = reference->module->getOps<mlir::func::FuncOp>();
  auto cpuRunner = ref::InterpreterModelRunner::create(*functions.begin(), referenceWeights);
  ASSERT_TRUE(cpuRunner.isOk()) << cpuRunner.status().toString();

  ComparingRunner comparing(**cpuRunner, **gpuRunner, **executor, *stream_);
  auto server = rt::Engine::create(engine, comparing);
  ASSERT_TRUE(server.isOk()) << server.status().toString();
  // Ragged prompts: one spanning several KV blocks and two 64-row query tiles, short ones.
  std::mt19937 rng(7);
  std::vector<std::shared_ptr<const rt::Sequence>> sequences;
  for (int length : {100, 5, 37, 1}) {
    std::vector<rt::TokenId> prompt(static_cast<size_t>(length));
    for (rt::TokenId &token : prompt)
      token = static_cast<rt::TokenId>(rng() % 1000);
    rt::SamplingParams params;
    params.temperature = 0.0f;
    params.maxTokens = 6;
    params.ignoreEos = true;
    sequences.push_back((*server)->addRequest(prompt, params));
  }
  Status done = (*server)->runUntilDone();
  ASSERT_TRUE(done.isOk()) << done.toString();
  for (const auto &sequence : sequences)
    EXPECT_TRUE(sequence->error().isOk()) << sequence->error().toString();

  ASSERT_GE(comparing.steps.size(), 4u);
  EXPECT_GT(comparing.steps.front().tokens, comparing.steps.front().entries) << "the first step prefills";
  int decisive = 0, decodeSteps = 0;
  for (size_t i = 0; i < comparing.steps.size(); ++i) {
    const StepComparison &step = comparing.steps[i];
    fmt::print("step {}: {} tokens, {} sequences, relative L2 {:.2e}, {}/{} decisive rows agree\n", i,
               step.tokens, step.entries, step.relativeL2, step.agreeingRows, step.decisiveRows);
    EXPECT_LT(step.relativeL2, 2e-2) << "step " << i;
    EXPECT_EQ(step.agreeingRows, step.decisiveRows) << "step " << i;
    decisive += step.decisiveRows;
    decodeSteps += step.tokens == step.entries;
  }
  EXPECT_GE(decodeSteps, 3);
  EXPECT_GT(decisive, 8) << "too few decisive rows for the token check to mean anything";
}

} // namespace
} // namespace loom::testing
