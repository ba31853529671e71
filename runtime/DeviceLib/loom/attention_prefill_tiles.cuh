// loom/attention_prefill_tiles.cuh: the query tiles of a ragged prefill batch, shared by the
// prefill kernels (loom/attention_prefill.cuh, loom/attention_prefill_sm90.cuh): which sequence
// and query rows a CTA's tile holds, and which context positions it sees.
//
// A batch's tiles are numbered sequence by sequence; within a sequence from its last (most
// expensive under the causal mask) tile, so long tiles start first. Sequence b's
// n_b = seqStarts[b+1] - seqStarts[b] queries are its last n_b context positions.
#pragma once

#include "loom/types.cuh"

namespace loom::prefill_detail {

/// The query tile `tile` of the batch: its sequence and its index within the sequence (the
/// sequence's tiles counted from its last one). found == false past the batch's last tile.
struct TileSlot {
  bool found;
  int seq, tileFromEnd;
};

/// A warp-wide scan over seqStarts (32 sequences per step); every lane gets the answer.
template <int BM>
__device__ __forceinline__ TileSlot findTile(const int *seqStarts, int seqs, int tile) {
  const int lane = int(threadIdx.x) % 32;
  int before = 0; // tiles of the sequences already passed
  for (int base = 0; base < seqs; base += 32) {
    const int seq = base + lane;
    const int rows = seq < seqs ? max(seqStarts[seq + 1] - seqStarts[seq], 0) : 0;
    const int tiles = (rows + BM - 1) / BM;
    int inclusive = tiles;
#pragma unroll
    for (int offset = 1; offset < 32; offset <<= 1) {
      const int other = __shfl_up_sync(0xffffffffu, inclusive, offset);
      if (lane >= offset)
        inclusive += other;
    }
    const unsigned past = __ballot_sync(0xffffffffu, before + inclusive > tile);
    if (past != 0) {
      const int owner = __ffs(past) - 1;
      const int ownerInclusive = __shfl_sync(0xffffffffu, inclusive, owner);
      const int ownerTiles = __shfl_sync(0xffffffffu, tiles, owner);
      return {true, base + owner, tile - (before + ownerInclusive - ownerTiles)};
    }
    before += __shfl_sync(0xffffffffu, inclusive, 31);
  }
  return {false, 0, 0};
}

/// What the CTA's query tile needs to know about its sequence.
struct TileGeometry {
  int firstRow;      ///< token row of the sequence's first query
  int m0, rows;      ///< the tile's first query (within the sequence) and its row count
  int context;       ///< context length (clamped into the block table)
  int firstPosition; ///< context position of the tile's row 0
  int visibleEnd;    ///< keys at positions >= this are never seen by the tile
  int kvTiles;       ///< BN-position tiles to visit
  int maskedFrom;    ///< tiles ending past this position may hold masked keys
};

template <int BM, int BN, bool kCausal>
__device__ __forceinline__ TileGeometry tileGeometry(const int *seqStarts, int context,
                                                     TileSlot slot) {
  TileGeometry tile;
  tile.firstRow = seqStarts[slot.seq];
  const int queries = seqStarts[slot.seq + 1] - tile.firstRow;
  tile.context = context;
  tile.m0 = ((queries + BM - 1) / BM - 1 - slot.tileFromEnd) * BM;
  tile.rows = min(BM, queries - tile.m0);
  tile.firstPosition = context - queries + tile.m0;
  tile.visibleEnd = kCausal ? min(context, tile.firstPosition + tile.rows) : context;
  tile.kvTiles = (max(tile.visibleEnd, 0) + BN - 1) / BN;
  tile.maskedFrom = kCausal ? max(min(tile.firstPosition + 1, context), 0) : context;
  return tile;
}

} // namespace loom::prefill_detail
