// A compiled package reports an out-of-range token id as a Status naming it (the embedding
// kernel's error record, checked by PackageExecutor after the step), then runs on.
#include "frontend/Reference/StorageBytes.h"
#include "frontend/Verify/GraphModule.h"
#include "frontend/Verify/SharedWeights.h"
#include "runtime/Package/PackageExecutor.h"
#include "test/gpu/GpuTestSupport.h"

#include <cstring>

namespace loom::verify {
namespace {

constexpr int kVocab = 1000, kHidden = 64;

const char *kGraph = R"mlir(
func.func @embed(%ids: tensor<?xi32> {loom.name = "ids"}) -> (tensor<?x64xbf16> {loom.name = "h"})
    attributes {loom.max_tokens = 64 : i64} {
  %table = graph.weight "embed.weight" : tensor<1000x64xbf16>
  %h = graph.embedding %table, %ids : tensor<1000x64xbf16>, tensor<?xi32> -> tensor<?x64xbf16>
  return %h : tensor<?x64xbf16>
})mlir";

class EmbeddingErrorGpuTest : public loom::testing::GpuTest {
protected:
  void SetUp() override {
    GpuTest::SetUp();
    if (IsSkipped() || HasFatalFailure())
      return;
    auto graph = GraphModule::parse(kGraph, "embed");
    ASSERT_TRUE(graph.isOk()) << graph.status().toString();
    auto weights = SharedWeights::random(graph->function(), 3);
    ASSERT_TRUE(weights.isOk()) << weights.status().toString();
    weights_.emplace(std::move(*weights));
    auto compiled = graph->compile(rt::gpuArchName(arch_));
    ASSERT_TRUE(compiled.isOk()) << compiled.status().toString();
    auto package = rt::makePackage(compiled->manifest, compiled->sources);
    ASSERT_TRUE(package.isOk()) << package.status().toString();
    auto executor = rt::PackageExecutor::create(*context_, std::move(*package), *weights_, compiler_);
    ASSERT_TRUE(executor.isOk()) << executor.status().toString();
    executor_ = std::move(*executor);
  }

  /// Runs one step over `ids` and reads the hidden rows.
  StatusOr<std::vector<std::byte>> step(const std::vector<int32_t> &ids) {
    rt::DimValues dims = {{"tokens", int64_t(ids.size())}};
    LOOM_RETURN_IF_ERROR(executor_->copyInput(
        "ids", std::as_bytes(std::span(ids.data(), ids.size())), dims, *stream_));
    LOOM_RETURN_IF_ERROR(executor_->run(dims, *stream_));
    return executor_->readOutput("h", dims, *stream_);
  }

  std::optional<SharedWeights> weights_;
  std::unique_ptr<rt::PackageExecutor> executor_;
};

TEST_F(EmbeddingErrorGpuTest, OutOfRangeIdIsAnErrorNamingIt) {
  auto good = step({3, 999, 0, 41});
  ASSERT_TRUE(good.isOk()) << good.status().toString();
  // The rows are the table's rows (bit-exact copies): row 1 is table row 999.
  auto table = weights_->load("embed.weight", ref::ElementType::kBF16, {kVocab, kHidden});
  ASSERT_TRUE(table.isOk()) << table.status().toString();
  auto bytes = ref::toStorageBytes(*table);
  EXPECT_EQ(std::memcmp(good->data() + 2 * kHidden, bytes.data() + 999 * 2 * kHidden, 2 * kHidden), 0);

  auto bad = step({3, 1000, 7});
  ASSERT_FALSE(bad.isOk()) << "id 1000 is outside a 1000-row table";
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("token id 1000 (row 1 of the step)"), std::string::npos)
      << bad.status().message();
  EXPECT_NE(bad.status().message().find("1000 rows"), std::string::npos) << bad.status().message();

  auto negative = step({-5});
  ASSERT_FALSE(negative.isOk());
  EXPECT_NE(negative.status().message().find("token id -5 (row 0"), std::string::npos)
      << negative.status().message();

  auto again = step({5, 6});
  EXPECT_TRUE(again.isOk()) << "the record is cleared once reported: " << again.status().toString();
}

} // namespace
} // namespace loom::verify
