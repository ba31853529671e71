// NVRTC compiles in-process for each target, with the embedded device library, and reports
// failures with the kernel name and the full program log. Runs without a GPU.
#include "TestKernels.h"
#include "runtime/CUDA/NvrtcCompiler.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

CompileRequest request(const char *name, const char *source, GpuArch arch) {
  CompileRequest result;
  result.name = name;
  result.source = source;
  result.arch = arch;
  return result;
}

bool isElf(const std::string &bytes) { return bytes.rfind("\x7f" "ELF", 0) == 0; }

class NvrtcCompilerArchTest : public ::testing::TestWithParam<GpuArch> {};

TEST_P(NvrtcCompilerArchTest, ProducesCubinAndPtxForTheTarget) {
  GpuArch arch = GetParam();
  StatusOr<CompiledKernel> kernel = compileWithNvrtc(request("saxpy", testing::kSaxpySource, arch));
  ASSERT_TRUE(kernel.isOk()) << kernel.status().toString();
  EXPECT_TRUE(isElf(kernel->cubin));
  EXPECT_NE(kernel->ptx.find(".target " + std::string(gpuArchName(arch))), std::string::npos);
  EXPECT_NE(kernel->ptx.find(".entry saxpy"), std::string::npos);
  // The embedded types.cuh lowered toBf16/toBf16x2/toFloat to PTX conversions.
  EXPECT_NE(kernel->ptx.find("cvt.rn.bf16.f32"), std::string::npos);
  EXPECT_NE(kernel->ptx.find("cvt.rn.bf16x2.f32"), std::string::npos);
  ASSERT_EQ(kernel->resources.size(), 1u);
  EXPECT_EQ(kernel->resources[0].function, "saxpy");
  EXPECT_GT(kernel->resources[0].registers, 0);
  EXPECT_EQ(kernel->resources[0].sharedBytes, 0);
}

INSTANTIATE_TEST_SUITE_P(AllTargets, NvrtcCompilerArchTest,
                         ::testing::Values(GpuArch::kSm80, GpuArch::kSm89, GpuArch::kSm90,
                                           GpuArch::kSm90a),
                         [](const auto &info) { return std::string(gpuArchName(info.param)); });

TEST(NvrtcCompilerTest, WgmmaNeedsTheArchSpecificTarget) {
  StatusOr<CompiledKernel> hopper =
      compileWithNvrtc(request("fence_only", testing::kWgmmaFenceSource, GpuArch::kSm90a));
  ASSERT_TRUE(hopper.isOk()) << hopper.status().toString();
  EXPECT_TRUE(isElf(hopper->cubin));

  StatusOr<CompiledKernel> plain =
      compileWithNvrtc(request("fence_only", testing::kWgmmaFenceSource, GpuArch::kSm90));
  ASSERT_FALSE(plain.isOk());
  EXPECT_EQ(plain.status().code(), StatusCode::kCompileError);
  EXPECT_NE(plain.status().message().find("wgmma"), std::string::npos)
      << plain.status().message();
}

TEST(NvrtcCompilerTest, BadSourceReportsKernelNameArchAndLog) {
  StatusOr<CompiledKernel> kernel =
      compileWithNvrtc(request("broken_kernel", testing::kBrokenSource, GpuArch::kSm80));
  ASSERT_FALSE(kernel.isOk());
  EXPECT_EQ(kernel.status().code(), StatusCode::kCompileError);
  const std::string &message = kernel.status().message();
  EXPECT_NE(message.find("kernel 'broken_kernel' (sm_80)"), std::string::npos) << message;
  EXPECT_NE(message.find("program log for 'broken_kernel'"), std::string::npos) << message;
  // The log itself: file, line and NVRTC's diagnostic.
  EXPECT_NE(message.find("broken_kernel.cu(3)"), std::string::npos) << message;
  EXPECT_NE(message.find("identifier \"undefined_identifier_xyz\" is undefined"),
            std::string::npos)
      << message;
}

TEST(NvrtcCompilerTest, DefinesReachTheSource) {
  CompileRequest withDefine = request("sized", R"cuda(
extern "C" __global__ void sized(int *y) { y[threadIdx.x] = LOOM_TEST_WIDTH; }
)cuda", GpuArch::kSm80);
  EXPECT_FALSE(compileWithNvrtc(withDefine).isOk());
  withDefine.flags.defines.push_back("LOOM_TEST_WIDTH=12345");
  StatusOr<CompiledKernel> kernel = compileWithNvrtc(withDefine);
  ASSERT_TRUE(kernel.isOk()) << kernel.status().toString();
  EXPECT_NE(kernel->ptx.find("12345"), std::string::npos) << kernel->ptx;
}

TEST(NvrtcCompilerTest, VersionIsMajorDotMinor) {
  const std::string &version = nvrtcVersion();
  ASSERT_NE(version.find('.'), std::string::npos);
  EXPECT_GE(std::stoi(version), 12);
}

} // namespace
} // namespace loom::rt
