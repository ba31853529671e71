// Parsing the ptxas resource report NVRTC writes into the program log.
#include "runtime/CUDA/PtxasInfo.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

TEST(PtxasInfoTest, ParsesEachEntryFunction) {
  const char *log =
      "ptxas info    : 0 bytes gmem\n"
      "ptxas info    : Compiling entry function 'gemm_128x128' for 'sm_90a'\n"
      "ptxas info    : Function properties for gemm_128x128\n"
      "ptxas         .     16 bytes stack frame, 8 bytes spill stores, 12 bytes spill loads\n"
      "ptxas info    : Used 168 registers, used 1 barriers, 49152 bytes smem, 400 bytes cmem[0]\n"
      "ptxas info    : Compile time = 10.5 ms\n"
      "ptxas info    : Compiling entry function 'copy' for 'sm_90a'\n"
      "ptxas info    : Function properties for copy\n"
      "ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads\n"
      "ptxas info    : Used 8 registers, 360 bytes cmem[0]\n";
  std::vector<KernelResources> kernels = parsePtxasInfo(log);
  ASSERT_EQ(kernels.size(), 2u);
  EXPECT_EQ(kernels[0].function, "gemm_128x128");
  EXPECT_EQ(kernels[0].registers, 168);
  EXPECT_EQ(kernels[0].sharedBytes, 49152);
  EXPECT_EQ(kernels[0].stackBytes, 16);
  EXPECT_EQ(kernels[0].spillStoreBytes, 8);
  EXPECT_EQ(kernels[0].spillLoadBytes, 12);
  EXPECT_EQ(kernels[1].function, "copy");
  EXPECT_EQ(kernels[1].registers, 8);
  EXPECT_EQ(kernels[1].sharedBytes, 0);
}

TEST(PtxasInfoTest, LogWithoutReportGivesNothing) {
  EXPECT_TRUE(parsePtxasInfo("").empty());
  EXPECT_TRUE(parsePtxasInfo("warning: something unrelated\n").empty());
}

} // namespace
} // namespace loom::rt
