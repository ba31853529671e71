// Attention and paged attention: hand cases and cross-checks (paged = dense, chunked = whole,
// GQA = repeated KV heads, ragged batch = sequences alone).
#include "frontend/Reference/Attention.h"
#include "frontend/Reference/PagedAttention.h"

#include "TestTensors.h"

#include <cmath>
#include <numeric>

namespace loom::ref {
namespace {

using namespace loom::ref::testing;

/// Rows [begin, end) of a 2-D tensor.
HostTensor rowsOf(const HostTensor &x, int64_t begin, int64_t end) {
  std::vector<float> values(x.floats().begin() + begin * x.dim(1),
                            x.floats().begin() + end * x.dim(1));
  return floats({end - begin, x.dim(1)}, values, x.type());
}

TEST(AttentionTest, HandCase) {
  // One sequence, 2 tokens, 1 head of dim 1, scale 1: row 1 weights e^(q·k).
  AttentionParams params{1, 1, 1, 1.0f, true};
  HostTensor q = floats({2, 1}, {1, 1}), k = floats({2, 1}, {0, std::log(3.0f)});
  HostTensor v = floats({2, 1}, {10, 20});
  HostTensor out = valueOf(attention(q, k, v, ints({2}, {0, 2}), params));
  EXPECT_FLOAT_EQ(out.floats()[0], 10.0f); // causal: only itself
  EXPECT_FLOAT_EQ(out.floats()[1], (10.0f + 3 * 20.0f) / 4);
  params.causal = false;
  HostTensor full = valueOf(attention(q, k, v, ints({2}, {0, 2}), params));
  EXPECT_FLOAT_EQ(full.floats()[0], 17.5f);
}

TEST(AttentionTest, GqaEqualsRepeatedKvHeads) {
  const int64_t tokens = 7, dim = 4;
  AttentionParams gqa{4, 2, dim, 0.5f, true};
  HostTensor q = randomFloats({tokens, 4 * dim}, 1);
  HostTensor k = randomFloats({tokens, 2 * dim}, 2), v = randomFloats({tokens, 2 * dim}, 3);
  // Repeat: head h of the expanded KV is KV head h / 2.
  auto repeat = [&](const HostTensor &x) {
    std::vector<float> values;
    for (int64_t t = 0; t < tokens; ++t)
      for (int64_t h = 0; h < 4; ++h)
        for (int64_t d = 0; d < dim; ++d)
          values.push_back(x.floats()[t * 2 * dim + (h / 2) * dim + d]);
    return floats({tokens, 4 * dim}, values);
  };
  HostTensor starts = ints({3}, {0, 3, 7});
  HostTensor grouped = valueOf(attention(q, k, v, starts, gqa));
  AttentionParams mha{4, 4, dim, 0.5f, true};
  HostTensor repeated = valueOf(attention(q, repeat(k), repeat(v), starts, mha));
  EXPECT_EQ(maxAbsDiff(grouped, repeated), 0.0);
}

TEST(AttentionTest, RaggedBatchEqualsSequencesAloneAndPaddingIsZero) {
  const int64_t dim = 8;
  AttentionParams params{2, 1, dim, 0.35f, true};
  HostTensor q = randomFloats({9, 2 * dim}, 4, ElementType::kBF16);
  HostTensor k = randomFloats({9, dim}, 5, ElementType::kBF16);
  HostTensor v = randomFloats({9, dim}, 6, ElementType::kBF16);
  ThreadPool pool(2);
  HostTensor batch = valueOf(attention(q, k, v, ints({3}, {0, 5, 8}), params, &pool));
  HostTensor first = valueOf(
      attention(rowsOf(q, 0, 5), rowsOf(k, 0, 5), rowsOf(v, 0, 5), ints({2}, {0, 5}), params));
  HostTensor second = valueOf(
      attention(rowsOf(q, 5, 8), rowsOf(k, 5, 8), rowsOf(v, 5, 8), ints({2}, {0, 3}), params));
  EXPECT_EQ(maxAbsDiff(rowsOf(batch, 0, 5), first), 0.0);
  EXPECT_EQ(maxAbsDiff(rowsOf(batch, 5, 8), second), 0.0);
  for (float value : batch.row(8))
    EXPECT_EQ(value, 0.0f); // row 8 is after seq_starts[B]
  EXPECT_EQ(batch.type(), ElementType::kBF16);
  EXPECT_FALSE(attention(q, k, v, ints({2}, {1, 5}), params).isOk());
  EXPECT_FALSE(attention(q, k, v, ints({3}, {0, 5, 3}), params).isOk());
}

/// A paged setup: a pool with `blockSize`-token blocks and sequences whose tokens live in
/// shuffled, non-contiguous blocks.
struct PagedFixture {
  static constexpr int64_t kBlockSize = 4, kBlocks = 16, kKvHeads = 2, kHeads = 4, kDim = 8;
  AttentionParams params{kHeads, kKvHeads, kDim, 0.3f, true};
  HostKVCache cache = valueOf(HostKVCache::create(
      {2, kBlocks, kBlockSize, kKvHeads, kDim, ElementType::kBF16}));
  std::vector<std::vector<int64_t>> tables{{13, 2, 7, 9}, {5, 0, 11, 3}};

