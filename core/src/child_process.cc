#include "crm/core/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

extern char** environ;

namespace crm {
namespace {

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Writes what fits into the child's stdin. A child that exits before reading
// closes the pipe, and the write would raise SIGPIPE, which kills a caller
// that did not ignore it (a test, a tool): the signal is blocked in this
// thread for the write and a SIGPIPE the write raised is taken back.
void write_without_sigpipe(int fd, const std::string& data) {
  sigset_t pipe_only, old_mask, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask);
  const char* p = data.data();
  size_t left = data.size();
  bool broke = false;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE) broke = true;
    if (n <= 0) break;  // child gone or pipe full: it gets what fit
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (broke && !was_pending) {
    struct timespec none = {0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &none) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
}

struct Pipe {
  int r = -1, w = -1;
  ~Pipe() {
    close_fd(r);
    close_fd(w);
  }
};

Status make_pipe(Pipe& p) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return errno_error("pipe2", errno);
  p.r = fds[0];
  p.w = fds[1];
  return Status::Ok();
}

}  // namespace

Result<Child> spawn_child(const SpawnSpec& spec) {
  Pipe in, out, err;
  RETURN_IF_ERROR(make_pipe(in));
  RETURN_IF_ERROR(make_pipe(out));
  RETURN_IF_ERROR(make_pipe(err));

  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in.r, 0);
  posix_spawn_file_actions_adddup2(&fa, out.w, 1);
  posix_spawn_file_actions_adddup2(&fa, err.w, 2);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  posix_spawn_file_actions_addchdir_np(&fa, "/");

  pid_t pid = -1;
  int rc = posix_spawn(&pid, spec.path.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return errno_error("spawn " + spec.path, rc);

  Child c;
  c.pid = pid;
  c.pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (c.pidfd < 0) {
    int e = errno;
    kill(-pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    return errno_error("pidfd_open", e);
  }
  fcntl(c.pidfd, F_SETFD, FD_CLOEXEC);
  close_fd(in.r);
  close_fd(out.w);
  close_fd(err.w);
  if (!spec.stdin_data.empty()) {
    // The pipe holds 64 KiB; fence agent parameters are far smaller.
    fcntl(in.w, F_SETFL, O_NONBLOCK);
    write_without_sigpipe(in.w, spec.stdin_data);
  }
  close_fd(in.w);
  fcntl(out.r, F_SETFL, O_NONBLOCK);
  fcntl(err.r, F_SETFL, O_NONBLOCK);
  c.out_fd = out.r;
  c.err_fd = err.r;
  out.r = err.r = -1;
  return c;
}

bool reap_child(pid_t pid, int* wait_status) {
  while (true) {
    pid_t r = waitpid(pid, wait_status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == ECHILD) {
      *wait_status = 0xff00;  // someone else reaped it: report exit 255
      return true;
    }
    return false;
  }
}

std::vector<std::string> inherited_environment(const std::vector<std::string>& drop_prefixes) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view v(*e);
    bool drop = false;
    for (const auto& p : drop_prefixes) drop = drop || v.substr(0, p.size()) == p;
    if (!drop) env.emplace_back(v);
  }
  return env;
}

void drain_output(int fd, std::string& into, size_t cap) {
  char buf[4096];
  while (fd >= 0) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<size_t>(n));
      if (into.size() > cap) into.erase(0, into.size() - cap);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
}

std::string RunOutcome::reason() const {
  std::string e = err;
  while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
  if (size_t nl = e.rfind('\n'); nl != std::string::npos) e = e.substr(nl + 1);
  if (!e.empty()) return e;
  if (!status.ok()) return status.message();
  return exit_code == 0 ? "" : "exited with " + std::to_string(exit_code);
}

RunOutcome run_to_completion(const SpawnSpec& spec, std::chrono::milliseconds timeout) {
  RunOutcome o;
  const auto start = std::chrono::steady_clock::now();
  auto child = spawn_child(spec);
  if (!child.ok()) {
    o.status = child.status();
    return o;
  }
  o.started = true;
  const auto deadline = start + timeout;
  int st = 0;
  bool exited = false;
  while (!exited) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd fds[3] = {{child->out_fd, POLLIN, 0}, {child->err_fd, POLLIN, 0}, {child->pidfd, POLLIN, 0}};
    poll(fds, 3, static_cast<int>(std::min<long long>(left.count(), 1000)));
    drain_output(child->out_fd, o.out);
    drain_output(child->err_fd, o.err);
    if (fds[2].revents) exited = reap_child(child->pid, &st);
  }
  kill(-child->pid, SIGKILL);  // what it left running in its group, or itself on timeout
  if (!exited) {
    while (!reap_child(child->pid, &st)) usleep(1000);
    o.status = timeout_error(spec.path + " timed out after " + std::to_string(timeout.count()) + " ms");
  } else if (WIFEXITED(st)) {
    o.exit_code = WEXITSTATUS(st);
  } else if (WIFSIGNALED(st)) {
    o.status = internal_error(spec.path + " killed by signal " + std::to_string(WTERMSIG(st)));
  }
  drain_output(child->out_fd, o.out);
  drain_output(child->err_fd, o.err);
  close(child->out_fd);
  close(child->err_fd);
  close(child->pidfd);
  o.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return o;
}

}  // namespace crm
