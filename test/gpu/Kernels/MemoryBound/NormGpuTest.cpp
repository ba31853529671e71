// RMSNorm, fused add + RMSNorm and LayerNorm against a double reference on random rows.
#include "MemoryBoundTestSupport.h"

namespace loom::testing {
namespace {

constexpr float kEps = 1e-5f;
constexpr int kRowCounts[] = {1, 7, 33, 4095};

/// The double reference of one norm kind over `rows` rows; `residualOut` gets round(x + r).
std::vector<double> referenceNorm(const NormSpec &spec, int rows, const HostTensor &x,
                                  const HostTensor &residual, const HostTensor &weight,
                                  const HostTensor &bias, std::vector<double> *residualOut) {
  const int h = spec.hidden;
  std::vector<double> out(size_t(rows) * h), row(h);
  for (int r = 0; r < rows; ++r) {
    for (int i = 0; i < h; ++i) {
      const size_t at = size_t(r) * h + i;
      row[i] = x.values[at];
      if (spec.kind == NormKind::kAddRms) {
        row[i] = roundTo(spec.io, float(row[i] + residual.values[at])); // exact in f32
        (*residualOut)[at] = row[i];
      }
    }
    double mean = 0, squares = 0;
    const bool layer = spec.kind == NormKind::kLayer || spec.kind == NormKind::kLayerBias;
    if (layer) {
      for (double v : row)
        mean += v;
      mean /= h;
    }
    for (double v : row)
      squares += (v - mean) * (v - mean);
    const double scale = 1.0 / std::sqrt(squares / h + kEps);
    for (int i = 0; i < h; ++i) {
      double value = (row[i] - mean) * scale * weight.values[i];
      if (spec.kind == NormKind::kLayerBias)
        value += bias.values[i];
      out[size_t(r) * h + i] = value;
    }
  }
  return out;
}

class NormGpuTest : public MemoryBoundGpuTest, public ::testing::WithParamInterface<NormSpec> {};

TEST_P(NormGpuTest, MatchesDoubleReference) {
  const NormSpec spec = GetParam();
  const KernelSpec kernelSpec = normKernel(spec, kEps);
  const int h = spec.hidden;
  const HostTensor weight = HostTensor::random(spec.weight, h, 11);
  const HostTensor bias = HostTensor::random(spec.weight, h, 12);
  const uint64_t weightDev = upload(weight), biasDev = upload(bias);
  // f16 and f32 variants are checked at two row counts, bf16 at all four.
  for (int rows : kRowCounts) {
    if (spec.io != DType::kBf16 && (rows == 1 || rows == 4095))
      continue;
    SCOPED_TRACE(fmt::format("{} rows={}", kernelSpec.name, rows));
    const size_t count = size_t(rows) * h;
    const HostTensor x = HostTensor::random(spec.io, count, 100 + rows, 2.0f);
    const HostTensor residual = HostTensor::random(spec.io, count, 200 + rows);
    const uint64_t xDev = upload(x), residualDev = upload(residual);
    const size_t bytes = count * dtypeInfo(spec.io).bytes;
    const uint64_t outDev = poisoned(bytes), residualOutDev = poisoned(bytes);
    rt::KernelArgs args;
    switch (spec.kind) {
    case NormKind::kRms:
      args.add(xDev).add(weightDev).add(outDev).add(rows);
      break;
    case NormKind::kAddRms:
      args.add(xDev).add(residualDev).add(weightDev).add(residualOutDev).add(outDev).add(rows);
      break;
    case NormKind::kLayer:
    case NormKind::kLayerBias:
      args.add(xDev).add(weightDev).add(spec.kind == NormKind::kLayerBias ? biasDev : 0ull)
          .add(outDev).add(rows);
      break;
    }
    launch(kernelSpec, rows, args);
    std::vector<double> residualRef(count);
    const std::vector<double> ref =
        referenceNorm(spec, rows, x, residual, weight, bias, &residualRef);
    EXPECT_TRUE(allClose(download(spec.io, outDev, count), ref));
    if (spec.kind == NormKind::kAddRms) { // the sum of two rounded values, rounded once: exact
      EXPECT_TRUE(allClose(download(spec.io, residualOutDev, count), residualRef, 0.0));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Table, NormGpuTest, ::testing::ValuesIn(testNorms()),
                         [](const auto &info) { return normKernel(info.param).name; });

/// vLLM's calling convention: the residual is updated in place and x becomes the normed row.
TEST_F(MemoryBoundGpuTest, AddRmsNormInPlaceMatchesOutOfPlace) {
  const NormSpec spec{NormKind::kAddRms, DType::kBf16, DType::kBf16, 4096};
  const int rows = 33;
  const size_t count = size_t(rows) * spec.hidden;
  const HostTensor x = HostTensor::random(DType::kBf16, count, 5, 2.0f);
  const HostTensor residual = HostTensor::random(DType::kBf16, count, 6);
  const HostTensor weight = HostTensor::random(DType::kBf16, spec.hidden, 7);
  const uint64_t xDev = upload(x), residualDev = upload(residual), weightDev = upload(weight);
  rt::KernelArgs args;
  args.add(xDev).add(residualDev).add(weightDev).add(residualDev).add(xDev).add(rows);
  launch(normKernel(spec, kEps), rows, args);
  std::vector<double> residualRef(count);
  const std::vector<double> ref =
      referenceNorm(spec, rows, x, residual, weight, weight, &residualRef);
  EXPECT_TRUE(allClose(download(DType::kBf16, xDev, count), ref));
  EXPECT_TRUE(allClose(download(DType::kBf16, residualDev, count), residualRef, 0.0));
}

} // namespace
} // namespace loom::testing
