#include "crm/cib/testing/standalone_cibd.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

namespace crm::cib::testing {

StandaloneCibd::~StandaloneCibd() {
  if (pid_ > 0) stop(SIGKILL);
}

ClientOptions StandaloneCibd::options() const {
  ClientOptions o;
  o.socket = socket();
  o.timeout = std::chrono::seconds(10);
  return o;
}

Status StandaloneCibd::start() {
  const std::string log_path = log();
  pid_ = ::fork();
  if (pid_ < 0) return errno_error("fork", errno);
  if (pid_ == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 2);
    ::setenv("CRM_STATE_DIR", state_dir().c_str(), 1);
    ::setenv("CRM_RUN_DIR", run_dir().c_str(), 1);
    ::setenv("CRM_SCHEMA_DIR", schema_dir_.c_str(), 1);
    ::execl(binary_.c_str(), "cibd", "--standalone", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 200; ++i) {
    if (connect(options()).ok()) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  std::ifstream in(log_path);
  return unavailable("cibd did not start: " + std::string(std::istreambuf_iterator<char>(in), {}));
}

int StandaloneCibd::stop(int sig) {
  ::kill(pid_, sig);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

}  // namespace crm::cib::testing
