// UTF-8 validation, repair and the stream hold-back rule.
#include "frontend/Readers/Utf8.h"

#include <gtest/gtest.h>

namespace loom::frontend {
namespace {

TEST(Utf8Test, Validity) {
  EXPECT_TRUE(isValidUtf8("héllo 日本 🙂"));
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));         // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));     // surrogate U+D800
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80")); // past U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xE6\x97"));         // cut off
}

TEST(Utf8Test, RepairReplacesMaximalSubparts) {
  EXPECT_EQ(repairUtf8("a\xE6\x97" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(repairUtf8("\xFF\xFE"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(repairUtf8("日"), "日");
}

TEST(Utf8Test, CompletePrefixHoldsBackOnlyAnUnfinishedTail) {
  EXPECT_EQ(completeUtf8Prefix("ab\xE6\x97"), 2u);
  EXPECT_EQ(completeUtf8Prefix("ab\xE6\x97\xA5"), 5u);
  EXPECT_EQ(completeUtf8Prefix("a\xFF"), 2u); // invalid, not incomplete: emit (as U+FFFD)
  EXPECT_EQ(completeUtf8Prefix("\xF0\x9F\x99"), 0u);
}

TEST(Utf8Test, EncodeDecode) {
  EXPECT_EQ(encodeUtf8(U'\u0120'), "\u0120");
  EXPECT_EQ(encodeUtf8(U'\U0001F642'), "🙂");
  EXPECT_EQ(decodeUtf8("\u2581"), U'\u2581');
  EXPECT_EQ(utf8Characters("a日🙂"), (std::vector<std::string_view>{"a", "日", "🙂"}));
}

} // namespace
} // namespace loom::frontend
