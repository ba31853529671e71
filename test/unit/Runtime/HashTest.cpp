// SHA-256 against FIPS 180-4 vectors; checksum64 sensitivity.
#include "runtime/Support/Hash.h"

#include <gtest/gtest.h>

#include <string>

namespace loom {
namespace {

TEST(HashTest, Sha256MatchesStandardVectors) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(HashTest, Sha256IncrementalEqualsOneShot) {
  std::string text(300, 'x');
  for (size_t i = 0; i < text.size(); ++i)
    text[i] = char('a' + i % 26);
  Sha256 pieces;
  pieces.update(text.substr(0, 1));
  pieces.update(text.substr(1, 63));
  pieces.update(text.substr(64, 100));
  pieces.update(text.substr(164));
  EXPECT_EQ(pieces.hexDigest(), sha256Hex(text));
}

TEST(HashTest, FieldsAreLengthDelimited) {
  Sha256 first, second;
  first.updateField("ab");
  first.updateField("c");
  second.updateField("a");
  second.updateField("bc");
  EXPECT_NE(first.hexDigest(), second.hexDigest());
}

TEST(HashTest, Checksum64DetectsSingleBitFlipsAndTruncation) {
  std::string data(4099, '\0');
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = char(i * 131 + 7);
  uint64_t reference = checksum64(data.data(), data.size());
  EXPECT_EQ(reference, checksum64(data.data(), data.size()));
  for (size_t position : {size_t(0), size_t(31), size_t(32), size_t(2048), data.size() - 1}) {
    std::string flipped = data;
    flipped[position] ^= 0x10;
    EXPECT_NE(checksum64(flipped.data(), flipped.size()), reference) << position;
  }
  EXPECT_NE(checksum64(data.data(), data.size() - 1), reference);
}

} // namespace
} // namespace loom
