// PackageExecutor on the GPU: a hand-written two-kernel package with a concatenated weight, an
// arena buffer and a dim-dependent grid, run at several token counts against a CPU reference.
#include "runtime/Package/PackageExecutor.h"

#include "test/gpu/GpuTestSupport.h"

#include <cstring>
#include <map>

namespace loom::rt {
namespace {

constexpr int kCols = 8;

const char *kScaleSource = R"cuda(
// y = x * s, one thread per element of the [tokens, 8] input.
extern "C" __global__ __launch_bounds__(64) void scale_1(const float *x, float *y, float s, int tokens) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < tokens * 8)
    y[i] = x[i] * s;
}
)cuda";

const char *kAddSource = R"cuda(
// out[t, c] = y[t, c] + w[c]; one block per token row.
extern "C" __global__ __launch_bounds__(8) void add_row_2(const float *y, const float *w, float *out) {
  int t = blockIdx.x, c = threadIdx.x;
  out[t * 8 + c] = y[t * 8 + c] + w[c];
}
)cuda";

const char *kManifest = R"json({
  "format": "loom-package", "version": 1, "target": "sm_80",
  "dims": {"tokens": 40},
  "inputs": [{"name": "x", "dtype": "f32", "shape": ["tokens", 8]}],
  "outputs": [{"name": "out", "buffer": "v1", "dtype": "f32", "shape": ["tokens", 8]}],
  "weights": [{"name": "bias", "dtype": "f32", "shape": [8], "recipe": {"concat": {"axis": 0, "of": ["lo", "hi"]}}}],
  "arena": {"bytes": 2560, "alignment": 256},
  "buffers": [{"name": "v0", "offset": 0, "bytes": 1280}, {"name": "v1", "offset": 1280, "bytes": 1280}],
  "kernels": [
    {"name": "scale_1", "source": "kernels/scale_1.cu", "block": [64], "grid": ["ceildiv(tokens * 8, 64)"],
     "params": [{"name": "x", "kind": "input", "ref": "x"}, {"name": "y", "kind": "buffer", "ref": "v0"},
                {"name": "s", "kind": "float", "value": 0.5}, {"name": "tokens", "kind": "dim", "ref": "tokens"}]},
    {"name": "add_row_2", "source": "kernels/add_row_2.cu", "block": [8], "grid": ["tokens"],
     "params": [{"name": "y", "kind": "buffer", "ref": "v0"}, {"name": "w", "kind": "weight", "ref": "bias"},
                {"name": "out", "kind": "output", "ref": "out"}]}],
  "program": ["scale_1", "add_row_2"]
})json";

class FloatProvider final : public WeightProvider {
public:
  std::map<std::string, std::vector<float>> tensors;
  StatusOr<HostTensorView> tensor(const std::string &name) override {
    auto it = tensors.find(name);
    if (it == tensors.end())
      return LOOM_ERROR(StatusCode::kNotFound, "no tensor " + name);
    return HostTensorView{DType::kF32, {static_cast<int64_t>(it->second.size())},
                          std::as_bytes(std::span(it->second))};
  }
};

class PackageExecutorGpuTest : public testing::GpuTest {
protected:
  /// The two-kernel package of kManifest loaded with both halves of its bias.
  StatusOr<std::unique_ptr<PackageExecutor>> loadPackage(const ExecutorOptions &options = {}) {
    LOOM_ASSIGN_OR_RETURN(Package package, makePackage(kManifest, {{"kernels/scale_1.cu", kScaleSource},
                                                                   {"kernels/add_row_2.cu", kAddSource}}));
    weights_.tensors["lo"] = {1, 2, 3, 4};
    weights_.tensors["hi"] = {-1, -2, -3, -4};
    return PackageExecutor::create(*context_, std::move(package), weights_, compiler_, options);
  }
  FloatProvider weights_;
};

