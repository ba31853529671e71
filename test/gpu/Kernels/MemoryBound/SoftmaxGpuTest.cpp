// Softmax over the last dimension (32000 and 128256 wide, short rows, the element path) vs double.
#include "MemoryBoundTestSupport.h"

namespace loom::testing {
namespace {

std::vector<double> referenceSoftmax(const HostTensor &x, int rows, int cols) {
  std::vector<double> out(x.size());
  for (int r = 0; r < rows; ++r) {
    const float *row = &x.values[size_t(r) * cols];
    double max = row[0], sum = 0;
    for (int c = 0; c < cols; ++c)
      max = std::max(max, double(row[c]));
    for (int c = 0; c < cols; ++c)
      sum += std::exp(row[c] - max);
    for (int c = 0; c < cols; ++c)
      out[size_t(r) * cols + c] = std::exp(row[c] - max) / sum;
  }
  return out;
}

class SoftmaxGpuTest : public MemoryBoundGpuTest,
                       public ::testing::WithParamInterface<RowReductionSpec> {};

TEST_P(SoftmaxGpuTest, MatchesDoubleReference) {
  const RowReductionSpec reduction = GetParam();
  const KernelSpec spec = reduction.kernel();
  const std::vector<int> rowCounts =
      reduction.cols <= 1024 ? std::vector<int>{1, 7, 33, 4095} : std::vector<int>{1, 7, 33};
  for (int rows : rowCounts) {
    SCOPED_TRACE(fmt::format("{} rows={}", spec.name, rows));
    const size_t count = size_t(rows) * reduction.cols;
    const HostTensor x = HostTensor::random(reduction.in, count, rows + reduction.cols, 8.0f);
    const uint64_t outDev = poisoned(count * dtypeInfo(reduction.out).bytes);
    rt::KernelArgs args;
    args.add(upload(x)).add(outDev).add(rows).add(reduction.cols);
    launch(spec, rows, args);
    // f32 statistics: the sum of up to 128k exponentials in f32 costs a few 1e-6 relative.
    EXPECT_TRUE(allClose(download(reduction.out, outDev, count),
                         referenceSoftmax(x, rows, reduction.cols), 0.0, 1e-5));
  }
}

INSTANTIATE_TEST_SUITE_P(Table, SoftmaxGpuTest, ::testing::ValuesIn(testRowReductions(false)),
                         [](const auto &info) { return info.param.kernel().name; });

} // namespace
} // namespace loom::testing
