#include "crm/core/event_loop.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

namespace crm {

EventLoop::EventLoop(const Clock& clock) : clock_(clock) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  watch_fd(wake_fd_, [this] {
    uint64_t v;
    while (read(wake_fd_, &v, sizeof(v)) == sizeof(v)) {
    }
  });
}

EventLoop::~EventLoop() {
  if (signal_fd_ >= 0) close(signal_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void EventLoop::watch_fd(int fd, Callback on_ready) { fds_[fd] = std::make_shared<Callback>(std::move(on_ready)); }

void EventLoop::unwatch_fd(int fd) {
  fds_.erase(fd);
  write_fds_.erase(fd);
}

void EventLoop::watch_writable(int fd, Callback on_writable) {
  write_fds_[fd] = std::make_shared<Callback>(std::move(on_writable));
}

void EventLoop::unwatch_writable(int fd) { write_fds_.erase(fd); }

EventLoop::TimerId EventLoop::add_timer(std::chrono::milliseconds delay, Callback cb) {
  TimerId id = next_timer_++;
  timers_[id] = Timer{clock_.monotonic_now() + delay, std::move(cb)};
  return id;
}

void EventLoop::cancel_timer(TimerId id) { timers_.erase(id); }

void EventLoop::post(Callback cb) {
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    posted_.push_back(std::move(cb));
  }
  uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof(one)) < 0) { /* counter full: the loop is awake anyway */ }
}

Status EventLoop::watch_signal(int signo, Callback cb) {
  signals_[signo] = std::move(cb);
  sigset_t mask;
  sigemptyset(&mask);
  for (auto& [s, _] : signals_) sigaddset(&mask, s);
  if (sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) return errno_error("sigprocmask", errno);
  int fd = signalfd(signal_fd_, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return errno_error("signalfd", errno);
  if (signal_fd_ < 0) {
    signal_fd_ = fd;
    watch_fd(signal_fd_, [this] { on_signalfd(); });
  }
  return Status::Ok();
}

std::thread EventLoop::start_worker(std::function<void()> work) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);  // the new thread inherits this mask
  std::thread t(std::move(work));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return t;
}

void EventLoop::on_signalfd() {
  signalfd_siginfo info;
  while (read(signal_fd_, &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
    auto it = signals_.find(static_cast<int>(info.ssi_signo));
    if (it != signals_.end()) {
      Callback cb = it->second;  // copy: the callback may re-register
      cb();
    }
  }
}

void EventLoop::run_due_timers() {
  const auto now = clock_.monotonic_now();
  // Collect first: callbacks may add or cancel timers.
  std::vector<TimerId> due;
  for (auto& [id, t] : timers_) {
    if (t.due <= now) due.push_back(id);
  }
  for (TimerId id : due) {
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;  // cancelled by an earlier callback
    Callback cb = std::move(it->second.cb);
    timers_.erase(it);
    cb();
  }
}

Status EventLoop::run_once(std::chrono::milliseconds max_wait) {
  while (true) {
    std::vector<Callback> batch;
    {
      std::lock_guard<std::mutex> lock(posted_mutex_);
      batch.swap(posted_);
    }
    if (batch.empty()) break;
    for (auto& cb : batch) cb();
  }
  run_due_timers();
  if (stopping_) return Status::Ok();

  auto wait = max_wait;
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    if (!posted_.empty()) wait = std::chrono::milliseconds(0);
  }
  const auto now = clock_.monotonic_now();
  for (auto& [id, t] : timers_) {
    auto until = std::chrono::ceil<std::chrono::milliseconds>(t.due - now);
    if (until < wait) wait = std::max(until, std::chrono::milliseconds(0));
  }

  std::vector<pollfd> pfds;
  pfds.reserve(fds_.size() + write_fds_.size());
  for (auto& [fd, _] : fds_) pfds.push_back(pollfd{fd, static_cast<short>(write_fds_.count(fd) ? POLLIN | POLLOUT : POLLIN), 0});
  for (auto& [fd, _] : write_fds_) {
    if (!fds_.count(fd)) pfds.push_back(pollfd{fd, POLLOUT, 0});
  }
  int n = poll(pfds.data(), pfds.size(), static_cast<int>(wait.count()));
  if (n < 0) {
    if (errno == EINTR) return Status::Ok();
    return errno_error("poll", errno);
  }
  for (auto& p : pfds) {
    // Output first: a client's queued replies leave before its next requests
    // are read.
    if (p.revents & (POLLOUT | POLLHUP | POLLERR)) {
      if (auto it = write_fds_.find(p.fd); it != write_fds_.end()) {
        std::shared_ptr<Callback> cb = it->second;  // keep alive while it runs
        (*cb)();
      }
    }
    if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
    auto it = fds_.find(p.fd);
    if (it == fds_.end()) continue;  // unwatched by an earlier callback
    std::shared_ptr<Callback> cb = it->second;  // keep alive while it runs
    (*cb)();
  }
  run_due_timers();
  return Status::Ok();
}

Status EventLoop::run() {
  stopping_ = false;
  while (!stopping_) {
    RETURN_IF_ERROR(run_once(std::chrono::milliseconds(1000)));
  }
  return Status::Ok();
}

}  // namespace crm
