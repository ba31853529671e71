// checkLogitsRows (CPU): rows inside [0, limit) pass; a negative row or one at the limit is
// kInvalidArgument naming the row and the limit.
#include "runtime/Serving/LogitsRows.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

SamplerRows rowsReading(std::vector<int32_t> logitsRows) {
  SamplerRows rows;
  for (int32_t logitsRow : logitsRows) {
    SamplerRow row;
    row.logitsRow = logitsRow;
    rows.rows.push_back(row);
  }
  return rows;
}

TEST(LogitsRowsTest, RowsInsideTheLimitPass) {
  EXPECT_TRUE(checkLogitsRows(rowsReading({0, 3, 1}), 4, "logits").isOk());
  EXPECT_TRUE(checkLogitsRows(rowsReading({}), 0, "logits").isOk());
}

TEST(LogitsRowsTest, ANegativeRowIsInvalid) {
  Status status = checkLogitsRows(rowsReading({0, -1}), 4, "the greedy rows' logits");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("sampled row 1 reads logits row -1, outside the 4 rows of "
                                  "the greedy rows' logits"),
            std::string::npos)
      << status.toString();
}

TEST(LogitsRowsTest, ARowAtTheLimitIsInvalid) {
  Status status = checkLogitsRows(rowsReading({4}), 4, "logits");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("logits row 4, outside the 4 rows"), std::string::npos)
      << status.toString();
}

} // namespace
} // namespace loom::rt
