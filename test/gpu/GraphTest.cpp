// CUDA graphs: a captured sequence replays to the same result as eager launches, and an
// instantiated graph takes new kernel arguments (cuGraphExecUpdate and per-node updates).
#include "GpuTestSupport.h"
#include "runtime/CUDA/CudaMemory.h"
#include "runtime/CUDA/Graph.h"

namespace loom::testing {
namespace {

using namespace loom::rt;

/// Two dependent kernels: y = a * x + y, then z = y * y + b * z.
constexpr const char *kChainSource = R"cuda(
extern "C" __global__ void axpy(const float *x, float *y, float a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
extern "C" __global__ void square_mix(const float *y, float *z, float b, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) z[i] = y[i] * y[i] + b * z[i];
}
)cuda";

constexpr int kCount = 65536 + 17;

class GraphTest : public GpuTest {
protected:
  void SetUp() override {
    GpuTest::SetUp();
    if (IsSkipped() || HasFatalFailure())
      return;
    rt::CompileRequest request{"chain", kChainSource, arch_, {}};
    auto compiled = compiler_.compile(request);
    ASSERT_TRUE(compiled.isOk()) << compiled.status().toString();
    auto module = Module::load(*context_, compiled->kernel->cubin);
    ASSERT_TRUE(module.isOk()) << module.status().toString();
    module_ = std::move(module).value();
    axpy_ = std::move(module_->kernel("axpy")).value();
    squareMix_ = std::move(module_->kernel("square_mix")).value();
    backend_ = std::make_unique<CudaMemoryBackend>(*context_);
    allocator_ = std::make_unique<DeviceAllocator>(*backend_);
    for (auto *buffer : {&x_, &y_, &z_})
      *buffer = std::move(allocator_->allocate(kCount * sizeof(float))).value();
    x0_ = randomFloats(kCount, 21);
    y0_ = randomFloats(kCount, 22);
    z0_ = randomFloats(kCount, 23);
  }

  void reset() {
    ASSERT_TRUE(stream_->copyToDevice(x_.address(), x0_.data(), kCount * 4).isOk());
    ASSERT_TRUE(stream_->copyToDevice(y_.address(), y0_.data(), kCount * 4).isOk());
    ASSERT_TRUE(stream_->copyToDevice(z_.address(), z0_.data(), kCount * 4).isOk());
    ASSERT_TRUE(stream_->synchronize().isOk());
  }

  /// Issues the two-kernel step on the stream (eagerly, or into a capture).
  Status issueStep(float a, float b, const DeviceBuffer &z) {
    LaunchConfig config{{(kCount + 255) / 256, 1, 1}, {256, 1, 1}, 0};
    KernelArgs first, second;
    first.add(x_.address()).add(y_.address()).add(a).add(kCount);
    second.add(y_.address()).add(z.address()).add(b).add(kCount);
    LOOM_RETURN_IF_ERROR(launchKernel(*axpy_, config, first, stream_->handle()));
    return launchKernel(*squareMix_, config, second, stream_->handle());
  }

  StatusOr<Graph> captureStep(float a, float b, const DeviceBuffer &z) {
    LOOM_RETURN_IF_ERROR(beginCapture(*stream_));
    Status issued = issueStep(a, b, z);
    StatusOr<Graph> graph = endCapture(*stream_);
    LOOM_RETURN_IF_ERROR(issued);
    return graph;
  }

  std::vector<float> read(const DeviceBuffer &buffer) {
    std::vector<float> host(kCount);
    EXPECT_TRUE(stream_->copyToHost(host.data(), buffer.address(), kCount * 4).isOk());
    EXPECT_TRUE(stream_->synchronize().isOk());
    return host;
  }

  /// The CPU result of `steps` steps from the initial values (same float operations).
  std::vector<float> cpuZ(const std::vector<std::pair<float, float>> &steps) {
    std::vector<float> y = y0_, z = z0_;
    for (auto [a, b] : steps)
      for (int i = 0; i < kCount; ++i) {
        y[i] = a * x0_[i] + y[i];
        z[i] = y[i] * y[i] + b * z[i];
      }
    return z;
  }

  static void expectClose(const std::vector<float> &actual, const std::vector<float> &expected) {
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i)
      ASSERT_NEAR(actual[i], expected[i], 1e-5f * (1.0f + std::fabs(expected[i]))) << i;
  }

  std::unique_ptr<Module> module_;
  std::unique_ptr<Kernel> axpy_, squareMix_;
  std::unique_ptr<CudaMemoryBackend> backend_;
  std::unique_ptr<DeviceAllocator> allocator_;
  DeviceBuffer x_, y_, z_;
  std::vector<float> x0_, y0_, z0_;
};

