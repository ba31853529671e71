// Programmatic dependent launch (PDL) on the GPU: (1) a chain of dependent kernels that wait at
// entry, fed and drained by host copies on the same stream, computes exactly what plain launches
// compute over many iterations, while the same chain without the wait visibly races (so the
// test can fail); (2) the compiled tiny Llama gives bit-identical logits with launch overlap on
// and off, eager and graph-replayed, through chunked prefills mixed with decodes.
#include "runtime/Engine/Engine.h"
#include "runtime/Serving/PackageModelRunner.h"
#include "test/gpu/GpuTestSupport.h"
#include "test/gpu/Model/TinyLlama.h"

#include <algorithm>
#include <cstring>

namespace loom::testing {
namespace {

// Each CTA reads its slice of `in`, holds it for `spinCycles`, then writes a mix of it to `out`:
// a consumer that ran before its producer finished would read the producer's old output.
constexpr const char *kChainSource = R"(
#include "loom/grid_dependency.cuh"
__device__ __forceinline__ void step(const unsigned *in, unsigned *out, int n, unsigned salt,
                                     long long spinCycles) {
  int i = int(blockIdx.x * blockDim.x + threadIdx.x);
  unsigned value = i < n ? in[i] : 0u;
  long long start = clock64();
  while (clock64() - start < spinCycles) {}
  value = (value ^ salt) * 2654435761u + (value >> 13);
  if (i < n) out[i] = value;
}
extern "C" __global__ void chain_waits(const unsigned *in, unsigned *out, int n, unsigned salt,
                                       long long spinCycles) {
  loom::grid_dependency_sync();
  step(in, out, n, salt, spinCycles);
}
extern "C" __global__ void chain_races(const unsigned *in, unsigned *out, int n, unsigned salt,
                                       long long spinCycles) {
  loom::allow_next_grid_launch(); // lets the next kernel start, but never waits for the last
  step(in, out, n, salt, spinCycles);
}
)";

unsigned mix(unsigned value, unsigned salt) { return (value ^ salt) * 2654435761u + (value >> 13); }

class LaunchOverlapChainTest : public DeviceBufferTest {
protected:
  static constexpr int kElements = 8 * 256, kLength = 24, kIterations = 40;

  /// Mismatching elements over kIterations: each iteration copies fresh host values into the
  /// chain's first buffer (the copy must wait for the last iteration's kernels, and the first
  /// kernel for the copy), runs kLength dependent kernels ping-ponging two buffers, and copies
  /// the result aside; one synchronization at the end.
  int64_t mismatches(rt::Kernel &kernel, bool overlap, long long spinCycles) {
    uint64_t buffers[2] = {allocate(kElements * 4), allocate(kElements * 4)};
    std::vector<std::vector<unsigned>> inputs(kIterations);
    std::vector<uint64_t> results(kIterations);
    std::mt19937 rng(11);
    for (int it = 0; it < kIterations; ++it) {
      inputs[it].resize(kElements);
      for (unsigned &v : inputs[it])
        v = rng();
      results[it] = poisoned(kElements * 4);
    }
    EXPECT_TRUE(stream_->synchronize().isOk());
    rt::LaunchConfig config;
    config.grid = {kElements / 256, 1, 1};
    config.block = {256, 1, 1};
    config.overlapPrevious = overlap;
    for (int it = 0; it < kIterations; ++it) {
      EXPECT_TRUE(stream_->copyToDevice(buffers[0], inputs[it].data(), kElements * 4).isOk());
      for (int s = 0; s < kLength; ++s) {
        rt::KernelArgs args;
        args.add(buffers[s % 2]).add(buffers[(s + 1) % 2]).add(kElements).add(unsigned(s + 1)).add(spinCycles);
        Status launched = rt::launchKernel(kernel, config, args, stream_->handle());
        EXPECT_TRUE(launched.isOk()) << launched.toString();
      }
      EXPECT_TRUE(stream_->copyDeviceToDevice(results[it], buffers[kLength % 2], kElements * 4).isOk());
    }
    int64_t wrong = 0;
    for (int it = 0; it < kIterations; ++it) {
      std::vector<unsigned> expected = inputs[it];
      for (int s = 0; s < kLength; ++s)
        for (unsigned &v : expected)
          v = mix(v, unsigned(s + 1));
      std::vector<unsigned> got = download<unsigned>(results[it], kElements);
      for (int i = 0; i < kElements; ++i)
        wrong += got[i] != expected[i];
    }
    return wrong;
  }
};

TEST_F(LaunchOverlapChainTest, WaitingChainIsExactAndTheChainWithoutTheWaitRaces) {
  if (context_->info().major < 9)
    GTEST_SKIP() << "programmatic dependent launch needs sm_90";
  auto waits = compileAndLoad("chain_waits", kChainSource);
  auto races = compileAndLoad("chain_races", kChainSource);
  ASSERT_TRUE(waits.isOk() && races.isOk()) << waits.status().toString() << races.status().toString();
  constexpr long long kSpin = 20000; // ~10 us per kernel at 2 GHz: a dependent starts long before
  EXPECT_EQ(mismatches(*waits->kernel, false, kSpin), 0) << "plain launches";
  EXPECT_EQ(mismatches(*waits->kernel, true, kSpin), 0) << "overlapped launches that wait";
  EXPECT_EQ(mismatches(*waits->kernel, true, 0), 0) << "overlapped launches that wait, no spin";
  EXPECT_EQ(mismatches(*races->kernel, false, kSpin), 0) << "plain launches need no wait";
  EXPECT_GT(mismatches(*races->kernel, true, kSpin), 0)
      << "without the wait an overlapped chain must read stale values, or this test sees nothing";
}

/// One executor + runner of the tiny Llama with its own launch mode.
struct Lane {
  std::unique_ptr<rt::PackageExecutor> executor;
  std::unique_ptr<rt::PackageModelRunner> runner;
  const char *name;
};

/// Runs every step on every lane and compares each lane's logits bit for bit with lane 0's (of
/// the same graph mode); the engine continues with lane 0's tokens.
class LockstepRunner final : public rt::ModelRunner {
public:
  LockstepRunner(std::vector<Lane> &lanes, const rt::Stream &stream) : lanes_(lanes), stream_(stream) {}

