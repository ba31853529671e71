// Paged KV-cache blocks: free list, reference counts, prefix reuse, LRU eviction.
#pragma once

#include "runtime/Engine/Sequence.h"
#include "runtime/Engine/Types.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace loom::rt {

/// Hash of a full block: its parent's hash (none for the first block) and its
/// tokens, so equal hashes mean equal prefixes up to hash collisions.
using BlockHasher = std::function<uint64_t(std::optional<uint64_t> parentHash,
                                           std::span<const TokenId> tokens)>;

/// The default BlockHasher (64-bit, SplitMix64-mixed).
uint64_t hashBlockTokens(std::optional<uint64_t> parentHash,
                         std::span<const TokenId> tokens);

/// The KV slot of token `position` of `seq`:
/// `blockTable[position / blockSize] * blockSize + position % blockSize`.
int64_t slotIndex(const Sequence &seq, int position, int blockSize);

/// Prefix-cache lookups, counted over full blocks before a sequence's last
/// token (the only blocks that can hit) and over all its tokens.
struct PrefixCacheStats {
  int64_t hitBlocks = 0;
  int64_t missBlocks = 0;
  int64_t hitTokens = 0;
  int64_t missTokens = 0; ///< tokens that had to be computed
};

/// Owns the KV block pool. Token `p` of a sequence lives in slot
/// `blockTable[p / blockSize] * blockSize + p % blockSize`.
///
/// How prefix reuse works: once a full block's KV has been computed
/// (`cacheComputedBlocks`), it is registered under its chained hash with its
/// parent hash and tokens. `allocate` walks a new sequence's full blocks in
/// order and shares a cached block only if the hash, the parent hash and the
/// tokens all match, stopping at the first miss. A block whose reference count
/// drops to 0 keeps its content and joins an LRU list; it is reused on a hit or
/// evicted (least recently released first) only when no never-used block is
/// left. Blocks are released last-first, so a prefix's tail is evicted first.
class BlockManager {
public:
  BlockManager(int numBlocks, int blockSize,
               BlockHasher hasher = hashBlockTokens);

  int blockSize() const { return blockSize_; }
  int numBlocks() const { return static_cast<int>(blocks_.size()); }
  /// Blocks not referenced by any sequence (empty or evictable cached).
  int numFreeBlocks() const;
  int numCachedFreeBlocks() const { return static_cast<int>(evictable_.size()); }
  int refCount(BlockId block) const { return blocks_[block].refCount; }
  /// Whether a block's content is registered for prefix reuse.
  bool isCached(BlockId block) const;
  const PrefixCacheStats &stats() const { return stats_; }

  /// Whether blocks for all of `seq`'s tokens can be allocated now.
  bool canAllocate(const Sequence &seq) const;
  /// Gives `seq` (holding no blocks) blocks for all its tokens, sharing cached
  /// prefix blocks; sets its computed-token count to the cached tokens and
  /// returns that count. The last token is never a hit, so at least one token
  /// remains to compute. Requires `canAllocate(seq)`.
  int allocate(Sequence &seq);
  /// Whether `seq` can get a slot for its last token.
  bool canAppend(const Sequence &seq) const;
  /// Adds a block if `seq`'s last token starts a new one. Requires canAppend.
  void appendSlot(Sequence &seq);
  /// Registers `seq`'s full blocks whose KV has been computed.
  void cacheComputedBlocks(Sequence &seq);
  /// Releases `seq`'s blocks (cached ones stay reusable) and resets its
  /// computed-token count.
  void free(Sequence &seq);

  int64_t slotIndex(const Sequence &seq, int position) const {
    return rt::slotIndex(seq, position, blockSize_);
  }

private:
  struct Block {
    int refCount = 0;
    std::optional<uint64_t> hash;
    std::optional<uint64_t> parentHash;
    std::vector<TokenId> tokens;
    std::optional<std::list<BlockId>::iterator> lruPosition;
  };

  int blocksFor(int numTokens) const;
  std::span<const TokenId> blockTokens(const Sequence &seq, int index) const;
  /// Cached blocks holding `seq`'s longest reusable prefix.
  std::vector<BlockId> matchPrefix(const Sequence &seq) const;
  BlockId takeFreeBlock();
  void release(BlockId id);
  /// Turns an unreferenced cached block into an empty one.
  void dropIfIdle(BlockId id);

  int blockSize_;
  BlockHasher hasher_;
  std::vector<Block> blocks_;
  std::deque<BlockId> emptyBlocks_;  ///< no cached content
  std::list<BlockId> evictable_;     ///< unreferenced cached, LRU first
  std::unordered_map<uint64_t, BlockId> cachedByHash_;
  PrefixCacheStats stats_;
};

} // namespace loom::rt
