// A single-threaded event loop for the daemons: file descriptors, timers,
// signals (via signalfd) and posted callbacks, driven by poll(2).
//
//   EventLoop loop(clock);
//   loop.watch_fd(cpg_fd, [&] { transport.dispatch(); });
//   loop.add_timer(std::chrono::seconds(10), [&] { run_monitor(); });
//   loop.watch_signal(SIGTERM, [&] { loop.stop(); });
//   loop.run();
//
// Callbacks run on the loop's thread, one at a time; they may add or remove
// watches and timers (including their own) safely.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "crm/core/clock.h"
#include "crm/core/status.h"

namespace crm {

class EventLoop {
 public:
  using TimerId = uint64_t;
  using Callback = std::function<void()>;

  explicit EventLoop(const Clock& clock);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Calls `on_ready` whenever `fd` is readable (or hung up). One watch per fd;
  // a second call replaces the first.
  void watch_fd(int fd, Callback on_ready);
  void unwatch_fd(int fd);  // both watches of `fd`
  // Calls `on_writable` whenever `fd` can take more output, until
  // unwatch_writable (a server flushing what a slow client has not read).
  void watch_writable(int fd, Callback on_writable);
  void unwatch_writable(int fd);

  // Calls `cb` once after `delay`. Returns an id for cancel_timer.
  TimerId add_timer(std::chrono::milliseconds delay, Callback cb);
  // Cancels a pending timer; a no-op for fired or unknown ids.
  void cancel_timer(TimerId id);

  // Runs `cb` on the next iteration (before waiting). The only call that is
  // safe from other threads: it wakes a loop blocked in poll.
  void post(Callback cb);

  // Blocks `signo` in the calling thread and calls `cb` on the loop when it
  // arrives. Other threads must not take it: start them with start_worker.
  Status watch_signal(int signo, Callback cb);

  // A thread for blocking work that reports back with post(). It starts with
  // every signal blocked, so the process's signals (SIGTERM: a clean
  // shutdown) reach the loop's thread whether watch_signal was called before
  // the thread started or after.
  static std::thread start_worker(std::function<void()> work);

  // Runs until stop(); returns OK, or an error when poll fails.
  Status run();
  // One iteration: runs posted callbacks and due timers, waits at most
  // `max_wait` for file descriptors, runs their callbacks.
  Status run_once(std::chrono::milliseconds max_wait);
  void stop() { stopping_ = true; }
  bool stopping() const { return stopping_; }

  const Clock& clock() const { return clock_; }

 private:
  struct Timer {
    Clock::Monotonic due;
    Callback cb;
  };
  void run_due_timers();
  void on_signalfd();

  const Clock& clock_;
  bool stopping_ = false;
  TimerId next_timer_ = 1;
  std::map<int, std::shared_ptr<Callback>> fds_;
  std::map<int, std::shared_ptr<Callback>> write_fds_;
  std::map<TimerId, Timer> timers_;
  std::mutex posted_mutex_;
  std::vector<Callback> posted_;
  int wake_fd_ = -1;  // eventfd written by post()
  int signal_fd_ = -1;
  std::map<int, Callback> signals_;
};

}  // namespace crm