TEST_F(GraphTest, ReplayEqualsEagerBitForBit) {
  reset();
  ASSERT_TRUE(issueStep(0.5f, -0.25f, z_).isOk());
  ASSERT_TRUE(issueStep(0.5f, -0.25f, z_).isOk());
  std::vector<float> eager = read(z_);
  expectClose(eager, cpuZ({{0.5f, -0.25f}, {0.5f, -0.25f}}));

  reset();
  StatusOr<Graph> graph = captureStep(0.5f, -0.25f, z_);
  ASSERT_TRUE(graph.isOk()) << graph.status().toString();
  EXPECT_EQ(read(z_), z0_) << "capturing runs nothing";
  StatusOr<GraphExec> exec = GraphExec::instantiate(std::move(graph).value());
  ASSERT_TRUE(exec.isOk()) << exec.status().toString();
  EXPECT_EQ(exec->kernelCount(), 2u);
  ASSERT_TRUE(exec->launch(*stream_).isOk());
  ASSERT_TRUE(exec->launch(*stream_).isOk());
  EXPECT_EQ(read(z_), eager) << "same kernels, same order: identical bits";
}

TEST_F(GraphTest, ExecUpdateTakesNewScalarsAndBuffers) {
  DeviceBuffer otherZ = std::move(allocator_->allocate(kCount * sizeof(float))).value();
  reset();
  ASSERT_TRUE(stream_->copyToDevice(otherZ.address(), z0_.data(), kCount * 4).isOk());

  StatusOr<Graph> first = captureStep(2.0f, 0.5f, z_);
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  StatusOr<GraphExec> exec = GraphExec::instantiate(std::move(first).value());
  ASSERT_TRUE(exec.isOk()) << exec.status().toString();

  // Same topology, new arguments: a, b and the output buffer all change.
  StatusOr<Graph> second = captureStep(-1.5f, 0.75f, otherZ);
  ASSERT_TRUE(second.isOk());
  Status updated = exec->update(std::move(second).value());
  ASSERT_TRUE(updated.isOk()) << updated.toString();
  ASSERT_TRUE(exec->launch(*stream_).isOk());
  expectClose(read(otherZ), cpuZ({{-1.5f, 0.75f}}));
  EXPECT_EQ(read(z_), z0_) << "the old output buffer is no longer written";
}

TEST_F(GraphTest, SetKernelArgsRetargetsOneNode) {
  reset();
  StatusOr<Graph> graph = captureStep(1.0f, 1.0f, z_);
  ASSERT_TRUE(graph.isOk());
  StatusOr<GraphExec> exec = GraphExec::instantiate(std::move(graph).value());
  ASSERT_TRUE(exec.isOk());
  KernelArgs axpyArgs;
  axpyArgs.add(x_.address()).add(y_.address()).add(3.0f).add(kCount);
  ASSERT_TRUE(exec->setKernelArgs(0, axpyArgs).isOk());
  KernelArgs mixArgs;
  mixArgs.add(y_.address()).add(z_.address()).add(-2.0f).add(kCount);
  ASSERT_TRUE(exec->setKernelArgs(1, mixArgs).isOk());
  ASSERT_TRUE(exec->launch(*stream_).isOk());
  expectClose(read(z_), cpuZ({{3.0f, -2.0f}}));

  KernelArgs unused;
  Status outOfRange = exec->setKernelArgs(2, unused);
  EXPECT_EQ(outOfRange.code(), StatusCode::kInvalidArgument);
}

TEST_F(GraphTest, UpdateWithDifferentTopologyIsRefusedAndOldGraphStillRuns) {
  reset();
  StatusOr<Graph> oneStep = captureStep(0.25f, 0.5f, z_);
  ASSERT_TRUE(oneStep.isOk());
  StatusOr<GraphExec> exec = GraphExec::instantiate(std::move(oneStep).value());
  ASSERT_TRUE(exec.isOk());

  ASSERT_TRUE(beginCapture(*stream_).isOk());
  Status issued = issueStep(0.25f, 0.5f, z_);
  Status issuedAgain = issueStep(0.25f, 0.5f, z_);
  StatusOr<Graph> twoSteps = endCapture(*stream_);
  ASSERT_TRUE(issued.isOk() && issuedAgain.isOk() && twoSteps.isOk());
  Status updated = exec->update(std::move(twoSteps).value());
  ASSERT_FALSE(updated.isOk());
  EXPECT_EQ(updated.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(updated.message().find("cannot be updated in place"), std::string::npos);

  ASSERT_TRUE(exec->launch(*stream_).isOk());
  expectClose(read(z_), cpuZ({{0.25f, 0.5f}}));
}

} // namespace
} // namespace loom::testing
