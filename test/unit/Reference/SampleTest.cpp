// graph.sample reference: greedy, filters, determinism, and the empirical distribution.
#include "frontend/Reference/Sample.h"

#include "TestTensors.h"

#include <cmath>

namespace loom::ref {
namespace {

using namespace loom::ref::testing;

struct Row {
  float temperature;
  int64_t topK;
  float topP, minP;
  int64_t seed;
};

HostTensor sampleRows(const HostTensor &logits, const std::vector<Row> &rows) {
  std::vector<float> t, p, m;
  std::vector<int64_t> k, s;
  for (const Row &row : rows) {
    t.push_back(row.temperature);
    k.push_back(row.topK);
    p.push_back(row.topP);
    m.push_back(row.minP);
    s.push_back(row.seed);
  }
  int64_t n = static_cast<int64_t>(rows.size());
  return valueOf(sample(logits, floats({n}, t), ints({n}, k), floats({n}, p), floats({n}, m),
                        ints({n}, s, ElementType::kI64)));
}

TEST(SampleTest, GreedyAndTopOneAreArgmax) {
  HostTensor logits = floats({3, 4}, {0, 2, 2, 1, 5, 0, 0, 0, -1, -1, 3, -1});
  HostTensor ids = sampleRows(logits, {{0, 0, 1, 0, 7}, {1.0f, 1, 1, 0, 123}, {2.0f, 0, 0.01f, 0, 9}});
  EXPECT_EQ(ids.ints()[0], 1); // tie: lowest index
  EXPECT_EQ(ids.ints()[1], 0); // top-k 1
  EXPECT_EQ(ids.ints()[2], 2); // top-p keeps only the most likely
}

TEST(SampleTest, SameSeedSameTokenAndDistributionFollowsSoftmax) {
  // p = [1/4, 3/4] over tokens 0, 1.
  const int draws = 4000;
  std::vector<float> values;
  std::vector<Row> rows;
  for (int i = 0; i < draws; ++i) {
    values.insert(values.end(), {0.0f, std::log(3.0f)});
    rows.push_back({1.0f, 0, 1.0f, 0.0f, i});
  }
  HostTensor logits = floats({draws, 2}, values);
  HostTensor first = sampleRows(logits, rows);
  HostTensor second = sampleRows(logits, rows);
  int ones = 0;
  for (int i = 0; i < draws; ++i) {
    EXPECT_EQ(first.ints()[i], second.ints()[i]);
    ones += first.ints()[i] == 1;
  }
  EXPECT_NEAR(ones / double(draws), 0.75, 0.03);
  // min_p 0.5 drops token 0 (1/4 < 0.5 · 3/4): always token 1.
  for (Row &row : rows)
    row.minP = 0.5f;
  HostTensor filtered = sampleRows(logits, rows);
  for (int i = 0; i < draws; ++i)
    ASSERT_EQ(filtered.ints()[i], 1);
}

TEST(SampleTest, InvalidParametersNameTheRow) {
  HostTensor logits = floats({2, 2}, {0, 1, 1, 0});
  auto result = sample(logits, floats({2}, {1.0f, -1.0f}), ints({2}, {0, 0}), floats({2}, {1, 1}),
                       floats({2}, {0, 0}), ints({2}, {0, 0}, ElementType::kI64));
  ASSERT_FALSE(result.isOk());
  EXPECT_NE(result.status().message().find("row 1"), std::string::npos);
  EXPECT_FALSE(sample(logits, floats({2}, {1, 1}), ints({2}, {0, 0}, ElementType::kI64),
                      floats({2}, {1, 1}), floats({2}, {0, 0}), ints({2}, {0, 0}, ElementType::kI64))
                   .isOk());
}

} // namespace
} // namespace loom::ref
