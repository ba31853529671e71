// Argmax per row (32000 and 128256 wide) with planted ties: the lowest index must win.
#include "MemoryBoundTestSupport.h"

namespace loom::testing {
namespace {

class ArgmaxGpuTest : public MemoryBoundGpuTest,
                      public ::testing::WithParamInterface<RowReductionSpec> {};

TEST_P(ArgmaxGpuTest, LowestIndexOfTheMaximum) {
  const RowReductionSpec reduction = GetParam();
  const KernelSpec spec = reduction.kernel();
  const int cols = reduction.cols;
  for (int rows : {1, 7, 33}) {
    SCOPED_TRACE(fmt::format("{} rows={}", spec.name, rows));
    HostTensor x = HostTensor::random(reduction.in, size_t(rows) * cols, rows * 3 + cols);
    // Row r plants the value 2 (above every random value) at three columns, or at the first
    // or last column alone: every tie must resolve to the lowest of them.
    std::vector<int> expected(rows);
    for (int r = 0; r < rows; ++r) {
      std::vector<int> planted;
      if (r % 3 == 1) {
        planted = {cols - 1};
      } else if (r % 3 == 2) {
        planted = {0, cols / 2, cols - 1};
      } else {
        planted = {int((r * 7919u + 13) % cols), int((r * 104729u + 5) % cols),
                   int((r * 31u + cols / 3) % cols)};
      }
      for (int column : planted)
        x.values[size_t(r) * cols + column] = 2.0f;
      expected[r] = *std::min_element(planted.begin(), planted.end());
    }
    const uint64_t outDev = poisoned(size_t(rows) * 4);
    rt::KernelArgs args;
    args.add(upload(x)).add(outDev).add(rows).add(cols);
    launch(spec, rows, args);
    EXPECT_EQ(download<int>(outDev, rows), expected);
  }
}

/// Without planted values bf16 rounding makes natural ties; the reference breaks them the same.
TEST_P(ArgmaxGpuTest, NaturalTiesOfRandomRows) {
  const RowReductionSpec reduction = GetParam();
  const int rows = 33, cols = reduction.cols;
  const HostTensor x = HostTensor::random(reduction.in, size_t(rows) * cols, 77);
  std::vector<int> expected(rows);
  for (int r = 0; r < rows; ++r) {
    const float *row = &x.values[size_t(r) * cols];
    expected[r] = int(std::max_element(row, row + cols) - row); // first of the maxima
  }
  const uint64_t outDev = poisoned(size_t(rows) * 4);
  rt::KernelArgs args;
  args.add(upload(x)).add(outDev).add(rows).add(cols);
  launch(reduction.kernel(), rows, args);
  EXPECT_EQ(download<int>(outDev, rows), expected);
}

INSTANTIATE_TEST_SUITE_P(Table, ArgmaxGpuTest, ::testing::ValuesIn(testRowReductions(true)),
                         [](const auto &info) { return info.param.kernel().name; });

} // namespace
} // namespace loom::testing
