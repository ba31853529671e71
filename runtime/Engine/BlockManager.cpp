// BlockManager: allocation, prefix matching, LRU eviction.
#include "runtime/Engine/BlockManager.h"
#include "runtime/Support/Hash.h"

#include <algorithm>
#include <cassert>

namespace loom::rt {

namespace {
uint64_t mix(uint64_t z) { return splitMix64Mix(z + 0x9e3779b97f4a7c15ull); }
} // namespace

uint64_t hashBlockTokens(std::optional<uint64_t> parentHash,
                         std::span<const TokenId> tokens) {
  uint64_t hash = parentHash ? mix(*parentHash) : 0x6c6f6f6d6b76ull;
  for (TokenId token : tokens)
    hash = mix(hash ^ static_cast<uint32_t>(token));
  return mix(hash ^ tokens.size());
}

int64_t slotIndex(const Sequence &seq, int position, int blockSize) {
  const std::vector<BlockId> &table = seq.blockTable();
  assert(position >= 0 && position / blockSize < static_cast<int>(table.size()));
  return static_cast<int64_t>(table[position / blockSize]) * blockSize +
         position % blockSize;
}

BlockManager::BlockManager(int numBlocks, int blockSize, BlockHasher hasher)
    : blockSize_(blockSize), hasher_(std::move(hasher)), blocks_(numBlocks) {
  assert(numBlocks > 0 && blockSize > 0);
  for (BlockId id = 0; id < numBlocks; ++id)
    emptyBlocks_.push_back(id);
}

int BlockManager::numFreeBlocks() const {
  return static_cast<int>(emptyBlocks_.size() + evictable_.size());
}

bool BlockManager::isCached(BlockId block) const {
  const std::optional<uint64_t> &hash = blocks_[block].hash;
  if (!hash)
    return false;
  auto it = cachedByHash_.find(*hash);
  return it != cachedByHash_.end() && it->second == block;
}

int BlockManager::blocksFor(int numTokens) const {
  return (numTokens + blockSize_ - 1) / blockSize_;
}

std::span<const TokenId> BlockManager::blockTokens(const Sequence &seq,
                                                   int index) const {
  return seq.tokens().subspan(static_cast<size_t>(index) * blockSize_, blockSize_);
}

std::vector<BlockId> BlockManager::matchPrefix(const Sequence &seq) const {
  std::vector<BlockId> hits;
  int candidates = (seq.size() - 1) / blockSize_;
  std::optional<uint64_t> parent;
  for (int i = 0; i < candidates; ++i) {
    std::span<const TokenId> tokens = blockTokens(seq, i);
    uint64_t hash = hasher_(parent, tokens);
    auto it = cachedByHash_.find(hash);
    if (it == cachedByHash_.end())
      break;
    const Block &block = blocks_[it->second];
    if (block.parentHash != parent ||
        !std::equal(tokens.begin(), tokens.end(), block.tokens.begin(),
                    block.tokens.end()))
      break;
    hits.push_back(it->second);
    parent = hash;
  }
  return hits;
}

bool BlockManager::canAllocate(const Sequence &seq) const {
  std::vector<BlockId> hits = matchPrefix(seq);
  // Hits on unreferenced blocks still take them out of the free pool.
  auto referenced = std::count_if(hits.begin(), hits.end(), [&](BlockId id) {
    return blocks_[id].refCount > 0;
  });
  return numFreeBlocks() >= blocksFor(seq.size()) - referenced;
}

int BlockManager::allocate(Sequence &seq) {
  assert(seq.blockTable().empty() && canAllocate(seq));
  std::vector<BlockId> hits = matchPrefix(seq);
  std::vector<BlockId> &table = seq.blockTable();
  for (BlockId id : hits) {
    Block &block = blocks_[id];
    if (block.lruPosition) {
      evictable_.erase(*block.lruPosition);
      block.lruPosition.reset();
    }
    ++block.refCount;
    table.push_back(id);
  }
  while (static_cast<int>(table.size()) < blocksFor(seq.size()))
    table.push_back(takeFreeBlock());

  int hitBlocks = static_cast<int>(hits.size());
  int cachedTokens = hitBlocks * blockSize_;
  stats_.hitBlocks += hitBlocks;
  stats_.missBlocks += (seq.size() - 1) / blockSize_ - hitBlocks;
  stats_.hitTokens += cachedTokens;
  stats_.missTokens += seq.size() - cachedTokens;
  seq.setNumComputedTokens(cachedTokens);
  return cachedTokens;
}

bool BlockManager::canAppend(const Sequence &seq) const {
  bool needsBlock =
      static_cast<int>(seq.blockTable().size()) < blocksFor(seq.size());
  return !needsBlock || numFreeBlocks() > 0;
}

void BlockManager::appendSlot(Sequence &seq) {
  assert(canAppend(seq));
  if (static_cast<int>(seq.blockTable().size()) < blocksFor(seq.size()))
    seq.blockTable().push_back(takeFreeBlock());
}

void BlockManager::cacheComputedBlocks(Sequence &seq) {
  const std::vector<BlockId> &table = seq.blockTable();
  int full = seq.numComputedTokens() / blockSize_;
  // Registered blocks form a prefix of the table; find where it ends.
  int first = full;
  while (first > 0 && !blocks_[table[first - 1]].hash)
    --first;
  for (int i = first; i < full; ++i) {
    Block &block = blocks_[table[i]];
    std::span<const TokenId> tokens = blockTokens(seq, i);
    block.parentHash = i > 0 ? blocks_[table[i - 1]].hash : std::nullopt;
    block.hash = hasher_(block.parentHash, tokens);
    block.tokens.assign(tokens.begin(), tokens.end());
    auto [it, inserted] = cachedByHash_.try_emplace(*block.hash, table[i]);
    if (!inserted && it->second != table[i]) {
      // Same content computed twice: keep the referenced copy, drop an idle one.
      dropIfIdle(it->second);
      it->second = table[i];
    }
  }
}

void BlockManager::free(Sequence &seq) {
  std::vector<BlockId> &table = seq.blockTable();
  for (auto it = table.rbegin(); it != table.rend(); ++it)
    release(*it);
  table.clear();
  seq.setNumComputedTokens(0);
}

BlockId BlockManager::takeFreeBlock() {
  BlockId id;
  if (!emptyBlocks_.empty()) {
    id = emptyBlocks_.front();
    emptyBlocks_.pop_front();
  } else {
    assert(!evictable_.empty() && "block pool exhausted");
    id = evictable_.front();
    evictable_.pop_front();
  }
  Block &block = blocks_[id];
  if (isCached(id))
    cachedByHash_.erase(*block.hash);
  block = Block{};
  block.refCount = 1;
  return id;
}

void BlockManager::dropIfIdle(BlockId id) {
  Block &block = blocks_[id];
  if (!block.lruPosition)
    return;
  evictable_.erase(*block.lruPosition);
  block = Block{};
  emptyBlocks_.push_back(id);
}

void BlockManager::release(BlockId id) {
  Block &block = blocks_[id];
  assert(block.refCount > 0);
  if (--block.refCount > 0)
    return;
  if (isCached(id)) {
    block.lruPosition = evictable_.insert(evictable_.end(), id);
  } else {
    block = Block{}; // a duplicate of another cached block, or never full
    emptyBlocks_.push_back(id);
  }
}

} // namespace loom::rt
