// Embedding gather: rows copied bit-exactly; out-of-range ids give zero rows and the error flag.
#include "MemoryBoundTestSupport.h"

namespace loom::testing {
namespace {

constexpr int kVocab = 1000;

struct Gathered {
  HostTensor out;
  uint32_t error;
};

class EmbeddingGpuTest : public MemoryBoundGpuTest {
protected:
  Gathered gather(DType type, int hidden, const HostTensor &table, const std::vector<int> &ids) {
    const int rows = int(ids.size());
    std::vector<uint8_t> idBytes(ids.size() * 4);
    std::memcpy(idBytes.data(), ids.data(), idBytes.size());
    const uint64_t outDev = poisoned(size_t(rows) * hidden * dtypeInfo(type).bytes);
    const uint64_t errorDev = allocate(4);
    EXPECT_TRUE(stream_->fill(errorDev, 0, 4).isOk());
    rt::KernelArgs args;
    args.add(upload(table)).add(uploadBytes(idBytes)).add(outDev).add(rows).add(kVocab)
        .add(errorDev);
    launch(embeddingKernel(type, hidden), rows, args);
    return {download(type, outDev, size_t(rows) * hidden), download<uint32_t>(errorDev, 1)[0]};
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
        EXPECT_EQ(result.error, 0u) << "no id was out of range";
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
  EXPECT_EQ(result.error, 1u);
}

} // namespace
} // namespace loom::testing
