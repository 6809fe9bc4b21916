// Spawning agents (shared by lrmd and fenced): posix_spawn in a new session (so a timeout can kill the
// agent's whole process group), default signal dispositions and an empty
// signal mask (the event loop blocks signals it reads through signalfd), only
// fds 0-2 inherited, stdout/stderr on non-blocking pipes, and a pidfd to wait
// on from the event loop.
#pragma once

#include <sys/types.h>

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

// The current environment minus variables matching any of `drop_prefixes`.
std::vector<std::string> inherited_environment(const std::vector<std::string>& drop_prefixes);

}  // namespace crm
