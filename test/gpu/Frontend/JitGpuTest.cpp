// loom::jit on the GPU: jitted DSL graphs (an MLP block, an add + norm block) called with host
// and device tensors, compared with the CPU reference interpreter on the same random inputs
// and weights; calls on two streams stay ordered; a second jit of the same graph reuses the
// compiled package and cached kernels.
#include "frontend/Jit/Jit.h"
#include "frontend/Reference/StorageBytes.h"
#include "frontend/Verify/OutputCheck.h"
#include "frontend/Verify/RandomTensors.h"
#include "runtime/CUDA/CudaMemory.h"
#include "test/unit/Jit/JitGraphs.h"

#include <gtest/gtest.h>

#include <chrono>

namespace loom {
namespace {

/// bf16 graphs: 8 units of bf16's roundoff, the GPU verifier's default (OutputCheck.h).
constexpr double kUlps = 8.0;

/// Random inputs for `module`'s inputs with `tokens` rows, uniform in ±1 and never zero.
HostTensors randomInputs(const JitModule &module, int64_t tokens, uint64_t seed) {
  HostTensors inputs;
  for (const verify::SignatureTensor &input : module.inputs()) {
    auto shape = input.shape({{"tokens", tokens}});
    EXPECT_TRUE(shape.isOk()) << shape.status().toString();
    inputs[input.name] =
        verify::randomFloatTensor(input.type, *shape, 1.0, verify::tensorSeed(seed, input.name));
  }
  return inputs;
}

/// Device copies of host tensors for one test, freed with it.
class DeviceStaging {
public:
  explicit DeviceStaging(const rt::Context &gpu) : gpu_(gpu), backend_(gpu), allocator_(backend_) {}

  /// `tensor`'s storage bytes in a new device buffer.
  DeviceTensor upload(const ref::HostTensor &tensor) {
    std::vector<std::byte> bytes = ref::toStorageBytes(tensor);
    auto buffer = allocator_.allocate(bytes.size());
    EXPECT_TRUE(buffer.isOk());
    EXPECT_TRUE(rt::copyToDeviceSync(gpu_, buffer->address(), bytes.data(), bytes.size()).isOk());
    buffers_.push_back(std::move(*buffer));
    return {buffers_.back().address(), tensor.shape()};
  }

private:
  const rt::Context &gpu_;
  rt::CudaMemoryBackend backend_;
  rt::DeviceAllocator allocator_;
  std::vector<rt::DeviceBuffer> buffers_;
};

class JitGpuTest : public ::testing::Test {
protected:
  void SetUp() override {
    StatusOr<int> devices = rt::deviceCount();
    if (!devices.isOk() || *devices == 0)
      GTEST_SKIP() << "no usable GPU: "
                   << (devices.isOk() ? "no device" : devices.status().toString());
  }

  /// Jits `graph` for the device, binds random weights and checks every output of calls with
  /// each token count against the interpreter.
  void expectMatchesReference(mlir::ModuleOp graph, std::initializer_list<int64_t> tokenCounts) {
    auto module = jit(graph, {}, cache_);
    ASSERT_TRUE(module.isOk()) << module.status().toString();
    ASSERT_TRUE(module->bindRandomWeights(11).isOk());
    ThreadPool pool;
    for (int64_t tokens : tokenCounts) {
      HostTensors inputs = randomInputs(*module, tokens, 100 + tokens);
      auto gpu = module->call(inputs);
      ASSERT_TRUE(gpu.isOk()) << "tokens " << tokens << ": " << gpu.status().toString();
      auto expected = module->reference(inputs, &pool);
      ASSERT_TRUE(expected.isOk()) << expected.status().toString();
      for (const verify::SignatureTensor &output : module->outputs()) {
        const ref::HostTensor &reference = expected->at(output.name);
        ASSERT_EQ(gpu->at(output.name).shape(), reference.shape());
        verify::OutputCheck check =
            verify::checkOutput(output.name, gpu->at(output.name), reference,
                                verify::unitRoundoff(ref::ElementType::kBF16), kUlps);
        EXPECT_TRUE(check.passed) << "tokens " << tokens << ": " << check.describe(reference.shape());
        std::printf("[jit] %zu kernels, tokens %lld: %s\n", module->manifest().kernels.size(),
                    static_cast<long long>(tokens), check.describe(reference.shape()).c_str());
      }
    }
  }

