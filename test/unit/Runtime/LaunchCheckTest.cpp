// Launch configurations are checked against kernel and device limits before cuLaunchKernel.
#include "runtime/CUDA/Launch.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

constexpr LaunchLimits kH100Limits{1024, 1024, 232448};

TEST(LaunchCheckTest, AcceptsAConfigurationWithinLimits) {
  LaunchConfig config{{132, 4, 1}, {256, 1, 1}, 200 * 1024};
  EXPECT_TRUE(checkLaunch("gemm", config, kH100Limits).isOk());
}

TEST(LaunchCheckTest, TooMuchSharedMemoryNamesKernelAndNumbers) {
  LaunchConfig config{{1, 1, 1}, {128, 1, 1}, 232448};
  Status status = checkLaunch("attention_fwd", config, kH100Limits);
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "kernel 'attention_fwd' requests 232448 bytes of dynamic shared memory (+1024 "
            "static) but the device allows at most 232448 bytes per block");
}

TEST(LaunchCheckTest, RejectsTooManyThreadsForTheKernel) {
  LaunchLimits limits = kH100Limits;
  limits.maxThreadsPerBlock = 256; // e.g. __launch_bounds__(256)
  Status status = checkLaunch("norm", {{1, 1, 1}, {512, 1, 1}, 0}, limits);
  ASSERT_FALSE(status.isOk());
  EXPECT_NE(status.message().find("block of 512 threads exceeds its limit of 256"),
            std::string::npos);
}

TEST(LaunchCheckTest, RejectsEmptyAndOversizedShapes) {
  EXPECT_FALSE(checkLaunch("k", {{0, 1, 1}, {32, 1, 1}, 0}, kH100Limits).isOk());
  EXPECT_FALSE(checkLaunch("k", {{1, 70000, 1}, {32, 1, 1}, 0}, kH100Limits).isOk());
  EXPECT_FALSE(checkLaunch("k", {{1, 1, 1}, {32, 1, 0}, 0}, kH100Limits).isOk());
  EXPECT_FALSE(checkLaunch("k", {{1, 1, 1}, {2048, 1, 1}, 0}, kH100Limits).isOk());
  EXPECT_FALSE(checkLaunch("k", {{1, 1, 1}, {32, 32, 2}, 0}, kH100Limits).isOk());
}

TEST(OverlapPlacementTest, GridsThatFillTheirResidentSlotsKeepTheirPlacement) {
  // The batch-1 decode grids of the Llama-3.2-1B package on 132 SMs (docs/perf-baseline.md,
  // "Session 8 — timeline"): gate/up 512 CTAs with 6 resident per SM would crowd (4 needed),
  // decode attention 64 CTAs with 2 resident would crowd; o_proj / down 128 CTAs with 1 resident
  // and QKV 192 CTAs with 2 resident cannot; gate/up at batch 16 (4 resident) cannot.
  EXPECT_FALSE(overlapKeepsPlacement(6, 512, 132));
  EXPECT_FALSE(overlapKeepsPlacement(2, 64, 132));
  EXPECT_TRUE(overlapKeepsPlacement(1, 128, 132));
  EXPECT_TRUE(overlapKeepsPlacement(2, 192, 132));
  EXPECT_TRUE(overlapKeepsPlacement(4, 512, 132));
  // Several waves: every SM is filled anyway.
  EXPECT_TRUE(overlapKeepsPlacement(4, 2004, 132));
  // Exactly one CTA per SM at the boundary, and one CTA more.
  EXPECT_TRUE(overlapKeepsPlacement(1, 132, 132));
  EXPECT_TRUE(overlapKeepsPlacement(2, 133, 132));
  EXPECT_FALSE(overlapKeepsPlacement(3, 133, 132));
  // A single small CTA could sit anywhere.
  EXPECT_FALSE(overlapKeepsPlacement(8, 1, 132));
}

TEST(KernelArgsTest, PacksValuesInOrder) {
  KernelArgs args;
  float *pointer = reinterpret_cast<float *>(0x1000);
  args.add(pointer).add(2.5f).add(int64_t(-7));
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(*static_cast<float **>(args.data()[0]), pointer);
  EXPECT_EQ(*static_cast<float *>(args.data()[1]), 2.5f);
  EXPECT_EQ(*static_cast<int64_t *>(args.data()[2]), -7);
}

} // namespace
} // namespace loom::rt
