// Thread pool and atomic file writes.
#include "TempDir.h"
#include "runtime/Support/Files.h"
#include "runtime/Support/ThreadPool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>

namespace loom {
namespace {

TEST(ThreadPoolTest, RunsEveryTaskAndReturnsResultsThroughFutures) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.size(), 3u);
  std::vector<std::future<int>> futures;
  for (int i = 0; i < 100; ++i)
    futures.push_back(pool.submit([i] { return i * i; }));
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(futures[i].get(), i * i);
}

TEST(ThreadPoolTest, UsesSeveralThreads) {
  ThreadPool pool(2);
  std::mutex mutex;
  std::set<std::thread::id> seen;
  std::atomic<int> arrived{0};
  std::vector<std::future<void>> futures;
  for (int i = 0; i < 2; ++i)
    futures.push_back(pool.submit([&] {
      ++arrived;
      while (arrived.load() < 2) // both tasks must be running at once
        std::this_thread::yield();
      std::lock_guard<std::mutex> lock(mutex);
      seen.insert(std::this_thread::get_id());
    }));
  for (auto &future : futures)
    future.get();
  EXPECT_EQ(seen.size(), 2u);
}

TEST(FilesTest, AtomicWriteCreatesFoldersAndLeavesNoTempFile) {
  testing::TempDir dir;
  std::string path = dir.path() + "/a/b/entry.bin";
  std::string bytes("x\0y", 3);
  ASSERT_TRUE(writeFileAtomic(path, bytes).isOk());
  ASSERT_TRUE(writeFileAtomic(path, bytes + "z").isOk());
  StatusOr<std::string> read = readFile(path);
  ASSERT_TRUE(read.isOk());
  EXPECT_EQ(*read, bytes + "z");
  int files = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir.path() + "/a/b"))
    files += entry.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST(FilesTest, MissingFileIsNotFound) {
  StatusOr<std::string> read = readFile("/nonexistent/loom/file");
  ASSERT_FALSE(read.isOk());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
}

} // namespace
} // namespace loom
