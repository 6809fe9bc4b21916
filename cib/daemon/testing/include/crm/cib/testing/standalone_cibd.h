// Test-only: the real cibd as a child process in standalone mode (no
// corosync), with its state, run directory and log under a test's directory.
//
//   StandaloneCibd cibd(dir, CRM_BINARY_DIR "/bin/cibd", CRM_SCHEMA_DIR);
//   ASSERT_TRUE(cibd.start().ok());
//   ... CRM_RUN_DIR=cibd.run_dir() for tools, or connect(cibd.options()) ...
#pragma once

#include <sys/types.h>

#include <string>

#include "crm/cib/client.h"

namespace crm::cib::testing {

class StandaloneCibd {
 public:
  StandaloneCibd(std::string dir, std::string binary, std::string schema_dir)
      : dir_(std::move(dir)), binary_(std::move(binary)), schema_dir_(std::move(schema_dir)) {}
  // Kills (SIGKILL) and reaps a daemon still running.
  ~StandaloneCibd();
  StandaloneCibd(const StandaloneCibd&) = delete;
  StandaloneCibd& operator=(const StandaloneCibd&) = delete;

  // Starts cibd --standalone (stderr appended to log()) and waits up to 5 s
  // until a client can connect; unavailable (with the log) otherwise.
  Status start();
  // Sends `sig`, reaps the daemon and returns its wait status.
  int stop(int sig);

  pid_t pid() const { return pid_; }
  std::string run_dir() const { return dir_ + "/run"; }
  std::string state_dir() const { return dir_ + "/state"; }
  std::string log() const { return dir_ + "/cibd.log"; }
  std::string socket() const { return run_dir() + "/cib.sock"; }
  // Client options that reach this daemon (10 s timeout).
  ClientOptions options() const;

 private:
  std::string dir_, binary_, schema_dir_;
  pid_t pid_ = -1;
};

}  // namespace crm::cib::testing
