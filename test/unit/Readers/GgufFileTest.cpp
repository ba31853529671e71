// GGUF container: every metadata type, the tensor table, and malformed files.
#include "frontend/Readers/GgufFile.h"

#include "test/unit/Readers/GgufWriter.h"
#include "test/unit/Readers/TempDir.h"

#include <gtest/gtest.h>

#include <limits>

namespace loom::frontend {
namespace {

using testing::GgufWriter;
using testing::rawBytes;
using testing::TempDir;

StatusOr<GgufFile> parseBytes(const std::string &bytes) {
  return testing::parseGguf(bytes, "test.gguf");
}

/// Expects parsing to fail with a message that names the file and contains `fragment`.
void expectError(const std::string &bytes, std::string_view fragment) {
  Status status = parseBytes(bytes).status();
  testing::expectErrorContaining(status, fragment);
  testing::expectErrorContaining(status, "test.gguf: ");
}

TEST(GgufFileTest, ReadsEveryMetadataType) {
  GgufWriter writer;
  writer.scalar<uint8_t>("u8", 0, 200);
  writer.scalar<int8_t>("i8", 1, -100);
  writer.scalar<uint16_t>("u16", 2, 60000);
  writer.scalar<int16_t>("i16", 3, -30000);
  writer.scalar<uint32_t>("u32", 4, 4000000000u);
  writer.scalar<int32_t>("i32", 5, -2000000000);
  writer.scalar<float>("f32", 6, 1.5f);
  writer.scalar<bool>("bool", 7, true);
  writer.string("string", "héllo");
  writer.scalar<uint64_t>("u64", 10, std::numeric_limits<uint64_t>::max());
  writer.scalar<int64_t>("i64", 11, -(int64_t(1) << 40));
  writer.scalar<double>("f64", 12, 0.1);
  writer.array<int32_t>("ints", 5, {3, -1, 7});
  writer.array<float>("floats", 6, {0.25f, -2.0f});
  writer.array<bool>("bools", 7, {true, false});
  writer.strings("strings", {"a", "", "ccc"});
  writer.array<uint8_t>("empty", 0, {});
  TempDir dir;
  StatusOr<GgufFile> file = GgufFile::open(dir.write("all.gguf", writer.bytes()));
  ASSERT_TRUE(file.isOk()) << file.status().toString();
  const GgufMetadata &metadata = file->metadata();
  ASSERT_EQ(metadata.entries().size(), 17u);
  EXPECT_EQ(metadata.entries()[0].first, "u8");
  EXPECT_EQ(file->version(), 3u);
  EXPECT_EQ(file->alignment(), 32u);

  EXPECT_EQ(metadata.find("u8")->type(), GgufValueType::kUint8);
  EXPECT_EQ(*metadata.requireInt("u8"), 200);
  EXPECT_EQ(*metadata.requireInt("i8"), -100);
  EXPECT_EQ(*metadata.requireInt("u16"), 60000);
  EXPECT_EQ(*metadata.requireInt("i16"), -30000);
  EXPECT_EQ(*metadata.requireInt("u32"), 4000000000);
  EXPECT_EQ(*metadata.requireInt("i32"), -2000000000);
  EXPECT_EQ(*metadata.requireNumber("f32"), 1.5);
  EXPECT_EQ(metadata.find("f32")->type(), GgufValueType::kFloat32);
  EXPECT_TRUE(*metadata.optionalBool("bool", false));
  EXPECT_EQ(*metadata.requireString("string"), "héllo");
  EXPECT_EQ(*metadata.requireInt("i64"), -(int64_t(1) << 40));
  EXPECT_EQ(*metadata.requireNumber("f64"), 0.1);
  EXPECT_EQ(metadata.find("f64")->type(), GgufValueType::kFloat64);
  // uint64 beyond int64 is kept, but is not an int64.
  EXPECT_EQ(metadata.find("u64")->type(), GgufValueType::kUint64);
  EXPECT_EQ(metadata.find("u64")->describe(), "uint64 18446744073709551615");
  EXPECT_FALSE(metadata.requireInt("u64").isOk());

  EXPECT_EQ(*metadata.requireInts("ints"), (std::vector<int64_t>{3, -1, 7}));
  EXPECT_EQ(metadata.find("ints")->type(), GgufValueType::kInt32);
  EXPECT_TRUE(metadata.find("ints")->isArray());
  EXPECT_EQ(*metadata.requireNumbers("floats"), (std::vector<double>{0.25, -2.0}));
  EXPECT_EQ(metadata.find("bools")->type(), GgufValueType::kBool);
  EXPECT_EQ(metadata.find("bools")->size(), 2u);
  EXPECT_FALSE(metadata.find("bools")->asInts().has_value()) << "bools are not integers";
  EXPECT_EQ(**metadata.requireStrings("strings"), (std::vector<std::string>{"a", "", "ccc"}));
  EXPECT_EQ(metadata.find("empty")->size(), 0u);
  EXPECT_EQ(metadata.find("empty")->describe(), "array of 0 uint8");
}

TEST(GgufFileTest, TypedLookupsNameTheKey) {
  GgufWriter writer;
  writer.string("name", "x");
  writer.scalar<uint32_t>("count", 4, 7);
  StatusOr<GgufFile> file = parseBytes(writer.bytes());
  ASSERT_TRUE(file.isOk()) << file.status().toString();
  const GgufMetadata &metadata = file->metadata();
  EXPECT_EQ(metadata.requireInt("name").status().message(),
            "test.gguf: metadata key 'name' must be an integer, got string 'x'");
  EXPECT_EQ(metadata.requireString("absent").status().message(),
            "test.gguf: missing required metadata key 'absent'");
  EXPECT_EQ(metadata.requireStrings("count").status().message(),
            "test.gguf: metadata key 'count' must be an array of strings, got uint32 7");
  EXPECT_EQ(*metadata.optionalInt("absent", 9), 9);
  EXPECT_FALSE(metadata.optionalBool("count", true).isOk());
}

TEST(GgufFileTest, TensorTableShapesAndAlignment) {
  GgufWriter writer;
  writer.alignment = 64;
  writer.scalar<uint32_t>("general.alignment", 4, 64);
  writer.tensor("a", {3, 2}, 0, rawBytes<float>({1, 2, 3, 4, 5, 6}));
  writer.tensor("b", {4}, 0, rawBytes<float>({7, 8, 9, 10}));
  StatusOr<GgufFile> file = parseBytes(writer.bytes());
  ASSERT_TRUE(file.isOk()) << file.status().toString();
  EXPECT_EQ(file->alignment(), 64u);
  EXPECT_EQ(file->dataOffset() % 64, 0u);
  ASSERT_EQ(file->tensors().size(), 2u);
  const GgufTensorInfo *a = file->findTensor("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->shape, (std::vector<int64_t>{2, 3})) << "GGUF dims are fastest-first";
  EXPECT_EQ(a->numElements, 6);
  EXPECT_EQ(a->bytes, 24u);
  EXPECT_EQ(a->type->name, "F32");
  EXPECT_EQ(file->findTensor("b")->offset, 64u);
  EXPECT_EQ(file->findTensor("missing"), nullptr);
  StatusOr<std::vector<float>> values = file->dequantize(*file->findTensor("b"));
  ASSERT_TRUE(values.isOk()) << values.status().toString();
  EXPECT_EQ(*values, (std::vector<float>{7, 8, 9, 10}));
}

TEST(GgufFileTest, RejectsBadHeaders) {
  GgufWriter good;
  good.string("general.architecture", "llama");
  std::string bytes = good.bytes();

  expectError("", "not a GGUF file");
  expectError("GGU", "not a GGUF file");
  std::string wrongMagic = bytes;
  wrongMagic[0] = 'X';
  expectError(wrongMagic, "not a GGUF file: it starts with \"XGUF\"");
  GgufWriter v2 = good;
  v2.version = 2;
  expectError(v2.bytes(), "unsupported GGUF version 2 (only version 3 is supported)");
  GgufWriter bigEndian = good;
  bigEndian.version = 0x03000000;
  expectError(bigEndian.bytes(), "big-endian");
  for (size_t cut : {5u, 10u, 20u})
    expectError(bytes.substr(0, cut), "truncated");
  expectError(bytes.substr(0, 30), "header declares 1 metadata entries, more than the 6 bytes");
  // 24 header bytes, key (8 + 20), type (4), value (8 + 5): cut inside "llama".
  expectError(bytes.substr(0, 68),
              "the value of metadata key 'general.architecture': the string of "
              "length 5 at byte 56 runs past the end of the file (4 bytes "
              "remain)");
  EXPECT_TRUE(parseBytes(bytes.substr(0, 69)).isOk()) << "no tensors: no data section needed";
}

TEST(GgufFileTest, RejectsCountsThatCannotFit) {
  GgufWriter writer;
  writer.rawMetadata("", 1'000'000'000'000ull);
  expectError(writer.bytes(), "header declares 1000000000000 metadata entries");
  GgufWriter hugeArray;
  std::string entry;
  GgufWriter::str(entry, "big");
  GgufWriter::pod<uint32_t>(entry, 9);
  GgufWriter::pod<uint32_t>(entry, 8);
  GgufWriter::pod<uint64_t>(entry, uint64_t(1) << 60);
  hugeArray.rawMetadata(entry, 1);
  expectError(hugeArray.bytes(), "metadata key 'big' claims 1152921504606846976 string items");
}

TEST(GgufFileTest, RejectsMalformedMetadata) {
  GgufWriter unknownType;
  std::string entry;
  GgufWriter::str(entry, "weird");
  GgufWriter::pod<uint32_t>(entry, 13);
  GgufWriter::pod<uint32_t>(entry, 0);
  unknownType.rawMetadata(entry, 1);
  expectError(unknownType.bytes(), "the value of metadata key 'weird' has unknown value type 13");

  GgufWriter nested;
  entry.clear();
  GgufWriter::str(entry, "nested");
  GgufWriter::pod<uint32_t>(entry, 9);
  GgufWriter::pod<uint32_t>(entry, 9);
  GgufWriter::pod<uint64_t>(entry, 0);
  nested.rawMetadata(entry, 1);
  expectError(nested.bytes(), "'nested' is an array of arrays");

  GgufWriter duplicate;
  duplicate.string("k", "a");
  duplicate.string("k", "b");
  expectError(duplicate.bytes(), "metadata key 'k' appears more than once");

  GgufWriter badAlignment;
  badAlignment.scalar<uint32_t>("general.alignment", 4, 48);
  expectError(badAlignment.bytes(), "general.alignment must be a power of two, got 48");
  GgufWriter alignmentType;
  alignmentType.scalar<uint64_t>("general.alignment", 10, 32);
  expectError(alignmentType.bytes(), "'general.alignment' must be a uint32, got uint64 32");
}

TEST(GgufFileTest, RejectsBadTensors) {
  auto oneTensor = [](std::vector<uint64_t> dims, uint32_t type, std::string data,
                      std::optional<uint64_t> offset = std::nullopt) {
    GgufWriter writer;
    writer.tensor("w", std::move(dims), type, std::move(data), offset);
    return writer.bytes();
  };
  std::string fourFloats = rawBytes<float>({1, 2, 3, 4});
  expectError(oneTensor({4}, 99, fourFloats), "tensor 'w' has unknown ggml type id 99");
  expectError(oneTensor({4}, 4, fourFloats), "tensor 'w' has unknown ggml type id 4");
  expectError(oneTensor({}, 0, fourFloats), "tensor 'w' has 0 dimensions");
  expectError(oneTensor({1, 1, 1, 1, 4}, 0, fourFloats), "tensor 'w' has 5 dimensions");
  expectError(oneTensor({4, 0}, 0, fourFloats), "invalid dimension 1 = 0");
  expectError(oneTensor({uint64_t(1) << 62, 8}, 0, fourFloats),
              "product of its dimensions overflows");
  expectError(oneTensor({uint64_t(1) << 61}, 0, fourFloats), "byte size overflows");
  expectError(oneTensor({16}, 8, std::string(34, '\0')),
              "row length 16 is not a multiple of the Q8_0 block size 32");
  expectError(oneTensor({4}, 0, fourFloats, 8),
              "offset 8, which is not a multiple of the alignment 32");

  std::string truncated = oneTensor({4}, 0, fourFloats);
  truncated.resize(truncated.size() - 1);
  expectError(truncated, "tensor 'w' needs bytes [0, 16) of the data section, which has only 15");
  expectError(oneTensor({4}, 0, "", uint64_t(1) << 63),
              "needs bytes [9223372036854775808, 9223372036854775824) of the data section");

  GgufWriter overlap;
  overlap.tensor("first", {16}, 0, std::string(64, '\0'), 0);
  overlap.tensor("second", {8}, 0, std::string(32, '\0'), 32);
  expectError(overlap.bytes(), "tensors 'first' and 'second' overlap");

  GgufWriter duplicate;
  duplicate.tensor("w", {4}, 0, fourFloats);
  duplicate.tensor("w", {4}, 0, fourFloats);
  expectError(duplicate.bytes(), "tensor name 'w' appears more than once");

  GgufWriter noData;
  noData.tensor("w", {4}, 0, fourFloats);
  std::string header = noData.bytes();
  header.resize(header.size() - 16 - 1); // ends inside the padding before the data section
  expectError(header, "the data section would start at byte");
}

TEST(GgufFileTest, UndequantizableTypeNamesTensorAndType) {
  GgufWriter writer;
  writer.tensor("blk.0.ffn_up.weight", {256}, 14, std::string(210, '\0'));
  StatusOr<GgufFile> file = parseBytes(writer.bytes());
  ASSERT_TRUE(file.isOk()) << file.status().toString();
  StatusOr<std::vector<float>> values = file->dequantize(file->tensors()[0]);
  ASSERT_FALSE(values.isOk());
  EXPECT_EQ(values.status().message(),
            "test.gguf: tensor 'blk.0.ffn_up.weight' has type Q6_K (ggml type 14), which Loom "
            "cannot dequantize (supported: F32, F16, Q4_0, Q4_1, Q8_0, BF16)");
}

TEST(GgufFileTest, OpenReportsMissingFile) {
  StatusOr<GgufFile> file = GgufFile::open("/nonexistent/model.gguf");
  ASSERT_FALSE(file.isOk());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
}

} // namespace
} // namespace loom::frontend
