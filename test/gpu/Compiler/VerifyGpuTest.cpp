// Every kernel compile() emits for the verification graphs, for sm_80 (mma.sync) and sm_90a
// (wgmma + TMA), run on the GPU and compared with the CPU reference interpreter on the unfused
// graph (same random inputs and weights).
#include "frontend/Verify/GpuVerifier.h"
#include "test/gpu/Compiler/VerifyCases.h"
#include "test/gpu/Compiler/VerifyInputs.h"
#include "test/gpu/GpuTestSupport.h"

#include <fmt/format.h>

#include <fstream>

namespace loom::verify {
namespace {

using testing::CaseAndTarget;
using testing::VerifyCase;

class VerifyGpuTest : public loom::testing::GpuTest,
                      public ::testing::WithParamInterface<CaseAndTarget> {};

/// Prints a result line, and appends it to $LOOM_VERIFY_LOG when set (ctest shows the output of
/// failing tests only; the log keeps every figure for docs/verify-gpu.md).
void record(const std::string &line) {
  std::cout << line << "\n";
  if (const char *path = std::getenv("LOOM_VERIFY_LOG"))
    std::ofstream(path, std::ios::app) << line << "\n";
}

TEST_P(VerifyGpuTest, MatchesTheReference) {
  const auto &[verifyCase, target] = GetParam();
  auto wanted = rt::parseGpuArch(target);
  ASSERT_TRUE(wanted.isOk());
  const rt::GpuArchInfo &info = rt::gpuArchInfo(*wanted), &device = rt::gpuArchInfo(arch_);
  if (device.major < info.major || (info.archSpecific && *wanted != arch_))
    GTEST_SKIP() << target << " kernels do not run on this " << device.name << " device";
  auto dir = testing::verifyInputsDir();
  ASSERT_TRUE(dir.has_value()) << "no test/Compiler/verify-inputs above the working directory";
  std::string text = testing::readText(*dir / verifyCase.graph);
  ASSERT_FALSE(text.empty()) << "cannot read " << (*dir / verifyCase.graph);

  VerifyOptions options;
  options.ulps = verifyCase.ulps;
  options.target = target;
  auto verifier = GpuVerifier::create(text, options, *context_, compiler_);
  if (!verifier.isOk() && testing::isKnownGap(verifyCase, verifier.status().message())) {
    record(fmt::format("[verify] {} {}: known gap: {}", verifyCase.graph, target, verifier.status().message()));
    GTEST_SKIP() << "known gap of compile(): " << verifier.status().message();
  }
  if (!verifier.isOk())
    record(fmt::format("[verify] {} {}: FAILED to load: {}", verifyCase.graph, target, verifier.status().toString()));
  ASSERT_TRUE(verifier.isOk()) << verifyCase.graph << ": " << verifier.status().toString();
  std::vector<std::string> kernels;
  for (const rt::KernelSpec &kernel : (*verifier)->manifest().kernels)
    kernels.push_back(fmt::format("{} ({})", kernel.name, fmt::join(kernel.ops, " ")));
  record(fmt::format("[verify] {} {} on {}, kernels: {}", verifyCase.graph, target,
                     rt::gpuArchName(arch_), fmt::join(kernels, ", ")));

  for (int64_t tokens : verifyCase.tokens) {
    auto report = (*verifier)->verify({{"tokens", tokens}}, /*inputSeed=*/1000 + tokens, *stream_);
    if (!report.isOk())
      record(fmt::format("[verify] {} {} tokens={}: FAILED to run: {}", verifyCase.graph, target, tokens,
                         report.status().toString()));
    ASSERT_TRUE(report.isOk()) << verifyCase.graph << " tokens=" << tokens << ": "
                               << report.status().toString();
    record(fmt::format("[verify] {} {} {}", verifyCase.graph, target, report->describe()));
    EXPECT_TRUE(report->passed()) << verifyCase.graph << " " << target << " " << report->describe();
  }
}

INSTANTIATE_TEST_SUITE_P(Graphs, VerifyGpuTest,
                         ::testing::Combine(::testing::ValuesIn(testing::verifyCases()),
                                            ::testing::ValuesIn(testing::kTargets)),
                         testing::caseName);

/// The one-call helper on a graph written here: a wrong weight recipe or a wrong input would
/// show as a failed report, so a passing report on random data is meaningful.
class VerifyOnGpuTest : public loom::testing::GpuTest {};

TEST_F(VerifyOnGpuTest, OneCallHelperChecksEveryOutput) {
  const char *graph = R"mlir(
func.func @pair(%x: tensor<?x256xbf16> {loom.name = "x"}, %r: tensor<?x256xbf16> {loom.name = "r"})
    -> (tensor<?x256xbf16> {loom.name = "sum"}, tensor<?x256xbf16> {loom.name = "normed"})
    attributes {loom.max_tokens = 64 : i64} {
  %g = graph.weight "g" : tensor<256xbf16>
  %s = graph.add %x, %r : tensor<?x256xbf16>
  %n = graph.rms_norm %s, %g {eps = 1.0e-5 : f32} : tensor<?x256xbf16>, tensor<256xbf16>
  return %s, %n : tensor<?x256xbf16>, tensor<?x256xbf16>
})mlir";
  auto report = verifyOnGpu(graph, {{"tokens", 19}}, 7, *context_, compiler_, *stream_);
  ASSERT_TRUE(report.isOk()) << report.status().toString();
  ASSERT_EQ(report->outputs.size(), 2u);
  EXPECT_EQ(report->outputs[0].name, "sum");
  EXPECT_EQ(report->outputs[1].elements, 19 * 256);
  EXPECT_TRUE(report->passed()) << report->describe();

  auto tooMany = verifyOnGpu(graph, {{"tokens", 65}}, 7, *context_, compiler_, *stream_);
  EXPECT_FALSE(tooMany.isOk()) << "65 tokens exceed the package's bound of 64";
}

} // namespace
} // namespace loom::verify
