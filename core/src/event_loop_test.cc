#include "crm/core/event_loop.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>

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


// A worker started before watch_signal must not take the signal: with its
// signals unblocked, SIGTERM killed crmd and attrd instead of reaching their
// shutdown handlers (seen with `systemctl stop` in the package test).
TEST(EventLoopTest, SignalsReachTheLoopNotAWorker) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    SystemClock clock;
    EventLoop loop(clock);
    std::atomic<bool> stop{false};
    std::thread worker = EventLoop::start_worker([&] {
      while (!stop) usleep(1000);
    });
    int handled = 0;
    if (!loop.watch_signal(SIGTERM, [&] { ++handled; }).ok()) _exit(2);
    for (int i = 0; i < 50 && handled < 10; ++i) {
      kill(getpid(), SIGTERM);
      loop.run_once(std::chrono::milliseconds(10));
    }
    stop = true;
    worker.join();
    _exit(handled > 0 ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the process was killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace crm
