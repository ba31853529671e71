// Failures on a real device come back as clear Status values and leave the context usable.
#include "GpuTestSupport.h"
#include "runtime/CUDA/CudaMemory.h"
#include "test/unit/Runtime/TestKernels.h"

namespace loom::testing {
namespace {

using namespace loom::rt;

class ErrorPathTest : public GpuTest {};

constexpr const char *kFillSource = R"cuda(
extern "C" __global__ void fill_shared(float *out, float value) {
  extern __shared__ float scratch[];
  scratch[threadIdx.x] = value;
  __syncthreads();
  out[threadIdx.x] = scratch[threadIdx.x];
}
)cuda";

TEST_F(ErrorPathTest, BadSourceReturnsTheProgramLog) {
  StatusOr<LoadedKernel> broken = compileAndLoad("broken_kernel", kBrokenSource);
  ASSERT_FALSE(broken.isOk());
  EXPECT_EQ(broken.status().code(), StatusCode::kCompileError);
  EXPECT_NE(broken.status().message().find("undefined_identifier_xyz"), std::string::npos)
      << broken.status().message();
  EXPECT_NE(broken.status().message().find("broken_kernel"), std::string::npos);
}

TEST_F(ErrorPathTest, TooMuchSharedMemoryFailsBeforeLaunchAndContextStaysUsable) {
  StatusOr<LoadedKernel> fill = compileAndLoad("fill_shared", kFillSource);
  ASSERT_TRUE(fill.isOk()) << fill.status().toString();
  CudaMemoryBackend backend(*context_);
  DeviceAllocator allocator(backend);
  auto out = allocator.allocate(64 * sizeof(float));
  ASSERT_TRUE(out.isOk());

  const int optin = context_->info().maxSharedBytesPerBlockOptin;
  KernelArgs args;
  args.add(out->address()).add(4.5f);
  LaunchConfig tooMuch{{1, 1, 1}, {64, 1, 1}, unsigned(optin + 1)};
  Status refused = launchKernel(*fill->kernel, tooMuch, args, stream_->handle());
  ASSERT_FALSE(refused.isOk());
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("kernel 'fill_shared' requests " + std::to_string(optin + 1) +
                                   " bytes of dynamic shared memory"),
            std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("at most " + std::to_string(optin)), std::string::npos);

  LaunchConfig fine{{1, 1, 1}, {64, 1, 1}, 64 * sizeof(float)};
  ASSERT_TRUE(launchKernel(*fill->kernel, fine, args, stream_->handle()).isOk());
  std::vector<float> host(64, 0.0f);
  ASSERT_TRUE(stream_->copyToHost(host.data(), out->address(), 64 * sizeof(float)).isOk());
  ASSERT_TRUE(stream_->synchronize().isOk());
  for (float value : host)
    EXPECT_EQ(value, 4.5f);
}

TEST_F(ErrorPathTest, MissingKernelNameIsNotFound) {
  StatusOr<LoadedKernel> wrong = compileAndLoad("not_in_module", kFillSource);
  ASSERT_FALSE(wrong.isOk());
  EXPECT_EQ(wrong.status().code(), StatusCode::kNotFound);
  EXPECT_NE(wrong.status().message().find("'not_in_module'"), std::string::npos);
}

TEST_F(ErrorPathTest, CorruptCubinIsACudaErrorNotACrash) {
  std::string garbage(4096, '\x5a');
  StatusOr<std::unique_ptr<Module>> module = Module::load(*context_, garbage);
  ASSERT_FALSE(module.isOk());
  EXPECT_EQ(module.status().code(), StatusCode::kCudaError);
  EXPECT_NE(module.status().message().find("cuModuleLoadData"), std::string::npos)
      << module.status().message();
}

} // namespace
} // namespace loom::testing
