// Safetensors: every malformed file is a clear error naming the problem, never a crash.
#include "frontend/Readers/Safetensors.h"
#include "runtime/Support/Files.h"
#include "test/unit/Readers/TempDir.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace loom::frontend {
namespace {

using testing::TempDir;
using testing::safetensorsBytes;
using testing::stories260kDir;

/// Opens `bytes` written to a file and expects an error containing `expected`.
void expectRejected(std::string_view bytes, std::string_view expected) {
  TempDir dir;
  std::string path = dir.write("bad.safetensors", bytes);
  auto file = SafetensorsFile::open(path);
  ASSERT_FALSE(file.isOk()) << "accepted; expected: " << expected;
  EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(file.status().message().find(expected), std::string::npos)
      << file.status().message();
  EXPECT_NE(file.status().message().find(path), std::string::npos)
      << "the message should name the file: " << file.status().message();
}

std::string f32Entry(std::string_view name, std::string_view shape, int begin, int end) {
  return fmt::format(R"("{}":{{"dtype":"F32","shape":{},"data_offsets":[{},{}]}})", name,
                     shape, begin, end);
}

TEST(SafetensorsBadInputTest, FileShorterThanTheLengthField) {
  expectRejected(std::string_view("\x10\x00\x00", 3), "file is 3 bytes, too short for the 8-byte header length");
}

TEST(SafetensorsBadInputTest, HeaderLengthBeyondTheFile) {
  std::string bytes = safetensorsBytes("{}", "");
  bytes[0] = 0x40; // claims a 64-byte header in a 10-byte file
  expectRejected(bytes, "header length 64 runs past the end of the file (10 bytes)");
}

TEST(SafetensorsBadInputTest, HugeHeaderLength) {
  std::string bytes = safetensorsBytes("{}", "");
  bytes[7] = '\x7f';
  expectRejected(bytes, "exceeds the 104857600 byte limit");
}

TEST(SafetensorsBadInputTest, TruncatedRealModel) {
  auto real = readFile(stories260kDir() + "/model.safetensors");
  ASSERT_TRUE(real.isOk()) << real.status().toString();
  expectRejected(std::string_view(*real).substr(0, 1000), "runs past the end of the file");
  // Header intact but the data cut short: the last tensors' offsets lie outside.
  uint64_t headerLength = 0;
  for (int i = 7; i >= 0; --i)
    headerLength = (headerLength << 8) | static_cast<uint8_t>((*real)[i]);
  expectRejected(std::string_view(*real).substr(0, 8 + headerLength + 4096),
                 "run past the data section (4096 bytes)");
}

TEST(SafetensorsBadInputTest, MalformedJson) {
  expectRejected(safetensorsBytes(R"({"a": {"dtype": )", ""), "header: malformed JSON");
}

TEST(SafetensorsBadInputTest, HeaderNotAnObject) {
  expectRejected(safetensorsBytes("[1, 2]", ""), "header must be a JSON object, got [1,2]");
}

TEST(SafetensorsBadInputTest, OffsetsPastTheData) {
  expectRejected(safetensorsBytes("{" + f32Entry("w", "[16]", 0, 64) + "}", std::string(16, 0)),
                 "tensor 'w': data_offsets [0, 64] run past the data section (16 bytes)");
}

TEST(SafetensorsBadInputTest, BeginAfterEnd) {
  expectRejected(safetensorsBytes("{" + f32Entry("w", "[0]", 8, 4) + "}", std::string(16, 0)),
                 "tensor 'w': data_offsets begin 8 is after end 4");
}

TEST(SafetensorsBadInputTest, OverlappingTensors) {
  std::string header = "{" + f32Entry("a", "[4]", 0, 16) + "," + f32Entry("b", "[4]", 8, 24) + "}";
  expectRejected(safetensorsBytes(header, std::string(24, 0)),
                 "tensors 'a' [0, 16] and 'b' [8, 24] overlap");
}

TEST(SafetensorsBadInputTest, UnknownDtype) {
  expectRejected(
      safetensorsBytes(R"({"w":{"dtype":"F8_E9","shape":[4],"data_offsets":[0,4]}})",
                       std::string(4, 0)),
      "tensor 'w': unknown dtype 'F8_E9'");
}

TEST(SafetensorsBadInputTest, ShapeDisagreesWithSize) {
  expectRejected(safetensorsBytes("{" + f32Entry("w", "[2,3]", 0, 16) + "}", std::string(16, 0)),
                 "tensor 'w': shape [2,3] of F32 needs 24 bytes but data_offsets [0, 16] hold 16");
}

TEST(SafetensorsBadInputTest, ShapeProductOverflows) {
  std::string header =
      "{" + f32Entry("w", "[4294967296,4294967296,4294967296]", 0, 16) + "}";
  expectRejected(safetensorsBytes(header, std::string(16, 0)),
                 "shape [4294967296,4294967296,4294967296] is too large");
}

TEST(SafetensorsBadInputTest, NegativeDimension) {
  expectRejected(safetensorsBytes("{" + f32Entry("w", "[-4]", 0, 16) + "}", std::string(16, 0)),
                 "tensor 'w': shape [-4] must hold non-negative integers");
}

TEST(SafetensorsBadInputTest, MissingOffsets) {
  expectRejected(safetensorsBytes(R"({"w":{"dtype":"F32","shape":[1]}})", std::string(4, 0)),
                 "tensor 'w': missing required field 'data_offsets'");
}

TEST(SafetensorsBadInputTest, MetadataMustHoldStrings) {
  expectRejected(safetensorsBytes(R"({"__metadata__":{"n":3}})", ""),
                 "__metadata__ value 'n' must be a string, got 3");
}

TEST(SafetensorsBadInputTest, MissingFileIsNotFound) {
  auto file = SafetensorsFile::open("/nonexistent/loom/model.safetensors");
  ASSERT_FALSE(file.isOk());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
  EXPECT_NE(file.status().message().find("cannot open /nonexistent/loom/model.safetensors"),
            std::string::npos);
}

} // namespace
} // namespace loom::frontend
