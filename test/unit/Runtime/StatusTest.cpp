// Status, StatusOr, the status macros and LOOM_CU_CHECK.
#include "runtime/CUDA/CuCheck.h"
#include "runtime/Support/Status.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

Status failWithError() { return LOOM_ERROR(StatusCode::kInvalidArgument, "bad block size 7"); }

StatusOr<int> parsePositive(int value) {
  if (value <= 0)
    return Status(StatusCode::kInvalidArgument, "value must be positive");
  return value;
}

StatusOr<int> doublePositive(int value) {
  LOOM_ASSIGN_OR_RETURN(int parsed, parsePositive(value));
  return parsed * 2;
}

Status chain(bool fail) {
  LOOM_RETURN_IF_ERROR(fail ? failWithError() : Status::ok());
  return Status(StatusCode::kNotFound, "reached the end");
}

TEST(StatusTest, OkAndErrorCarryCodeAndMessage) {
  EXPECT_TRUE(Status::ok().isOk());
  EXPECT_EQ(Status::ok().toString(), "ok");
  Status error(StatusCode::kOutOfMemory, "device full");
  EXPECT_FALSE(error.isOk());
  EXPECT_EQ(error.toString(), "out of memory: device full");
  EXPECT_EQ(error.withContext("loading model").message(), "loading model: device full");
}

TEST(StatusTest, LoomErrorRecordsFunctionFileAndLine) {
  Status status = failWithError();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("bad block size 7"), std::string::npos);
  EXPECT_NE(status.message().find("failWithError"), std::string::npos);
  EXPECT_NE(status.message().find("StatusTest.cpp:"), std::string::npos);
}

TEST(StatusTest, AssignOrReturnPropagatesValueAndError) {
  StatusOr<int> doubled = doublePositive(21);
  ASSERT_TRUE(doubled.isOk());
  EXPECT_EQ(*doubled, 42);
  StatusOr<int> failed = doublePositive(-1);
  ASSERT_FALSE(failed.isOk());
  EXPECT_EQ(failed.status().message(), "value must be positive");
}

TEST(StatusTest, ReturnIfErrorStopsAtFirstError) {
  EXPECT_EQ(chain(true).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(chain(false).code(), StatusCode::kNotFound);
}

// A fake driver table: only what the check macro touches.
rt::DriverApi fakeDriver() {
  rt::DriverApi api;
  api.cuGetErrorName = [](CUresult result, const char **text) {
    *text = result == CUDA_ERROR_OUT_OF_MEMORY ? "CUDA_ERROR_OUT_OF_MEMORY" : "CUDA_ERROR_OTHER";
    return CUDA_SUCCESS;
  };
  api.cuGetErrorString = [](CUresult, const char **text) {
    *text = "fake description";
    return CUDA_SUCCESS;
  };
  api.cuMemAlloc = [](CUdeviceptr *, size_t) { return CUDA_ERROR_OUT_OF_MEMORY; };
  api.cuCtxSynchronize = []() { return CUDA_ERROR_LAUNCH_FAILED; };
  api.cuInit = [](unsigned) { return CUDA_SUCCESS; };
  return api;
}

Status allocateThroughMacro(const rt::DriverApi &cu, size_t bytes) {
  CUdeviceptr pointer = 0;
  LOOM_CU_CHECK(cu.cuInit(0));
  LOOM_CU_CHECK(cu.cuMemAlloc(&pointer, bytes));
  return Status::ok();
}

Status synchronizeThroughMacro(const rt::DriverApi &cu) {
  LOOM_CU_CHECK(cu.cuCtxSynchronize());
  return Status::ok();
}

TEST(CuCheckTest, RecordsStatementFunctionFileLineAndErrorName) {
  rt::DriverApi cu = fakeDriver();
  Status status = allocateThroughMacro(cu, 1 << 20);
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(status.code(), StatusCode::kOutOfMemory);
  const std::string &message = status.message();
  EXPECT_NE(message.find("cu.cuMemAlloc(&pointer, bytes) failed"), std::string::npos) << message;
  EXPECT_NE(message.find("CUDA_ERROR_OUT_OF_MEMORY (fake description)"), std::string::npos);
  EXPECT_NE(message.find("allocateThroughMacro"), std::string::npos);
  EXPECT_NE(message.find("StatusTest.cpp:"), std::string::npos);
}

TEST(CuCheckTest, OtherErrorsAreCudaErrors) {
  rt::DriverApi cu = fakeDriver();
  Status status = synchronizeThroughMacro(cu);
  EXPECT_EQ(status.code(), StatusCode::kCudaError);
  EXPECT_NE(status.message().find("cu.cuCtxSynchronize()"), std::string::npos);
}

} // namespace
} // namespace loom