  int64_t slotOf(size_t seq, int64_t position) const {
    return tables[seq][position / kBlockSize] * kBlockSize + position % kBlockSize;
  }
  HostTensor blockTables() const {
    std::vector<int64_t> flat;
    for (const auto &table : tables)
      flat.insert(flat.end(), table.begin(), table.end());
    return ints({static_cast<int64_t>(tables.size()), 4}, flat);
  }
  /// Appends rows [begin, end) of sequence `seq`'s k/v (positions begin..end-1) to layer 1.
  void append(size_t seq, const HostTensor &k, const HostTensor &v, int64_t begin, int64_t end) {
    std::vector<int64_t> slots;
    for (int64_t p = begin; p < end; ++p)
      slots.push_back(slotOf(seq, p));
    ASSERT_TRUE(kvAppend(cache, 1, rowsOf(k, begin, end), rowsOf(v, begin, end),
                         ints({end - begin}, slots))
                    .isOk());
  }
};

TEST(PagedAttentionTest, PrefillThroughShuffledBlocksEqualsDenseAttention) {
  PagedFixture f;
  const int64_t lengths[2] = {11, 6};
  std::vector<HostTensor> qs, ks, vs;
  for (size_t s = 0; s < 2; ++s) {
    qs.push_back(randomFloats({lengths[s], 4 * 8}, 10 + s, ElementType::kBF16));
    ks.push_back(randomFloats({lengths[s], 2 * 8}, 20 + s, ElementType::kBF16));
    vs.push_back(randomFloats({lengths[s], 2 * 8}, 30 + s, ElementType::kBF16));
    f.append(s, ks[s], vs[s], 0, lengths[s]);
  }
  std::vector<float> queries(qs[0].floats().begin(), qs[0].floats().end());
  queries.insert(queries.end(), qs[1].floats().begin(), qs[1].floats().end());
  HostTensor q = floats({17, 32}, queries, ElementType::kBF16);
  ThreadPool pool(2);
  HostTensor paged = valueOf(pagedAttention(q, f.cache, 1, f.blockTables(), ints({3}, {0, 11, 17}),
                                            ints({2}, {11, 6}), f.params, &pool));
  for (size_t s = 0; s < 2; ++s) {
    HostTensor dense = valueOf(
        attention(qs[s], ks[s], vs[s], ints({2}, {0, lengths[s]}), f.params));
    EXPECT_EQ(maxAbsDiff(rowsOf(paged, s == 0 ? 0 : 11, s == 0 ? 11 : 17), dense), 0.0) << s;
  }
  // Layer 0 was never written: attending there gives zeros, so the layer index matters.
  HostTensor layer0 = valueOf(pagedAttention(q, f.cache, 0, f.blockTables(),
                                             ints({3}, {0, 11, 17}), ints({2}, {11, 6}), f.params));
  EXPECT_EQ(*std::ranges::max_element(layer0.floats()), 0.0f);
}

TEST(PagedAttentionTest, ChunkedPrefillAndDecodeEqualWholePrefill) {
  PagedFixture f;
  const int64_t length = 13;
  HostTensor q = randomFloats({length, 32}, 1, ElementType::kBF16);
  HostTensor k = randomFloats({length, 16}, 2, ElementType::kBF16);
  HostTensor v = randomFloats({length, 16}, 3, ElementType::kBF16);
  f.append(0, k, v, 0, length);
  HostTensor whole = valueOf(pagedAttention(q, f.cache, 1, f.blockTables(), ints({3}, {0, 13, 13}),
                                            ints({2}, {13, 0}), f.params));
  // Chunks [0,5), [5,12), [12,13) — each sees the context appended so far.
  PagedFixture chunked;
  for (auto [begin, end] : {std::pair<int64_t, int64_t>{0, 5}, {5, 12}, {12, 13}}) {
    chunked.append(0, k, v, begin, end);
    HostTensor out = valueOf(pagedAttention(rowsOf(q, begin, end), chunked.cache, 1,
                                            chunked.blockTables(), ints({3}, {0, end - begin, end - begin}),
                                            ints({2}, {end, 0}), chunked.params));
    EXPECT_EQ(maxAbsDiff(out, rowsOf(whole, begin, end)), 0.0) << begin;
  }
}

TEST(PagedAttentionTest, BadInputsAreErrors) {
  PagedFixture f;
  HostTensor q = randomFloats({3, 32}, 1, ElementType::kBF16);
  HostTensor tables = f.blockTables();
  // context shorter than the queries
  EXPECT_FALSE(pagedAttention(q, f.cache, 1, tables, ints({3}, {0, 3, 3}), ints({2}, {2, 0}),
                              f.params).isOk());
  // context needing more blocks than a row holds
  EXPECT_FALSE(pagedAttention(q, f.cache, 1, tables, ints({3}, {0, 3, 3}), ints({2}, {17, 0}),
                              f.params).isOk());
  // block id outside the pool
  f.tables[0][0] = 16;
  EXPECT_FALSE(pagedAttention(q, f.cache, 1, f.blockTables(), ints({3}, {0, 3, 3}),
                              ints({2}, {3, 0}), f.params).isOk());
  // query of another type than the cache
  EXPECT_FALSE(pagedAttention(randomFloats({3, 32}, 1), f.cache, 1, tables, ints({3}, {0, 3, 3}),
                              ints({2}, {3, 0}), f.params).isOk());
  // kv_append to a slot outside the pool
  HostTensor k = randomFloats({1, 16}, 2, ElementType::kBF16);
  EXPECT_FALSE(kvAppend(f.cache, 1, k, k, ints({1}, {64})).isOk());
  EXPECT_FALSE(kvAppend(f.cache, 2, k, k, ints({1}, {0})).isOk());
}

} // namespace
} // namespace loom::ref