TEST_F(PackageExecutorGpuTest, RunsTheProgramAtSeveralTokenCounts) {
  auto executor = loadPackage();
  ASSERT_TRUE(executor.isOk()) << executor.status().toString();
  const float bias[kCols] = {1, 2, 3, 4, -1, -2, -3, -4};
  for (int tokens : {1, 17, 40, 3}) {
    DimValues dims{{"tokens", tokens}};
    std::vector<float> x = testing::randomFloats(static_cast<size_t>(tokens) * kCols, 100 + tokens);
    ASSERT_TRUE((*executor)->copyInput("x", std::as_bytes(std::span(x)), dims, *stream_).isOk());
    ASSERT_TRUE((*executor)->run(dims, *stream_).isOk());
    auto out = (*executor)->readOutput("out", dims, *stream_);
    ASSERT_TRUE(out.isOk()) << out.status().toString();
    ASSERT_EQ(out->size(), x.size() * 4);
    std::vector<float> got(x.size());
    std::memcpy(got.data(), out->data(), out->size());
    for (size_t i = 0; i < x.size(); ++i)
      ASSERT_FLOAT_EQ(got[i], x[i] * 0.5f + bias[i % kCols]) << "tokens " << tokens << " element " << i;
  }
  auto tooMany = (*executor)->run({{"tokens", 41}}, *stream_);
  ASSERT_FALSE(tooMany.isOk());
  EXPECT_NE(tooMany.message().find("dim 'tokens' = 41 is outside the package's bound [0, 40]"),
            std::string::npos);
  std::vector<float> wrong(5);
  EXPECT_FALSE((*executor)->copyInput("x", std::as_bytes(std::span(wrong)), {{"tokens", 1}}, *stream_).isOk());
}

TEST_F(PackageExecutorGpuTest, TimelineOptionInstrumentsEveryKernel) {
  for (bool instrument : {false, true}) {
    ExecutorOptions options;
    options.instrumentTimeline = instrument;
    auto executor = loadPackage(options);
    ASSERT_TRUE(executor.isOk()) << executor.status().toString();
    const TimelineBuffer *timeline = (*executor)->timeline();
    // Only the option instruments: the runtime reads no environment variable for it.
    ASSERT_EQ(timeline != nullptr, instrument) << "instrument " << instrument;
    if (!timeline)
      continue;
    const int tokens = 17;
    DimValues dims{{"tokens", tokens}};
    std::vector<float> x = testing::randomFloats(size_t(tokens) * kCols, 7);
    ASSERT_TRUE(timeline->reset(*stream_).isOk());
    ASSERT_TRUE((*executor)->copyInput("x", std::as_bytes(std::span(x)), dims, *stream_).isOk());
    ASSERT_TRUE((*executor)->run(dims, *stream_).isOk());
    auto out = (*executor)->readOutput("out", dims, *stream_);
    ASSERT_TRUE(out.isOk()) << out.status().toString();
    std::vector<float> got(x.size());
    std::memcpy(got.data(), out->data(), out->size());
    EXPECT_FLOAT_EQ(got[9], x[9] * 0.5f + 2.0f); // row 1, column 1: bias lo[1]
    auto snapshot = timeline->read(*stream_);
    ASSERT_TRUE(snapshot.isOk()) << snapshot.status().toString();
    EXPECT_EQ(snapshot->dropped, 0u);
    // One record per CTA: scale_1 runs ceildiv(17 * 8, 64) = 3, add_row_2 one per token.
    std::map<uint32_t, std::vector<uint32_t>> blocksOfKernel;
    for (const TimelineRecord &record : snapshot->records) {
      blocksOfKernel[record.kernel].push_back(record.block);
      EXPECT_LE(record.entry, record.exit);
    }
    ASSERT_EQ(blocksOfKernel.size(), 2u);
    EXPECT_EQ(blocksOfKernel[0].size(), 3u);
    EXPECT_EQ(blocksOfKernel[1].size(), size_t(tokens));
    EXPECT_EQ((*executor)->timelineIds(), (std::vector<uint32_t>{0, 1}));
  }
}

TEST_F(PackageExecutorGpuTest, MissingWeightIsAnError) {
  auto package = makePackage(kManifest, {{"kernels/scale_1.cu", kScaleSource},
                                         {"kernels/add_row_2.cu", kAddSource}});
  ASSERT_TRUE(package.isOk());
  FloatProvider weights;
  weights.tensors["lo"] = {1, 2, 3, 4};
  auto executor = PackageExecutor::create(*context_, std::move(*package), weights, compiler_);
  ASSERT_FALSE(executor.isOk());
  EXPECT_EQ(executor.status().code(), StatusCode::kNotFound);
}

} // namespace
} // namespace loom::rt
