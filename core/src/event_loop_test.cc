#include "crm/core/event_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <vector>

namespace crm {
namespace {

TEST(EventLoopTest, TimersFireInOrderAndCancel) {
  SystemClock clock;
  EventLoop loop(clock);
  std::vector<int> fired;
  loop.add_timer(std::chrono::milliseconds(20), [&] { fired.push_back(2); });
  loop.add_timer(std::chrono::milliseconds(1), [&] { fired.push_back(1); });
  auto cancelled = loop.add_timer(std::chrono::milliseconds(5), [&] { fired.push_back(99); });
  loop.cancel_timer(cancelled);
  loop.add_timer(std::chrono::milliseconds(30), [&] { loop.stop(); });
  ASSERT_TRUE(loop.run().ok());
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
}

TEST(EventLoopTest, FdCallbackAndPost) {
  SystemClock clock;
  EventLoop loop(clock);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  std::string got;
  loop.watch_fd(p[0], [&] {
    char c;
    if (read(p[0], &c, 1) == 1) got.push_back(c);
    if (got.size() == 2) loop.stop();
  });
  loop.post([&] { ASSERT_EQ(write(p[1], "ab", 2), 2); });
  ASSERT_TRUE(loop.run().ok());
  EXPECT_EQ(got, "ab");
  close(p[0]);
  close(p[1]);
}

}  // namespace
}  // namespace crm
