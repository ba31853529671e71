// Embedding gather: rows copied bit-exactly; out-of-range ids give zero rows and the error record.
#include "MemoryBoundTestSupport.h"

namespace loom::testing {
namespace {

constexpr int kVocab = 1000;

/// The kernel's error record (loom::EmbeddingError): bad-id count, then the first one's id, row, vocab.
struct ErrorRecord {
  int count = 0, id = 0, row = 0, vocab = 0;
};

struct Gathered {
  HostTensor out;
  ErrorRecord error;
};

class EmbeddingGpuTest : public MemoryBoundGpuTest {
protected:
  Gathered gather(DType type, int hidden, const HostTensor &table, const std::vector<int> &ids) {
    const int rows = int(ids.size());
    std::vector<uint8_t> idBytes(ids.size() * 4);
    std::memcpy(idBytes.data(), ids.data(), idBytes.size());
    const uint64_t outDev = poisoned(size_t(rows) * hidden * dtypeInfo(type).bytes);
    const uint64_t errorDev = allocate(sizeof(ErrorRecord));
    EXPECT_TRUE(stream_->fill(errorDev, 0, sizeof(ErrorRecord)).isOk());
    rt::KernelArgs args;
    args.add(upload(table)).add(uploadBytes(idBytes)).add(outDev).add(rows).add(kVocab)
        .add(errorDev);
    launch(embeddingKernel(type, hidden), rows, args);
    const std::vector<int> record = download<int>(errorDev, 4);
    return {download(type, outDev, size_t(rows) * hidden), {record[0], record[1], record[2], record[3]}};
  }

  /// Row r of the result is table row ids[r], or zeros for an id outside [0, vocab).
  static std::vector<double> reference(const HostTensor &table, const std::vector<int> &ids,
                                       int hidden) {
    std::vector<double> ref(ids.size() * hidden, 0.0);
    for (size_t r = 0; r < ids.size(); ++r)
      if (ids[r] >= 0 && ids[r] < kVocab)
        for (int i = 0; i < hidden; ++i)
          ref[r * hidden + i] = table.values[size_t(ids[r]) * hidden + i];
    return ref;
  }
};

TEST_F(EmbeddingGpuTest, GathersRowsExactly) {
  for (DType type : {DType::kBf16, DType::kF32}) {
    for (int hidden : kTestHiddenSizes) {
      if (type == DType::kF32 && hidden != 576)
        continue;
      const HostTensor table = HostTensor::random(type, size_t(kVocab) * hidden, hidden);
      for (int rows : {1, 7, 33, 4095}) {
        SCOPED_TRACE(fmt::format("{} hidden={} rows={}", dtypeInfo(type).short_, hidden, rows));
        std::vector<int> ids(rows);
        for (int r = 0; r < rows; ++r)
          ids[r] = int((r * 7919u + hidden) % kVocab); // repeats, both ends of the table
        ids[0] = kVocab - 1;
        Gathered result = gather(type, hidden, table, ids);
        EXPECT_TRUE(allClose(result.out, reference(table, ids, hidden), 0.0));
        EXPECT_EQ(result.error.count, 0) << "no id was out of range";
      }
    }
  }
}

TEST_F(EmbeddingGpuTest, OutOfRangeIdsGiveZeroRowsAndSetTheFlag) {
  const int hidden = 2048;
  const HostTensor table = HostTensor::random(DType::kBf16, size_t(kVocab) * hidden, 3);
  const std::vector<int> ids = {5, -1, kVocab, 17, 2147483647, -2147483647 - 1, kVocab - 1};
  Gathered result = gather(DType::kBf16, hidden, table, ids);
  EXPECT_TRUE(allClose(result.out, reference(table, ids, hidden), 0.0));
  EXPECT_EQ(result.error.count, 4) << "ids -1, vocab, INT_MAX and INT_MIN are out of range";
  ASSERT_GE(result.error.row, 0);
  ASSERT_LT(result.error.row, int(ids.size()));
  EXPECT_EQ(result.error.id, ids[result.error.row]) << "the record names a bad id and its row";
  EXPECT_TRUE(result.error.id < 0 || result.error.id >= kVocab) << result.error.id;
  EXPECT_EQ(result.error.vocab, kVocab);
}

} // namespace
} // namespace loom::testing
