// Device storage bytes of reference tensors (known bit patterns, round trips) and comparisons.
#include "frontend/Reference/StorageBytes.h"
#include "frontend/Reference/TensorCompare.h"

#include "TestTensors.h"

#include <cstring>

namespace loom::ref {
namespace {

using namespace loom::ref::testing;

std::vector<uint16_t> halves(const std::vector<std::byte> &bytes) {
  std::vector<uint16_t> words(bytes.size() / 2);
  std::memcpy(words.data(), bytes.data(), bytes.size());
  return words;
}

TEST(StorageBytesTest, KnownBitPatterns) {
  EXPECT_EQ(halves(toStorageBytes(floats({3}, {1.0f, -2.5f, 0x1p-24f}, ElementType::kF16))),
            (std::vector<uint16_t>{0x3c00, 0xc100, 0x0001}));
  EXPECT_EQ(halves(toStorageBytes(floats({3}, {1.0f, -2.5f, 65504.0f}, ElementType::kF16))),
            (std::vector<uint16_t>{0x3c00, 0xc100, 0x7bff}));
  EXPECT_EQ(halves(toStorageBytes(floats({2}, {1.0f, -0x1p-133f}, ElementType::kBF16))),
            (std::vector<uint16_t>{0x3f80, 0x8001}));
}

TEST(StorageBytesTest, RoundTripsEveryType) {
  for (ElementType type : {ElementType::kBF16, ElementType::kF16, ElementType::kF32}) {
    HostTensor x = randomFloats({7, 5}, 3, type);
    x.floats()[0] = -INFINITY;
    x.floats()[1] = 0x1p-20f; // an f16 subnormal
    x.roundToStorage();
    std::vector<std::byte> bytes = toStorageBytes(x);
    EXPECT_EQ(bytes.size(), 35 * storageSize(type));
    HostTensor back = valueOf(fromStorageBytes(type, {7, 5}, bytes));
    EXPECT_EQ(std::vector<float>(back.floats().begin(), back.floats().end()),
              std::vector<float>(x.floats().begin(), x.floats().end()))
        << elementTypeName(type);
  }
  for (ElementType type : {ElementType::kI32, ElementType::kI64}) {
    HostTensor ids = ints({3}, {-5, 0, 1 << 30}, type);
    HostTensor back = valueOf(fromStorageBytes(type, {3}, toStorageBytes(ids)));
    EXPECT_EQ(std::vector<int64_t>(back.ints().begin(), back.ints().end()),
              (std::vector<int64_t>{-5, 0, 1 << 30}));
  }
  EXPECT_FALSE(fromStorageBytes(ElementType::kF16, {3}, std::vector<std::byte>(5)).isOk());
}

TEST(TensorCompareTest, ReportsWorstElementAndRelativeL2) {
  HostTensor expected = floats({4}, {3, 0, 4, 0});
  HostTensor actual = floats({4}, {3, 0.5f, 4, 0});
  TensorDifference d = compareTensors(actual, expected);
  ASSERT_TRUE(d.comparable);
  EXPECT_EQ(d.maxAbsError, 0.5);
  EXPECT_EQ(d.worstIndex, 1);
  EXPECT_DOUBLE_EQ(d.relativeL2, 0.1); // 0.5 / 5
  EXPECT_NE(d.describe(actual, expected).find("at 1"), std::string::npos);
  EXPECT_FALSE(compareTensors(floats({3}, {1, 2, 3}), expected).comparable);
  EXPECT_EQ(compareTensors(floats({4}, {3, NAN, 4, 0}), expected).nonFinite, 1);
  EXPECT_EQ(relativeTolerance(ElementType::kBF16, 1.0), 0x1p-8);
}

} // namespace
} // namespace loom::ref
