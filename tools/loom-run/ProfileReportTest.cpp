// KernelTraffic and ProfileReport on a small manifest: bytes per launch by op (gathered embedding
// rows, KV context, activations at the step's dims) and launches grouped by kernel body (CPU).
#include "tools/loom-run/ProfileReport.h"

#include <gtest/gtest.h>

namespace loom::tools {
namespace {

/// Kernels 0 and 3; linearKernel() adds kernels 1 and 2, two layers of one linear kernel.
constexpr const char *kManifestBase = R"json({
  "format": "loom-package", "version": 1, "target": "sm_90a",
  "dims": {"tokens": 64, "seqs": 4, "blocks_per_seq": 4},
  "inputs": [{"name": "tokens", "dtype": "i32", "shape": ["tokens"]}],
  "outputs": [{"name": "y", "buffer": "v1", "dtype": "bf16", "shape": ["tokens", 16]}],
  "weights": [{"name": "embed", "dtype": "bf16", "shape": [100, 8]},
              {"name": "w1", "dtype": "bf16", "shape": [16, 8]},
              {"name": "w2", "dtype": "bf16", "shape": [16, 8]}],
  "kv_cache": {"layers": 2, "blocks": 8, "block_size": 16, "kv_heads": 2, "head_dim": 8, "dtype": "bf16"},
  "arena": {"bytes": 4096, "alignment": 256},
  "buffers": [{"name": "v0", "offset": 0, "bytes": 1024, "dtype": "bf16", "shape": ["tokens", 8]},
              {"name": "v1", "offset": 1024, "bytes": 2048, "dtype": "bf16", "shape": ["tokens", 16]}],
  "kernels": [
    {"name": "embedding_0", "source": "kernels/embedding_0.cu", "ops": ["graph.embedding"],
     "block": [128], "grid": [1],
     "params": [{"name": "table", "kind": "weight", "ref": "embed"},
                {"name": "ids", "kind": "input", "ref": "tokens"},
                {"name": "out", "kind": "buffer", "ref": "v0"}]},
    {"name": "attention_3", "source": "kernels/attention_3.cu", "ops": ["graph.paged_attention"],
     "block": [128], "grid": [1],
     "params": [{"name": "q", "kind": "buffer", "ref": "v1"},
                {"name": "k", "kind": "kv_k"}, {"name": "v", "kind": "kv_v"},
                {"name": "seqs", "kind": "dim", "ref": "seqs"}]}],
  "program": ["embedding_0", "linear_1", "linear_2", "attention_3"]
})json";

nlohmann::json linearKernel(const std::string &name, const std::string &weight) {
  return {{"name", name}, {"source", "kernels/" + name + ".cu"}, {"ops", {"graph.linear"}},
          {"block", {128}}, {"grid", {1}},
          {"params", {{{"name", "x"}, {"kind", "tma"}, {"of", "buffer"}, {"ref", "v0"},
                       {"rows", "tokens"}, {"cols", 8}, {"box_rows", 128}, {"box_cols", 64}},
                      {{"name", "w"}, {"kind", "weight"}, {"ref", weight}},
                      {{"name", "y"}, {"kind", "buffer"}, {"ref", "v1"}}}}};
}

std::string manifestJson() {
  nlohmann::json manifest = nlohmann::json::parse(kManifestBase);
  auto &kernels = manifest["kernels"];
  kernels.insert(kernels.begin() + 1, linearKernel("linear_2", "w2"));
  kernels.insert(kernels.begin() + 1, linearKernel("linear_1", "w1"));
  return manifest.dump();
}

const std::map<std::string, std::string> kSources = {
    {"embedding_0", "extern \"C\" __global__ void embedding_0() { gather(); }"},
    {"linear_1", "// linear_1\nextern \"C\" __global__ void linear_1() { gemm<16>(); }"},
    {"linear_2", "// linear_2\nextern \"C\" __global__ void linear_2() { gemm<16>(); }"},
    {"attention_3", "extern \"C\" __global__ void attention_3() { attend(); }"}};

const rt::DimValues kStep = {{"tokens", 3}, {"seqs", 2}, {"blocks_per_seq", 1}};
constexpr int64_t kContextTokens = 10;

class ProfileReportTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string json = manifestJson();
    auto manifest = rt::parseManifest(json);
    ASSERT_TRUE(manifest.isOk()) << manifest.status().toString();
    manifest_ = std::move(manifest).value();
    auto traffic = KernelTraffic::create(manifest_, json);
    ASSERT_TRUE(traffic.isOk()) << traffic.status().toString();
    traffic_ = std::make_unique<KernelTraffic>(std::move(traffic).value());
  }
  LaunchBytes bytesOf(size_t kernel) {
    auto bytes = traffic_->launchBytes(kernel, kStep, kContextTokens);
    EXPECT_TRUE(bytes.isOk()) << bytes.status().toString();
    return bytes.isOk() ? *bytes : LaunchBytes{};
  }
  rt::Manifest manifest_;
  std::unique_ptr<KernelTraffic> traffic_;
};

TEST_F(ProfileReportTest, AnEmbeddingReadsOnlyTheGatheredRows) {
  LaunchBytes bytes = bytesOf(0);
  EXPECT_EQ(bytes.weights, 3u * 8 * 2);          // 3 rows of 8 bf16, not the 100-row table
  EXPECT_EQ(bytes.activations, 3u * 4 + 3 * 8 * 2); // i32 ids + the bf16 output rows
  EXPECT_EQ(bytes.kv, 0u);
}

TEST_F(ProfileReportTest, ALinearReadsItsWholeWeightAndTheStepsRows) {
  LaunchBytes bytes = bytesOf(1);
  EXPECT_EQ(bytes.weights, 16u * 8 * 2);
  EXPECT_EQ(bytes.activations, 3u * 8 * 2 + 3 * 16 * 2); // the TMA operand and the output
}

TEST_F(ProfileReportTest, AttentionReadsTheWholeContextOfKAndV) {
  LaunchBytes bytes = bytesOf(3);
  EXPECT_EQ(bytes.kv, 2u * kContextTokens * 2 * 8 * 2); // K and V, 2 heads of 8 bf16 per token
  EXPECT_EQ(bytes.weights, 0u);
}

TEST_F(ProfileReportTest, StepBytesSumTheLaunchedKernels) {
  auto step = traffic_->stepBytes(kStep, kContextTokens);
  ASSERT_TRUE(step.isOk());
  uint64_t expected = 0;
  for (size_t k = 0; k < 4; ++k)
    expected += bytesOf(k).total();
  EXPECT_EQ(step->total(), expected);
}

TEST_F(ProfileReportTest, LaunchesOfOneBodyShareARowAndTheGapIsWhatKernelsDoNotCover) {
  StepProfile step;
  step.kind = "decode";
  step.dims = kStep;
  step.contextTokens = kContextTokens;
  step.wallMicroseconds = 40;
  step.launches = {{0, 5, 0}, {1, 10, 1}, {2, 12, 1}, {3, 7, 1}};
  auto summary = summarizeProfile(step, manifest_, kSources, *traffic_);
  ASSERT_TRUE(summary.isOk()) << summary.status().toString();
  ASSERT_EQ(summary->rows.size(), 3u);
  const KernelProfileRow &linear = summary->rows[0]; // slowest first
  EXPECT_EQ(linear.kernel, "linear_1");
  EXPECT_EQ(linear.kernels, 2);
  EXPECT_EQ(linear.launches, 2);
  EXPECT_DOUBLE_EQ(linear.microseconds, 22);
  EXPECT_EQ(linear.bytes.total(), bytesOf(1).total() + bytesOf(2).total());
  EXPECT_EQ(summary->rows[1].kernel, "attention_3");
  EXPECT_EQ(summary->rows[2].kernel, "embedding_0");
  EXPECT_DOUBLE_EQ(summary->kernelMicroseconds, 34);
  EXPECT_DOUBLE_EQ(summary->gapMicroseconds, 6);

  double copyBytesPerSecond = 1e9;
  nlohmann::json json = profileJson(*summary, copyBytesPerSecond);
  EXPECT_DOUBLE_EQ(json["launch_gap_us"].get<double>(), 6);
  double linearBytes = static_cast<double>(linear.bytes.total());
  EXPECT_NEAR(json["kernels"][0]["percent_of_copy_roofline"].get<double>(),
              100.0 * linearBytes / 22e-6 / copyBytesPerSecond, 1e-9);
  EXPECT_NEAR(json["kernels"][0]["percent_of_step"].get<double>(), 100.0 * 22 / 40, 1e-9);
  std::string table = profileTable(*summary, copyBytesPerSecond);
  EXPECT_NE(table.find("linear_1 (x2)"), std::string::npos) << table;
  EXPECT_NE(table.find("6.0 us (15.0%) launch gaps"), std::string::npos) << table;
}

} // namespace
} // namespace loom::tools
