// RequestChannel: updates cross threads in order; nothing is accepted after the finish.
#include "tools/loom-run/serve/RequestChannel.h"

#include <gtest/gtest.h>

#include <thread>

namespace loom::serve {
namespace {

using namespace std::chrono_literals;

TEST(RequestChannel, HandsUpdatesAcrossThreadsInOrder) {
  RequestChannel channel;
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i)
      channel.push({std::to_string(i), 1, std::nullopt, Status::ok(), 3, i + 1});
    channel.push({"", 0, rt::FinishReason::kMaxTokens, Status::ok(), 3, 100});
    channel.push({"late", 1, std::nullopt, Status::ok(), 3, 101}); // after the finish: dropped
  });
  std::string text, expected;
  for (int i = 0; i < 100; ++i)
    expected += std::to_string(i);
  std::optional<RequestUpdate> update;
  do {
    update = channel.pop(5s);
    ASSERT_TRUE(update.has_value());
    text += update->textDelta;
  } while (!update->finishReason);
  producer.join();
  EXPECT_EQ(text, expected);
  EXPECT_EQ(update->outputTokens, 100);
  EXPECT_TRUE(channel.finished());
  EXPECT_FALSE(channel.pop(10ms).has_value());
}

} // namespace
} // namespace loom::serve
