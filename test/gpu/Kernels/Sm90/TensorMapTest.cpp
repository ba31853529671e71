// CPU test (no GPU): tensor map specs that TMA cannot describe are rejected with a message naming
// the rule before the driver is called; a valid spec reaches the (absent) driver entry point.
#include "runtime/CUDA/TensorMap.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

MatrixTensorMapSpec validSpec() {
  MatrixTensorMapSpec spec;
  spec.address = 0x10000;
  spec.rows = 4096;
  spec.cols = 4096;
  spec.boxRows = 128;
  spec.boxCols = 64;
  return spec;
}

struct BadSpec {
  const char *name;
  void (*spoil)(MatrixTensorMapSpec &);
  const char *message;
};

const BadSpec kBadSpecs[] = {
    {"misaligned", [](MatrixTensorMapSpec &s) { s.address += 8; }, "not 16-byte aligned"},
    {"no_rows", [](MatrixTensorMapSpec &s) { s.rows = 0; }, "extent 0x4096"},
    {"stride_not_16", [](MatrixTensorMapSpec &s) { s.cols = 1001; }, "multiple of 16"},
    {"stride_short", [](MatrixTensorMapSpec &s) { s.rowStrideBytes = 4096; }, "at least 8192"},
    {"box_too_tall", [](MatrixTensorMapSpec &s) { s.boxRows = 257; }, "box 257x64"},
    {"box_wider_than_swizzle", [](MatrixTensorMapSpec &s) { s.boxCols = 128; },
     "at most the swizzle span of 128"},
    {"box_inner_not_16", [](MatrixTensorMapSpec &s) { s.boxCols = 4; }, "inner extent 8 B"},
};

TEST(TensorMapTest, BadSpecsNameTheRule) {
  DriverApi api; // no entry points: validation must come first
  for (const BadSpec &bad : kBadSpecs) {
    MatrixTensorMapSpec spec = validSpec();
    bad.spoil(spec);
    StatusOr<CUtensorMap> map = encodeMatrixTensorMap(api, spec);
    ASSERT_FALSE(map.isOk()) << bad.name;
    EXPECT_EQ(map.status().code(), StatusCode::kInvalidArgument) << bad.name;
    EXPECT_NE(map.status().message().find(bad.message), std::string::npos)
        << bad.name << ": " << map.status().message();
  }
}

TEST(TensorMapTest, ValidSpecNeedsTheDriverEntryPoint) {
  DriverApi api;
  StatusOr<CUtensorMap> map = encodeMatrixTensorMap(api, validSpec());
  ASSERT_FALSE(map.isOk());
  EXPECT_EQ(map.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(map.status().message().find("cuTensorMapEncodeTiled"), std::string::npos);
  // The GEMM operand helper makes the same valid spec.
  StatusOr<CUtensorMap> operand = tensorMapForGemmOperand(api, 0x10000, 4096, 4096, 256);
  EXPECT_EQ(operand.status().code(), StatusCode::kUnavailable);
}

} // namespace
} // namespace loom::rt
