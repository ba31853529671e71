// Without a driver, loading fails with a clear Status instead of a loader error or abort.
#include "runtime/CUDA/Context.h"
#include "runtime/CUDA/Driver.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

namespace loom::rt {
namespace {

TEST(DriverTest, MissingLibraryIsAClearUnavailableStatus) {
  StatusOr<DriverApi> api = loadDriver("libloom-no-such-driver.so.1");
  ASSERT_FALSE(api.isOk());
  EXPECT_EQ(api.status().code(), StatusCode::kUnavailable);
  const std::string &message = api.status().message();
  EXPECT_EQ(message.rfind("no CUDA driver found: ", 0), 0u) << message;
  EXPECT_NE(message.find("libloom-no-such-driver.so.1"), std::string::npos) << message;
}

TEST(DriverTest, ContextCreationWithoutDriverReportsIt) {
  if (void *handle = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD | RTLD_LOCAL);
      handle || driver().isOk()) {
    if (handle)
      ::dlclose(handle);
    GTEST_SKIP() << "a CUDA driver is installed here";
  }
  StatusOr<std::unique_ptr<Context>> context = Context::create(0);
  ASSERT_FALSE(context.isOk());
  EXPECT_EQ(context.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(context.status().message().rfind("no CUDA driver found: libcuda.so.1", 0), 0u)
      << context.status().message();
  EXPECT_FALSE(deviceCount().isOk());
}

} // namespace
} // namespace loom::rt
