// The supervisor behind crm-launcherd: starts a node's daemons in order,
// respawns one that exits (with backoff; gives up after too many crashes in
// a window), and on stop() stops them in reverse order, each with SIGTERM and
// then SIGKILL after its stop timeout. Runs on an EventLoop; the caller
// forwards SIGCHLD to reap().
#pragma once

#include <sys/types.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "config.h"
#include "crm/core/event_loop.h"

namespace crm::launcher {

class Launcher {
 public:
  using Log = std::function<void(const std::string& level, const std::string& message)>;
  Launcher(EventLoop& loop, Config config, std::string bin_dir, Log log);

  // Starts the configured daemons one after another (missing binaries are
  // skipped with a warning).
  void start();
  // Reaps exited children (call on SIGCHLD) and reacts: respawn, give up, or
  // continue an orderly stop.
  void reap();
  // Stops all daemons in reverse order; calls `done` when the last is gone.
  void stop(std::function<void()> done);

  bool stopping() const { return stopping_; }

  // Called when a daemon exits with status 100 (CRM_EX_FATAL, as the peer's
  // pacemakerd reads it: e.g. crmd learning that this node was fenced while
  // it runs, fence-reaction=stop). That daemon is not respawned; the caller
  // stops the rest, so the node stays out of the cluster.
  std::function<void(const std::string& why)> on_fatal;

 private:
  enum class State { kIdle, kMissing, kRunning, kRestartPending, kGaveUp, kStopped };
  struct Daemon {
    DaemonSpec spec;
    std::string path;
    State state = State::kIdle;
    pid_t pid = 0;
    std::deque<Clock::Monotonic> crashes;  // within the restart window
    EventLoop::TimerId restart_timer = 0;
    EventLoop::TimerId kill_timer = 0;
  };

  void start_from(size_t index);
  bool spawn(Daemon& d);
  void on_exit(Daemon& d, int status);
  void stop_next();

  EventLoop& loop_;
  Config config_;
  std::string bin_dir_;
  Log log_;
  std::vector<Daemon> daemons_;
  bool stopping_ = false;
  size_t stop_index_ = 0;  // daemons_[0, stop_index_) remain to be stopped
  std::function<void()> on_stopped_;
};

}  // namespace crm::launcher
