// BlockManager: slots, sharing, reference counts, chained-hash matching, LRU eviction.
#include "runtime/Engine/BlockManager.h"

#include <gtest/gtest.h>

#include <memory>

namespace loom::rt {
namespace {

class BlockManagerTest : public ::testing::Test {
protected:
  std::shared_ptr<Sequence> makeSeq(std::vector<TokenId> tokens) {
    RequestId id = nextId_++;
    return std::make_shared<Sequence>(id, std::move(tokens), params_, id);
  }
  /// Allocates and pretends the model computed every token.
  std::shared_ptr<Sequence> computed(BlockManager &manager, std::vector<TokenId> tokens) {
    auto seq = makeSeq(std::move(tokens));
    EXPECT_TRUE(manager.canAllocate(*seq));
    manager.allocate(*seq);
    seq->setNumComputedTokens(seq->size());
    manager.cacheComputedBlocks(*seq);
    return seq;
  }

  std::shared_ptr<const SamplingParams> params_ = std::make_shared<SamplingParams>();
  RequestId nextId_ = 0;
};

TEST_F(BlockManagerTest, AllocatesBlocksForAllTokensAndMapsSlots) {
  BlockManager manager(8, 4);
  auto seq = makeSeq({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  EXPECT_EQ(manager.allocate(*seq), 0);
  ASSERT_EQ(seq->blockTable().size(), 3u);
  EXPECT_EQ(manager.numFreeBlocks(), 5);
  BlockId second = seq->blockTable()[1];
  EXPECT_EQ(manager.slotIndex(*seq, 5), second * 4 + 1);
  EXPECT_EQ(manager.slotIndex(*seq, 9), seq->blockTable()[2] * 4 + 1);
  for (BlockId block : seq->blockTable())
    EXPECT_EQ(manager.refCount(block), 1);
}

TEST_F(BlockManagerTest, SharesMatchingFullPrefixBlocks) {
  BlockManager manager(8, 4);
  auto a = computed(manager, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  EXPECT_TRUE(manager.isCached(a->blockTable()[0]));
  EXPECT_TRUE(manager.isCached(a->blockTable()[1]));
  EXPECT_FALSE(manager.isCached(a->blockTable()[2])); // partial: never cached

  auto b = makeSeq({1, 2, 3, 4, 5, 6, 7, 8, 42, 43, 44});
  EXPECT_EQ(manager.allocate(*b), 8);
  EXPECT_EQ(b->numComputedTokens(), 8);
  EXPECT_EQ(b->blockTable()[0], a->blockTable()[0]);
  EXPECT_EQ(b->blockTable()[1], a->blockTable()[1]);
  EXPECT_NE(b->blockTable()[2], a->blockTable()[2]);
  EXPECT_EQ(manager.refCount(a->blockTable()[0]), 2);
  EXPECT_EQ(manager.refCount(a->blockTable()[1]), 2);
  EXPECT_EQ(manager.refCount(b->blockTable()[2]), 1);
  EXPECT_EQ(manager.numFreeBlocks(), 8 - 4);

  manager.free(*a);
  EXPECT_EQ(manager.refCount(b->blockTable()[0]), 1);
  EXPECT_EQ(manager.numFreeBlocks(), 8 - 3);
  manager.free(*b);
  EXPECT_EQ(manager.numFreeBlocks(), 8);
  EXPECT_EQ(manager.numCachedFreeBlocks(), 2);
  EXPECT_TRUE(b->blockTable().empty());
  EXPECT_EQ(b->numComputedTokens(), 0);
}

TEST_F(BlockManagerTest, PartialMismatchSharesOnlyTheMatchingPrefix) {
  BlockManager manager(8, 4);
  auto a = computed(manager, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto b = makeSeq({1, 2, 3, 4, 5, 6, 7, 99, 9});
  EXPECT_EQ(manager.allocate(*b), 4);
  EXPECT_EQ(b->blockTable()[0], a->blockTable()[0]);
  EXPECT_NE(b->blockTable()[1], a->blockTable()[1]);
  EXPECT_EQ(manager.refCount(a->blockTable()[1]), 1);
}

TEST_F(BlockManagerTest, EqualBlockAfterDifferentPrefixIsNotShared) {
  BlockManager manager(12, 4);
  auto a = computed(manager, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  // Block 1 has A's block-1 tokens, but block 0 differs: the chain differs.
  auto b = makeSeq({0, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(manager.allocate(*b), 0);
  // A's block 1 tokens as B's first block: same tokens, different parent.
  auto c = makeSeq({5, 6, 7, 8, 5, 6, 7, 8, 1});
  EXPECT_EQ(manager.allocate(*c), 0);
}

TEST_F(BlockManagerTest, HashHitIsVerifiedAgainstTheTokens) {
  // Every block at the same index collides: only the token check tells them apart.
  BlockHasher byPosition = [](std::optional<uint64_t> parent, std::span<const TokenId>) {
    return parent ? *parent + 1 : 0;
  };
  BlockManager manager(8, 4, byPosition);
  auto a = computed(manager, {1, 1, 1, 1, 2, 2, 2, 2, 3});
  auto b = makeSeq({1, 1, 1, 1, 5, 5, 5, 5, 3});
  EXPECT_EQ(manager.allocate(*b), 4);
  EXPECT_EQ(b->blockTable()[0], a->blockTable()[0]);
  EXPECT_NE(b->blockTable()[1], a->blockTable()[1]);
  auto c = makeSeq({9, 9, 9, 9, 2, 2, 2, 2, 3});
  EXPECT_EQ(manager.allocate(*c), 0);
}

TEST_F(BlockManagerTest, LastTokenIsNeverAHit) {
  BlockManager manager(8, 4);
  auto a = computed(manager, {1, 2, 3, 4, 5, 6, 7, 8});
  auto b = makeSeq({1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(manager.allocate(*b), 4); // block 1 holds the last token
  EXPECT_EQ(b->numUncomputedTokens(), 4);
  EXPECT_NE(b->blockTable()[1], a->blockTable()[1]);
}

TEST_F(BlockManagerTest, FreedCachedBlocksAreReusedUntilEvicted) {
  BlockManager manager(4, 2);
  auto a = computed(manager, {1, 2, 3, 4, 5});
  std::vector<BlockId> aBlocks = a->blockTable();
  manager.free(*a);
  EXPECT_EQ(manager.numFreeBlocks(), 4);
  EXPECT_EQ(manager.numCachedFreeBlocks(), 2);

  auto again = makeSeq({1, 2, 3, 4, 5});
  EXPECT_EQ(manager.allocate(*again), 4);
  EXPECT_EQ(again->blockTable()[0], aBlocks[0]);
  EXPECT_EQ(again->blockTable()[1], aBlocks[1]);
  EXPECT_EQ(manager.numCachedFreeBlocks(), 0);
  EXPECT_EQ(manager.refCount(aBlocks[0]), 1);
}

TEST_F(BlockManagerTest, EvictsEmptyBlocksFirstThenLeastRecentlyReleased) {
  BlockManager manager(6, 2);
  auto a = computed(manager, {1, 1, 2, 2, 9}); // A0 A1 cached, A2 partial
  auto b = computed(manager, {3, 3, 4, 4, 9}); // B0 B1 cached, B2 partial
  std::vector<BlockId> aBlocks = a->blockTable(), bBlocks = b->blockTable();
  manager.free(*a); // LRU: A1 A0 (tail first)
  manager.free(*b); // LRU: A1 A0 B1 B0
  EXPECT_EQ(manager.numCachedFreeBlocks(), 4);

  auto d = makeSeq({7, 7, 7}); // two blocks: the two empty partial blocks
  manager.allocate(*d);
  EXPECT_EQ(manager.numCachedFreeBlocks(), 4);

  auto e = makeSeq({8}); // evicts A1
  manager.allocate(*e);
  EXPECT_EQ(e->blockTable()[0], aBlocks[1]);
  EXPECT_FALSE(manager.isCached(aBlocks[1]));
  EXPECT_TRUE(manager.isCached(aBlocks[0]));

  // A hit on A0 then its release makes A0 the most recently used.
  auto f = makeSeq({1, 1, 5});
  EXPECT_EQ(manager.allocate(*f), 2);
  EXPECT_EQ(f->blockTable()[1], bBlocks[1]); // evicted B1, the next in line
  manager.free(*f); // LRU: B0 (f's tail block is no longer cached) A0
  auto g = makeSeq({6}); // f's empty tail block first
  manager.allocate(*g);
  EXPECT_EQ(g->blockTable()[0], bBlocks[1]);
  auto h = makeSeq({6}); // then B0, released before A0
  manager.allocate(*h);
  EXPECT_EQ(h->blockTable()[0], bBlocks[0]);
  EXPECT_TRUE(manager.isCached(aBlocks[0]));
  EXPECT_EQ(manager.numFreeBlocks(), 1);
}

TEST_F(BlockManagerTest, ReportsExhaustion) {
  BlockManager manager(3, 4);
  auto a = makeSeq({1, 2, 3, 4, 5, 6, 7, 8, 9});
  ASSERT_TRUE(manager.canAllocate(*a));
  manager.allocate(*a);
  EXPECT_FALSE(manager.canAllocate(*makeSeq({1})));
  EXPECT_EQ(manager.numFreeBlocks(), 0);

  // Room left in the last block: appending needs no new block.
  a->appendToken(10);
  EXPECT_TRUE(manager.canAppend(*a));
  manager.appendSlot(*a);
  EXPECT_EQ(a->blockTable().size(), 3u);
  a->appendToken(11);
  a->appendToken(12);
  a->appendToken(13); // position 12 starts block 3
  EXPECT_FALSE(manager.canAppend(*a));
  manager.free(*a);
  EXPECT_EQ(manager.numFreeBlocks(), 3);
}

TEST_F(BlockManagerTest, AppendSlotAddsABlockAtTheBoundary) {
  BlockManager manager(4, 4);
  auto a = makeSeq({1, 2, 3, 4});
  manager.allocate(*a);
  a->appendToken(5);
  ASSERT_TRUE(manager.canAppend(*a));
  manager.appendSlot(*a);
  ASSERT_EQ(a->blockTable().size(), 2u);
  EXPECT_EQ(manager.slotIndex(*a, 4), a->blockTable()[1] * 4);
  EXPECT_EQ(manager.numFreeBlocks(), 2);
}

TEST_F(BlockManagerTest, CanAllocateCountsHitsOnReferencedBlocks) {
  BlockManager small(3, 4);
  auto a = computed(small, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_FALSE(small.canAllocate(*makeSeq({1, 2, 3, 4, 5, 6, 7, 8, 9})));

  BlockManager roomy(4, 4);
  auto b = computed(roomy, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto c = makeSeq({1, 2, 3, 4, 5, 6, 7, 8, 9});
  ASSERT_TRUE(roomy.canAllocate(*c)); // 3 blocks, 2 shared: needs 1
  EXPECT_EQ(roomy.allocate(*c), 8);
  EXPECT_EQ(roomy.numFreeBlocks(), 0);
}

TEST_F(BlockManagerTest, CountsHitsAndMissesInBlocksAndTokens) {
  BlockManager manager(16, 4);
  computed(manager, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}); // 2 candidate blocks, 0 hits
  auto b = makeSeq({1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13});
  manager.allocate(*b); // 3 candidate blocks, 1 hit
  const PrefixCacheStats &stats = manager.stats();
  EXPECT_EQ(stats.hitBlocks, 1);
  EXPECT_EQ(stats.missBlocks, 2 + 2);
  EXPECT_EQ(stats.hitTokens, 4);
  EXPECT_EQ(stats.missTokens, 10 + 9);
}

TEST_F(BlockManagerTest, DuplicateContentKeepsOneCachedCopy) {
  BlockManager manager(8, 2);
  // Both allocated before either is computed: same content in two blocks.
  auto a = makeSeq({1, 2, 3});
  auto b = makeSeq({1, 2, 3});
  manager.allocate(*a);
  manager.allocate(*b);
  for (auto *seq : {a.get(), b.get()}) {
    seq->setNumComputedTokens(3);
    manager.cacheComputedBlocks(*seq);
  }
  EXPECT_FALSE(manager.isCached(a->blockTable()[0]));
  BlockId kept = b->blockTable()[0];
  EXPECT_TRUE(manager.isCached(kept));
  manager.free(*a);
  manager.free(*b);
  EXPECT_EQ(manager.numCachedFreeBlocks(), 1);
  EXPECT_EQ(manager.numFreeBlocks(), 8);
  auto c = makeSeq({1, 2, 3});
  EXPECT_EQ(manager.allocate(*c), 2);
  EXPECT_EQ(c->blockTable()[0], kept);
}

} // namespace
} // namespace loom::rt
