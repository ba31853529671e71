// A kernel compiled in one process is a disk-cache hit, fast, in the next process: the test
// re-executes its own binary with the same LOOM_CACHE_DIR and reads the child's report.
#include "GpuTestSupport.h"
#include "runtime/Support/Files.h"
#include "test/unit/Runtime/TempDir.h"
#include "test/unit/Runtime/TestKernels.h"

#include <fmt/format.h>

#include <cstdlib>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace loom::testing {
namespace {

using namespace loom::rt;

constexpr const char *kReportEnv = "LOOM_GPU_TEST_CHILD_REPORT";
constexpr const char *kArchEnv = "LOOM_GPU_TEST_CHILD_ARCH";

/// The target to compile for: the GPU's when there is one, else sm_90a.
GpuArch testArch() {
  StatusOr<Context *> context = gpuContext();
  if (context.isOk())
    if (StatusOr<GpuArch> arch = (*context)->arch(); arch.isOk())
      return *arch;
  return GpuArch::kSm90a;
}

CompileRequest saxpyRequest(GpuArch arch) {
  return CompileRequest{"saxpy", kSaxpySource, arch, {}};
}

// Runs only as the child of SecondProcessHitsTheDiskCache.
TEST(CacheProcessTest, ChildCompilesFromDiskCache) {
  const char *report = std::getenv(kReportEnv);
  const char *archName = std::getenv(kArchEnv);
  if (!report || !archName)
    GTEST_SKIP() << "runs only as the child of SecondProcessHitsTheDiskCache";
  StatusOr<GpuArch> arch = parseGpuArch(archName);
  ASSERT_TRUE(arch.isOk());
  KernelCache cache(KernelCache::defaultDirectory()); // LOOM_CACHE_DIR from the parent
  KernelCompiler compiler(cache, 1);
  StatusOr<CompileResult> result = compiler.compile(saxpyRequest(*arch));
  ASSERT_TRUE(result.isOk()) << result.status().toString();
  int loaded = 0;
  if (StatusOr<Context *> context = gpuContext(); context.isOk()) {
    auto module = Module::load(**context, result->kernel->cubin);
    ASSERT_TRUE(module.isOk()) << module.status().toString();
    ASSERT_TRUE((*module)->kernel("saxpy").isOk());
    loaded = 1;
  }
  ASSERT_TRUE(writeFileAtomic(report, fmt::format("{} {} {}\n", cacheOriginName(result->origin),
                                                  result->milliseconds, loaded))
                  .isOk());
}

TEST(CacheProcessTest, SecondProcessHitsTheDiskCache) {
  TempDir dir;
  GpuArch arch = testArch();
  KernelCache cache(dir.path());
  KernelCompiler compiler(cache, 1);
  StatusOr<CompileResult> cold = compiler.compile(saxpyRequest(arch));
  ASSERT_TRUE(cold.isOk()) << cold.status().toString();
  ASSERT_EQ(cold->origin, CacheOrigin::kCompiled);

  std::string reportPath = dir.path() + "/child-report.txt";
  char self[4096] = {};
  ssize_t length = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  ASSERT_GT(length, 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::setenv("LOOM_CACHE_DIR", dir.path().c_str(), 1);
    ::setenv(kReportEnv, reportPath.c_str(), 1);
    ::setenv(kArchEnv, std::string(gpuArchName(arch)).c_str(), 1);
    char filter[] = "--gtest_filter=CacheProcessTest.ChildCompilesFromDiskCache";
    char *argv[] = {self, filter, nullptr};
    ::execv(self, argv);
    ::_exit(127);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the child test failed";

  StatusOr<std::string> report = readFile(reportPath);
  ASSERT_TRUE(report.isOk()) << report.status().toString();
  std::istringstream fields(*report);
  std::string origin;
  double milliseconds = -1;
  int loaded = -1;
  fields >> origin >> milliseconds >> loaded;
  EXPECT_EQ(origin, "disk");
  EXPECT_GE(milliseconds, 0.0);
  EXPECT_LT(milliseconds, 5.0) << "a disk hit reads and checks one small file (target 1 ms)";
  EXPECT_LT(milliseconds * 10, cold->milliseconds) << "cold compile took " << cold->milliseconds;
  if (gpuContext().isOk()) {
    EXPECT_EQ(loaded, 1) << "the cached cubin loads in the new process";
  }
  std::printf("[ cache    ] cold compile %.2f ms, warm disk hit in a new process %.3f ms\n",
              cold->milliseconds, milliseconds);
}

} // namespace
} // namespace loom::testing