  StatusOr<std::vector<rt::TokenId>> run(const rt::ScheduledBatch &batch) override {
    const int64_t rows = static_cast<int64_t>(batch.entries.size());
    std::vector<rt::TokenId> tokens;
    std::vector<std::byte> reference;
    for (size_t lane = 0; lane < lanes_.size(); ++lane) {
      LOOM_ASSIGN_OR_RETURN(std::vector<rt::TokenId> sampled, lanes_[lane].runner->run(batch));
      LOOM_ASSIGN_OR_RETURN(std::vector<std::byte> logits,
                            lanes_[lane].executor->readOutput("logits", {{"seqs", rows}}, stream_));
      if (lane == 0) {
        tokens = std::move(sampled);
        reference = std::move(logits);
        continue;
      }
      ++compared[lane];
      if (logits != reference || sampled != tokens)
        differing[lane].push_back(fmt::format("step {} ({} tokens, {} sequences)", steps, batch.numTokens(), rows));
    }
    ++steps;
    return tokens;
  }

  int steps = 0;
  std::map<size_t, int> compared;
  std::map<size_t, std::vector<std::string>> differing;

private:
  std::vector<Lane> &lanes_;
  const rt::Stream &stream_;
};

class LaunchOverlapModelTest : public GpuTest {};

TEST_F(LaunchOverlapModelTest, TinyLlamaLogitsAreBitIdenticalWithAndWithoutOverlap) {
  if (context_->info().major < 9)
    GTEST_SKIP() << "programmatic dependent launch needs sm_90";
  rt::EngineConfig engine = tinyEngineConfig();
  engine.maxBatchedTokens = 40; // prompts arrive in chunks mixed with decodes (GEMV and GEMM)
  for (bool graphs : {false, true}) {
    std::vector<Lane> lanes;
    for (bool overlap : {false, true, true}) {
      mlir::MLIRContext mlirContext;
      auto forward = buildTinyForward(mlirContext, engine, true);
      ASSERT_TRUE(forward.isOk()) << forward.status().toString();
      auto package = compileTinyForward(mlirContext, *forward->module, std::string(rt::gpuArchName(arch_)));
      ASSERT_TRUE(package.isOk()) << package.status().toString();
      TinyPackageWeights weights(forward->weights);
      auto executor = rt::PackageExecutor::create(*context_, std::move(*package), weights, compiler_);
      ASSERT_TRUE(executor.isOk()) << executor.status().toString();
      (*executor)->setLaunchOverlap(overlap);
      ASSERT_EQ((*executor)->launchOverlap(), overlap) << "the package's kernels must support overlap";
      rt::PackageRunnerOptions options;
      options.decodeGraphs = graphs;
      auto runner = rt::PackageModelRunner::create(**executor, *stream_, options);
      ASSERT_TRUE(runner.isOk()) << runner.status().toString();
      lanes.push_back({std::move(*executor), std::move(*runner), overlap ? "overlap" : "plain"});
    }
    LockstepRunner lockstep(lanes, *stream_);
    auto server = rt::Engine::create(engine, lockstep);
    ASSERT_TRUE(server.isOk()) << server.status().toString();
    std::mt19937 rng(graphs ? 5 : 3);
    rt::SamplingParams greedy;
    greedy.temperature = 0.0f;
    greedy.maxTokens = 24;
    greedy.ignoreEos = true;
    std::vector<std::shared_ptr<const rt::Sequence>> sequences;
    for (int length : {90, 3, 33, 1, 17, 60, 8}) {
      std::vector<rt::TokenId> prompt(static_cast<size_t>(length));
      std::generate(prompt.begin(), prompt.end(), [&] { return static_cast<rt::TokenId>(rng() % 1000); });
      sequences.push_back((*server)->addRequest(prompt, greedy));
    }
    Status done = (*server)->runUntilDone();
    ASSERT_TRUE(done.isOk()) << done.toString();
    for (const auto &sequence : sequences)
      EXPECT_TRUE(sequence->error().isOk()) << sequence->error().toString();
    EXPECT_GE(lockstep.steps, 25) << "graphs " << graphs; // 29 on the H100: chunks + 24 decodes
    for (size_t lane = 1; lane < lanes.size(); ++lane) {
      EXPECT_EQ(lockstep.compared[lane], lockstep.steps);
      EXPECT_TRUE(lockstep.differing[lane].empty())
          << (graphs ? "graph replay, " : "eager, ") << lanes[lane].name << " lane " << lane << " differs from plain at "
          << fmt::format("{}", fmt::join(lockstep.differing[lane], ", "));
    }
    fmt::print("{}: {} steps compared bit for bit across {} lanes\n", graphs ? "graphs" : "eager", lockstep.steps,
               lanes.size());
  }
}

} // namespace
} // namespace loom::testing