  JitCache cache_{""};
};

TEST_F(JitGpuTest, MlpBlockMatchesTheInterpreter) {
  mlir::MLIRContext context;
  auto graph = testing::buildMlp(context, 512, 1024, 256);
  ASSERT_TRUE(graph.isOk()) << graph.status().toString();
  expectMatchesReference(**graph, {1, 37, 256});
}

TEST_F(JitGpuTest, AddNormBlockMatchesTheInterpreter) {
  mlir::MLIRContext context;
  auto graph = testing::buildAddNorm(context, 1000, 4096);
  ASSERT_TRUE(graph.isOk()) << graph.status().toString();
  expectMatchesReference(**graph, {1, 7, 4096});
}

TEST_F(JitGpuTest, DeviceTensorCallsMatchHostCalls) {
  mlir::MLIRContext context;
  auto graph = testing::buildAddNorm(context, 1000, 64);
  ASSERT_TRUE(graph.isOk());
  auto module = jit(**graph, {}, cache_);
  ASSERT_TRUE(module.isOk()) << module.status().toString();
  ASSERT_TRUE(module->bindRandomWeights(5).isOk());
  HostTensors inputs = randomInputs(*module, 23, 9);
  auto host = module->call(inputs);
  ASSERT_TRUE(host.isOk()) << host.status().toString();

  auto deviceContext = module->context();
  ASSERT_TRUE(deviceContext.isOk());
  const rt::Context &gpu = **deviceContext;
  DeviceStaging staging(gpu);
  auto stream = rt::Stream::create(gpu);
  ASSERT_TRUE(stream.isOk());
  DeviceTensors deviceInputs;
  for (const auto &[name, tensor] : inputs)
    deviceInputs[name] = staging.upload(tensor);
  DeviceTensors destinations;
  for (const auto &[name, tensor] : *host)
    destinations[name] = staging.upload(ref::HostTensor::zeros(tensor.type(), tensor.shape()));
  ASSERT_TRUE(module->call(deviceInputs, destinations, **stream).isOk());
  ASSERT_TRUE((*stream)->synchronize().isOk());
  for (const auto &[name, expected] : *host) {
    std::vector<std::byte> bytes(ref::toStorageBytes(expected).size());
    ASSERT_TRUE(
        rt::copyToHostSync(gpu, bytes.data(), destinations.at(name).address, bytes.size()).isOk());
    EXPECT_EQ(bytes, ref::toStorageBytes(expected)) << name << ": device call differs from host call";
  }

  // A call past the bound is refused before any launch; a wrong output buffer shape too.
  DeviceTensors tooLong = deviceInputs;
  for (auto &[name, tensor] : tooLong)
    tensor.shape[0] = 65;
  auto refused = module->call(tooLong, **stream);
  ASSERT_FALSE(refused.isOk());
  EXPECT_NE(refused.status().message().find("exceeds its declared bound 64"), std::string::npos);
  destinations.begin()->second.shape[0] = 22;
  EXPECT_EQ(module->call(deviceInputs, destinations, **stream).code(), StatusCode::kInvalidArgument);
}

/// Device-tensor calls on two streams, enqueued back to back without a host wait, and a weight
/// rebind right after: every call still reads its own inputs and the weights it was called with
/// (the module orders calls on the device; without that, a call's input copy on one stream
/// overwrites the shared input buffer under the previous call's kernels on the other).
TEST_F(JitGpuTest, CallsOnTwoStreamsAreOrdered) {
  constexpr int kCalls = 6;
  constexpr int64_t kTokens = 1024;
  mlir::MLIRContext context;
  auto graph = testing::buildMlp(context, 512, 2048, kTokens);
  ASSERT_TRUE(graph.isOk()) << graph.status().toString();
  auto module = jit(**graph, {}, cache_);
  ASSERT_TRUE(module.isOk()) << module.status().toString();
  ASSERT_TRUE(module->bindRandomWeights(21).isOk());
  std::vector<HostTensors> inputs;
  std::vector<std::vector<std::byte>> expected; // host calls, one at a time
  for (int call = 0; call < kCalls; ++call) {
    inputs.push_back(randomInputs(*module, kTokens, 300 + call));
    auto host = module->call(inputs.back());
    ASSERT_TRUE(host.isOk()) << host.status().toString();
    expected.push_back(ref::toStorageBytes(host->at("y")));
  }

  auto deviceContext = module->context();
  ASSERT_TRUE(deviceContext.isOk());
  const rt::Context &gpu = **deviceContext;
  DeviceStaging staging(gpu);
  auto first = rt::Stream::create(gpu), second = rt::Stream::create(gpu);
  ASSERT_TRUE(first.isOk() && second.isOk());
  std::vector<DeviceTensors> deviceInputs(kCalls), destinations(kCalls);
  for (int call = 0; call < kCalls; ++call) {
    deviceInputs[call]["x"] = staging.upload(inputs[call].at("x"));
    destinations[call]["y"] =
        staging.upload(ref::HostTensor::zeros(ref::ElementType::kBF16, {kTokens, 512}));
  }
  for (int call = 0; call < kCalls; ++call) {
    const rt::Stream &stream = call % 2 == 0 ? **first : **second;
    ASSERT_TRUE(module->call(deviceInputs[call], destinations[call], stream).isOk());
  }
  // Rebinding waits for the calls above: their outputs keep the old weights' values.
  ASSERT_TRUE(module->bindRandomWeights(22).isOk());
  ASSERT_TRUE((*first)->synchronize().isOk() && (*second)->synchronize().isOk());
  for (int call = 0; call < kCalls; ++call) {
    std::vector<std::byte> bytes(expected[call].size());
    ASSERT_TRUE(rt::copyToHostSync(gpu, bytes.data(), destinations[call].at("y").address,
                                   bytes.size())
                    .isOk());
    EXPECT_EQ(bytes, expected[call]) << "call " << call << " (stream " << call % 2 << ")";
  }
  // The new weights take effect at the next call.
  auto rebound = module->call(inputs[0]);
  ASSERT_TRUE(rebound.isOk()) << rebound.status().toString();
  EXPECT_NE(ref::toStorageBytes(rebound->at("y")), expected[0]);
}

TEST_F(JitGpuTest, SecondJitReusesThePackageAndTheKernels) {
  mlir::MLIRContext firstContext, secondContext;
  auto first = testing::buildMlp(firstContext, 256, 512, 128);
  auto second = testing::buildMlp(secondContext, 256, 512, 128);
  ASSERT_TRUE(first.isOk() && second.isOk());

  auto start = std::chrono::steady_clock::now();
  auto cold = jit(**first, {}, cache_);
  ASSERT_TRUE(cold.isOk()) << cold.status().toString();
  ASSERT_TRUE(cold->bindRandomWeights(1).isOk());
  ASSERT_TRUE(cold->load().isOk());
  double coldMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  start = std::chrono::steady_clock::now();
  auto warm = jit(**second, {}, cache_);
  ASSERT_TRUE(warm.isOk()) << warm.status().toString();
  ASSERT_TRUE(warm->bindRandomWeights(1).isOk());
  ASSERT_TRUE(warm->load().isOk());
  double warmMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  EXPECT_FALSE(cold->fromCache());
  EXPECT_TRUE(warm->fromCache());
  EXPECT_EQ(cache_.stats().hits, 1u);
  EXPECT_EQ(cache_.stats().compiles, 1u);
  size_t kernels = warm->manifest().kernels.size();
  EXPECT_EQ(warm->loadReport()->kernelsFromCache, kernels);
  EXPECT_EQ(warm->loadReport()->kernelsCompiled, 0u);
  EXPECT_LT(warmMs, coldMs);
  std::printf("[jit] cold jit+load %.1f ms (pipeline %.1f ms, %zu kernels NVRTC %.1f ms); "
              "second jit+load %.1f ms (cache hit, kernels from memory)\n",
              coldMs, cold->compileMilliseconds(), kernels, cold->loadReport()->compileMilliseconds,
              warmMs);

  // Both modules give the same outputs on the same inputs.
  HostTensors inputs = randomInputs(*cold, 9, 4);
  auto a = cold->call(inputs), b = warm->call(inputs);
  ASSERT_TRUE(a.isOk() && b.isOk());
  EXPECT_EQ(ref::toStorageBytes(a->at("y")), ref::toStorageBytes(b->at("y")));
}

} // namespace
} // namespace loom
