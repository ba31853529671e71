// Layout ops: transpose by hand, concat/split inverses, reshape inference, errors.
#include "frontend/Reference/Layout.h"

#include "TestTensors.h"

namespace loom::ref {
namespace {

using namespace loom::ref::testing;

std::vector<float> valuesOf(const HostTensor &tensor) {
  return {tensor.floats().begin(), tensor.floats().end()};
}

TEST(LayoutTest, TransposeHandValues) {
  HostTensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  std::vector<int64_t> swap{1, 0};
  HostTensor y = valueOf(transpose(x, swap));
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_EQ(valuesOf(y), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  HostTensor cube = randomFloats({2, 3, 4}, 5);
  std::vector<int64_t> rotate{2, 0, 1};
  HostTensor rotated = valueOf(transpose(cube, rotate));
  EXPECT_EQ(rotated.shape(), (Shape{4, 2, 3}));
  // rotated[k][i][j] = cube[i][j][k]
  EXPECT_EQ(rotated.floats()[3 * 6 + 1 * 3 + 2], cube.floats()[1 * 12 + 2 * 4 + 3]);
  std::vector<int64_t> bad{0, 0};
  EXPECT_FALSE(transpose(x, bad).isOk());
}

TEST(LayoutTest, SplitUndoesConcat) {
  HostTensor a = randomFloats({3, 2}, 1), b = randomFloats({3, 5}, 2);
  std::vector<HostTensor> parts{a, b};
  HostTensor joined = valueOf(concat(parts, 1));
  EXPECT_EQ(joined.shape(), (Shape{3, 7}));
  EXPECT_EQ(joined.floats()[7], a.floats()[2]);     // row 1 starts with a's row 1
  EXPECT_EQ(joined.floats()[9], b.floats()[0 + 5]); // then b's row 1
  std::vector<int64_t> sizes{2, 5};
  std::vector<HostTensor> pieces = valueOf(split(joined, 1, sizes));
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(valuesOf(pieces[0]), valuesOf(a));
  EXPECT_EQ(valuesOf(pieces[1]), valuesOf(b));
  HostTensor rows = valueOf(concat(parts = {a, a}, 0));
  EXPECT_EQ(rows.shape(), (Shape{6, 2}));
  std::vector<int64_t> wrong{2, 4};
  EXPECT_FALSE(split(joined, 1, wrong).isOk());
  EXPECT_FALSE(concat(parts = {a, b}, 0).isOk());
}

TEST(LayoutTest, ReshapeInfersOneExtent) {
  HostTensor x = randomFloats({4, 6}, 3);
  HostTensor y = valueOf(reshape(x, {-1, 3, 2}));
  EXPECT_EQ(y.shape(), (Shape{4, 3, 2}));
  EXPECT_EQ(valuesOf(y), valuesOf(x));
  EXPECT_FALSE(reshape(x, {5, -1}).isOk());
  EXPECT_FALSE(reshape(x, {4, 5}).isOk());
}

} // namespace
} // namespace loom::ref
