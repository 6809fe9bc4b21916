// Spawning agents (shared by lrmd and fenced): posix_spawn in a new session (so a timeout can kill the
// agent's whole process group), default signal dispositions and an empty
// signal mask (the event loop blocks signals it reads through signalfd), only
// fds 0-2 inherited, stdout/stderr on non-blocking pipes, and a pidfd to wait
// on from the event loop.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "crm/core/status.h"

namespace crm {

struct SpawnSpec {
  std::string path;                // absolute path of the program
  std::vector<std::string> argv;   // argv[0] included
  std::vector<std::string> env;    // "KEY=value"
  std::string stdin_data;          // written to the child's stdin (must fit a pipe: < 64 KiB)
};

struct Child {
  pid_t pid = -1;     // also the process group and session id
  int pidfd = -1;     // readable when the child exits
  int out_fd = -1;    // non-blocking read end of stdout
  int err_fd = -1;    // non-blocking read end of stderr
};

// Starts the program. On failure nothing is left open or running; the error
// says why (ENOENT, EACCES, ...). The caller owns the fds and must reap the pid.
Result<Child> spawn_child(const SpawnSpec& spec);

// Reaps `pid` without blocking: true and the wait status when it has exited.
bool reap_child(pid_t pid, int* wait_status);

// Appends what can be read from the non-blocking `fd` now to `into`,
// keeping only its last `cap` bytes (an agent's output is bounded).
void drain_output(int fd, std::string& into, size_t cap = 64 * 1024);

// How a program run to completion ended.
struct RunOutcome {
  Status status;          // ok: it exited (see exit_code); else why not: it did not start,
                          // it was killed by a signal, or timeout (then killed)
  bool started = false;   // false: it could not be spawned (status says why)
  int exit_code = 1;      // when it exited
  std::string out, err;   // the last 64 KiB of each
  std::chrono::milliseconds duration{0};
  bool ok() const { return status.ok() && exit_code == 0; }
  // Why it failed: the last non-empty stderr line, else what ended it.
  std::string reason() const;
};

// Runs the program to completion without an event loop (a worker thread or a
// tool); past `timeout` its whole process group is killed.
RunOutcome run_to_completion(const SpawnSpec& spec, std::chrono::milliseconds timeout);

// The current environment minus variables matching any of `drop_prefixes`.
std::vector<std::string> inherited_environment(const std::vector<std::string>& drop_prefixes);

}  // namespace crm
