#include "launcher.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace crm::launcher {

namespace {

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  return "ended (status " + std::to_string(status) + ")";
}

}  // namespace

Launcher::Launcher(EventLoop& loop, Config config, std::string bin_dir, Log log)
    : loop_(loop), config_(std::move(config)), bin_dir_(std::move(bin_dir)), log_(std::move(log)) {
  for (auto& spec : config_.daemons) {
    Daemon d;
    d.spec = spec;
    d.path = bin_dir_ + "/" + spec.name;
    daemons_.push_back(std::move(d));
  }
}

void Launcher::start() {
  log_("info", "starting " + std::to_string(daemons_.size()) + " daemon(s) from " + bin_dir_);
  start_from(0);
}

void Launcher::start_from(size_t index) {
  while (index < daemons_.size() && !stopping_) {
    Daemon& d = daemons_[index++];
    if (access(d.path.c_str(), X_OK) != 0) {
      d.state = State::kMissing;
      log_("warning", d.spec.name + ": " + d.path + " is missing or not executable; skipped");
      continue;
    }
    if (!spawn(d)) continue;
    if (index < daemons_.size() && config_.start_delay.count() > 0) {
      // Give it a moment to set up (sockets, CPG) before its dependents start.
      loop_.add_timer(config_.start_delay, [this, index] { start_from(index); });
      return;
    }
  }
}

bool Launcher::spawn(Daemon& d) {
  std::vector<std::string> argv_s{d.path};
  argv_s.insert(argv_s.end(), d.spec.args.begin(), d.spec.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) {
    log_("error", d.spec.name + ": fork failed: " + std::strerror(errno));
    d.state = State::kGaveUp;
    return false;
  }
  if (pid == 0) {
    // Child: undo the launcher's blocked signals (signalfd) and dispositions.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE, SIGUSR1, SIGUSR2}) signal(s, SIG_DFL);
    setpgid(0, 0);  // own process group: terminal signals reach the launcher only
    if (d.spec.nice != 0 && setpriority(PRIO_PROCESS, 0, d.spec.nice) != 0) {
      std::fprintf(stderr, "crm-launcherd: %s: cannot set nice %d: %s (running at the default)\n", d.spec.name.c_str(),
                   d.spec.nice, std::strerror(errno));
    }
    execv(d.path.c_str(), argv.data());
    std::fprintf(stderr, "crm-launcherd: exec %s: %s\n", d.path.c_str(), std::strerror(errno));
    _exit(127);
  }
  d.pid = pid;
  d.state = State::kRunning;
  log_("info", d.spec.name + ": started, pid " + std::to_string(pid));
  return true;
}

void Launcher::reap() {
  while (true) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    for (auto& d : daemons_) {
      if (d.pid == pid) {
        on_exit(d, status);
        break;
      }
    }
  }
}

void Launcher::on_exit(Daemon& d, int status) {
  const std::string what = d.spec.name + " (pid " + std::to_string(d.pid) + ") " + describe_exit(status);
  d.pid = 0;
  if (d.kill_timer) loop_.cancel_timer(d.kill_timer);
  d.kill_timer = 0;
  if (stopping_) {
    d.state = State::kStopped;
    log_("info", what);
    stop_next();
    return;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 100) {
    d.state = State::kGaveUp;
    log_("error", what + ": a fatal exit (100), not respawning it; stopping the node's cluster services");
    if (on_fatal) on_fatal(what);
    return;
  }
  log_("warning", what);
  const auto now = loop_.clock().monotonic_now();
  d.crashes.push_back(now);
  while (!d.crashes.empty() && now - d.crashes.front() > config_.restart_window) d.crashes.pop_front();
  const int n = static_cast<int>(d.crashes.size());
  if (n > config_.max_restarts) {
    d.state = State::kGaveUp;
    log_("error", "giving up on " + d.spec.name + ": " + std::to_string(n) + " exits within " +
                      std::to_string(config_.restart_window.count()) + " s (max_restarts = " +
                      std::to_string(config_.max_restarts) + "); not respawning it");
    return;
  }
  auto delay = config_.restart_delay;
  for (int i = 1; i < n && delay < config_.restart_delay_max; ++i) delay *= 2;
  delay = std::min(delay, config_.restart_delay_max);
  d.state = State::kRestartPending;
  log_("info", "respawning " + d.spec.name + " in " + std::to_string(delay.count()) + " ms (exit " +
                   std::to_string(n) + " of at most " + std::to_string(config_.max_restarts) + " in the window)");
  Daemon* dp = &d;
  d.restart_timer = loop_.add_timer(delay, [this, dp] {
    dp->restart_timer = 0;
    if (stopping_ || dp->state != State::kRestartPending) return;
    if (access(dp->path.c_str(), X_OK) != 0) {
      dp->state = State::kMissing;
      log_("error", dp->spec.name + ": " + dp->path + " has disappeared; not respawning it");
      return;
    }
    spawn(*dp);
  });
}

void Launcher::stop(std::function<void()> done) {
  if (stopping_) {
    log_("info", "already stopping");
    return;
  }
  stopping_ = true;
  on_stopped_ = std::move(done);
  for (auto& d : daemons_) {
    if (d.restart_timer) loop_.cancel_timer(d.restart_timer);
    d.restart_timer = 0;
  }
  stop_index_ = daemons_.size();
  log_("info", "stopping daemons in reverse order");
  stop_next();
}

void Launcher::stop_next() {
  while (stop_index_ > 0) {
    Daemon& d = daemons_[stop_index_ - 1];
    if (d.pid > 0 && d.state == State::kRunning) {
      if (d.kill_timer) return;  // already asked; waiting for it to exit
      log_("info", d.spec.name + ": sending SIGTERM to pid " + std::to_string(d.pid) + ", waiting up to " +
                       std::to_string(d.spec.stop_timeout.count()) + " s");
      kill(d.pid, SIGTERM);
      Daemon* dp = &d;
      d.kill_timer = loop_.add_timer(d.spec.stop_timeout, [this, dp] {
        dp->kill_timer = 0;
        if (dp->pid > 0) {
          log_("warning", dp->spec.name + ": still running after " + std::to_string(dp->spec.stop_timeout.count()) +
                              " s; sending SIGKILL");
          kill(dp->pid, SIGKILL);
          dp->kill_timer = loop_.add_timer(std::chrono::seconds(3600), [] {});  // marks "asked"
        }
      });
      return;  // continue from on_exit()
    }
    --stop_index_;
  }
  log_("info", "all daemons stopped");
  if (on_stopped_) {
    auto done = std::move(on_stopped_);
    on_stopped_ = nullptr;
    done();
  }
}

}  // namespace crm::launcher
