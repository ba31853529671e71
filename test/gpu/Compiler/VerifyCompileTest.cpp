// The no-GPU half of verification, run in CI. For every verification graph: it runs in the
// reference interpreter; and per target (sm_80, sm_90a) it compiles through compile(), every
// kernel it emits compiles with NVRTC, the runtime accepts its manifest, and every package weight
// can be built (by its recipe) from the checkpoint tensors the graph names.
#include "frontend/Verify/GpuVerifier.h"
#include "frontend/Verify/ReferenceRun.h"
#include "runtime/Package/Package.h"
#include "runtime/Package/WeightProvider.h"
#include "test/gpu/Compiler/GraphFixture.h"
#include "test/gpu/Compiler/VerifyCases.h"
#include "test/gpu/Compiler/VerifyInputs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace loom::verify {
namespace {

using testing::CaseAndTarget;
using testing::VerifyCase;

TEST(VerifyInputsTest, EveryGraphInTheFolderHasACase) {
  auto dir = testing::verifyInputsDir();
  ASSERT_TRUE(dir.has_value());
  std::set<std::string> files, cases;
  for (const auto &path : testing::verifyGraphs(*dir))
    files.insert(path.filename().string());
  for (const VerifyCase &verifyCase : testing::verifyCases())
    cases.insert(verifyCase.graph);
  EXPECT_EQ(files, cases);
}

/// Parses the case's graph from test/Compiler/verify-inputs and draws its weights.
class CaseFixture : public testing::GraphFixture {
protected:
  void load(const VerifyCase &verifyCase) {
    auto dir = testing::verifyInputsDir();
    ASSERT_TRUE(dir.has_value());
    std::string text = testing::readText(*dir / verifyCase.graph);
    ASSERT_FALSE(text.empty()) << "cannot read " << verifyCase.graph;
    parseWithWeights(text, verifyCase.graph, 1);
  }
};

class ReferenceRunTest : public ::testing::TestWithParam<VerifyCase>, public CaseFixture {};

TEST_P(ReferenceRunTest, RunsOnRandomInputs) {
  ASSERT_NO_FATAL_FAILURE(load(GetParam()));
  auto signature = readSignature(graph_->function());
  ASSERT_TRUE(signature.isOk()) << signature.status().toString();
  auto inputs = randomInputs(*signature, {{"tokens", 7}}, 1007);
  ASSERT_TRUE(inputs.isOk()) << inputs.status().toString();
  auto outputs = runReference(graph_->function(), *weights_, std::move(*inputs), nullptr);
  ASSERT_TRUE(outputs.isOk()) << outputs.status().toString();
  ASSERT_EQ(outputs->size(), signature->results.size());
  for (const ref::HostTensor &output : *outputs) {
    EXPECT_EQ(output.dim(0), 7);
    for (float value : output.floats())
      ASSERT_TRUE(std::isfinite(value));
  }
}

INSTANTIATE_TEST_SUITE_P(Graphs, ReferenceRunTest, ::testing::ValuesIn(testing::verifyCases()),
                         [](const ::testing::TestParamInfo<VerifyCase> &info) {
                           return testing::identifier(info.param.graph);
                         });

class PackageCompileTest : public ::testing::TestWithParam<CaseAndTarget>, public CaseFixture {
protected:
  void SetUp() override {
    const auto &[verifyCase, target] = GetParam();
    ASSERT_NO_FATAL_FAILURE(load(verifyCase));
    auto compiled = graph_->compile(target);
    if (!compiled.isOk() && testing::isKnownGap(verifyCase, compiled.status().message()))
      GTEST_SKIP() << "known gap of compile(): " << compiled.status().message();
    ASSERT_TRUE(compiled.isOk()) << compiled.status().toString();
    package_ = std::move(*compiled);
  }
  cuda::Package package_;
};

TEST_P(PackageCompileTest, EveryKernelCompilesWithNvrtc) {
  auto arch = rt::parseGpuArch(std::get<1>(GetParam()));
  ASSERT_TRUE(arch.isOk());
  auto kernels = compileKernels(package_, *arch);
  ASSERT_TRUE(kernels.isOk()) << kernels.status().toString();
  ASSERT_EQ(kernels->size(), package_.sources.size());
  for (const auto &[name, kernel] : *kernels)
    EXPECT_FALSE(kernel.cubin.empty()) << name;
}

TEST_P(PackageCompileTest, RuntimeAcceptsTheManifest) {
  auto parsed = rt::makePackage(package_.manifest, package_.sources);
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  EXPECT_EQ(parsed->manifest.target, std::get<1>(GetParam()));
  EXPECT_FALSE(parsed->manifest.kernels.empty());
}

TEST_P(PackageCompileTest, EveryWeightBuildsFromTheCheckpointTensors) {
  auto parsed = rt::makePackage(package_.manifest, package_.sources);
  if (!parsed.isOk())
    GTEST_SKIP() << "the runtime rejects the manifest (RuntimeAcceptsTheManifest fails)";
  for (const rt::WeightSpec &weight : parsed->manifest.weights) {
    auto bytes = rt::materializeWeight(weight, *weights_);
    EXPECT_TRUE(bytes.isOk()) << "package weight " << weight.name << ": " << bytes.status().toString();
  }
}

INSTANTIATE_TEST_SUITE_P(Graphs, PackageCompileTest,
                         ::testing::Combine(::testing::ValuesIn(testing::verifyCases()),
                                            ::testing::ValuesIn(testing::kTargets)),
                         testing::caseName);

TEST(GraphModuleTest, ParseErrorsAreLocated) {
  auto graph = GraphModule::parse("func.func @f() {\n  %0 = graph.nonsense\n}", "bad.mlir");
  ASSERT_FALSE(graph.isOk());
  EXPECT_EQ(graph.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(graph.status().message().find("bad.mlir:2:"), std::string::npos)
      << graph.status().message();
}

TEST(GraphModuleTest, UnknownTargetIsACompileError) {
  auto graph = GraphModule::parse(R"mlir(
func.func @f(%x: tensor<?x8xf32>) -> tensor<?x8xf32> attributes {loom.max_tokens = 4 : i64} {
  %y = graph.silu %x : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
})mlir");
  ASSERT_TRUE(graph.isOk()) << graph.status().toString();
  auto package = graph->compile("sm_70");
  ASSERT_FALSE(package.isOk());
  EXPECT_EQ(package.status().code(), StatusCode::kCompileError);
  EXPECT_NE(package.status().message().find("sm_70"), std::string::npos)
      << package.status().message();
  EXPECT_TRUE(graph->compile("sm_80").isOk()) << "the parsed module stays unfused and reusable";
}

TEST(GraphModuleTest, RoundoffIsTheLeastPreciseTypeOfTheGraph) {
  auto mixed = GraphModule::parse(R"mlir(
func.func @f(%x: tensor<?x8xbf16>) -> tensor<?x8xf32> {
  %y = graph.cast %x : tensor<?x8xbf16> to tensor<?x8xf32>
  return %y : tensor<?x8xf32>
})mlir");
  auto f32Only = GraphModule::parse(R"mlir(
func.func @f(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = graph.softmax %x : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
})mlir");
  ASSERT_TRUE(mixed.isOk() && f32Only.isOk());
  EXPECT_EQ(graphRoundoff(mixed->function()), std::ldexp(1.0, -8));
  EXPECT_EQ(graphRoundoff(f32Only->function()), std::ldexp(1.0, -24));
}

} // namespace
} // namespace loom::verify
