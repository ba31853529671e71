// The target table: names, parsing, and the choice of target for a device.
#include "runtime/CUDA/GpuArch.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

TEST(GpuArchTest, ParsesEveryNameSpelling) {
  EXPECT_EQ(*parseGpuArch("sm_90a"), GpuArch::kSm90a);
  EXPECT_EQ(*parseGpuArch("90a"), GpuArch::kSm90a);
  EXPECT_EQ(*parseGpuArch("sm90"), GpuArch::kSm90);
  EXPECT_EQ(*parseGpuArch("sm_89"), GpuArch::kSm89);
  EXPECT_EQ(*parseGpuArch("sm_80"), GpuArch::kSm80);
  for (const GpuArchInfo &info : gpuArchTable())
    EXPECT_EQ(*parseGpuArch(info.name), info.arch);
}

TEST(GpuArchTest, UnknownNameListsTheSupportedOnes) {
  StatusOr<GpuArch> arch = parseGpuArch("sm_75");
  ASSERT_FALSE(arch.isOk());
  EXPECT_EQ(arch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(arch.status().message().find("'sm_75'"), std::string::npos);
  EXPECT_NE(arch.status().message().find("sm_80, sm_89, sm_90, sm_90a"), std::string::npos);
}

TEST(GpuArchTest, PicksTheBestTargetForADevice) {
  EXPECT_EQ(*gpuArchForDevice(9, 0), GpuArch::kSm90a); // H100
  EXPECT_EQ(*gpuArchForDevice(8, 9), GpuArch::kSm89);  // L40S, RTX 4090
  EXPECT_EQ(*gpuArchForDevice(8, 6), GpuArch::kSm80);  // A10, RTX 3090
  EXPECT_EQ(*gpuArchForDevice(8, 0), GpuArch::kSm80);  // A100
  EXPECT_FALSE(gpuArchForDevice(7, 5).isOk());
  EXPECT_FALSE(gpuArchForDevice(10, 0).isOk());
}

} // namespace
} // namespace loom::rt
