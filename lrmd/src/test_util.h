// Shared helpers for the lrmd tests: a private OCF root (our agents from the
// source tree, the installed heartbeat agents, test agents written by the
// test), an event loop with an Executor, and waiting for results.
#pragma once

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crm/core/clock.h"
#include "crm/core/event_loop.h"
#include "crm/lrmd/lrmd.h"

namespace crm::lrmd::testing {

namespace fs = std::filesystem;

// A temporary directory removed (recursively) on destruction.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/crm-lrmd-test.XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void write_file(const std::string& path, const std::string& text, bool executable = false) {
  fs::create_directories(fs::path(path).parent_path());
  {
    std::ofstream out(path);
    out << text;
  }
  if (executable) chmod(path.c_str(), 0755);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// True when the process is gone (or a zombie nobody has reaped yet).
inline bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  size_t p = line.rfind(')');
  return p != std::string::npos && p + 2 < line.size() && line[p + 2] == 'Z';
}

// <tmp>/ocf with resource.d/{crm -> source agents, heartbeat -> installed,
// test -> written by tests}, lib -> installed ocf lib.
class OcfTree {
 public:
  OcfTree() {
    root_ = dir_.path() + "/ocf";
    fs::create_directories(root_ + "/resource.d/test");
    fs::create_symlink(std::string(CRM_SOURCE_DIR) + "/agents/ocf", root_ + "/resource.d/crm");
    if (fs::exists("/usr/lib/ocf/resource.d/heartbeat")) {
      fs::create_symlink("/usr/lib/ocf/resource.d/heartbeat", root_ + "/resource.d/heartbeat");
    }
    if (fs::exists("/usr/lib/ocf/lib")) fs::create_symlink("/usr/lib/ocf/lib", root_ + "/lib");
    fs::create_directories(dir_.path() + "/rsctmp");
  }
  const std::string& root() const { return root_; }
  std::string tmp() const { return dir_.path(); }
  std::string rsctmp() const { return dir_.path() + "/rsctmp"; }
  // Writes a test agent ocf:test:<name>.
  void add_agent(const std::string& name, const std::string& script) {
    write_file(root_ + "/resource.d/test/" + name, script, true);
  }

 private:
  TempDir dir_;
  std::string root_;
};

class ExecutorHarness {
 public:
  explicit ExecutorHarness(ExecutorOptions opts) : loop_(clock_), executor_(loop_, std::move(opts)) {
    executor_.set_result_callback([this](const ExecResult& r) { results_.push_back(r); });
  }
  Executor& executor() { return executor_; }
  EventLoop& loop() { return loop_; }
  std::vector<ExecResult>& results() { return results_; }

  // Runs the loop until `done` or `limit` passes; false on timeout.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (!loop_.run_once(std::chrono::milliseconds(50)).ok()) return false;
    }
    return true;
  }
  // Runs the loop for `d`.
  void run_for(std::chrono::milliseconds d) {
    auto deadline = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < deadline) (void)loop_.run_once(std::chrono::milliseconds(20));
  }

  // Submits and waits for that call's first result.
  ExecResult run(const ExecRequest& req, std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    auto id = executor_.exec(req);
    EXPECT_TRUE(id.ok()) << id.status().to_string();
    if (!id.ok()) return ExecResult{};
    size_t idx = 0;
    bool ok = run_until(
        [&] {
          for (; idx < results_.size(); ++idx) {
            if (results_[idx].call_id == *id) return true;
          }
          return false;
        },
        limit);
    EXPECT_TRUE(ok) << "no result for " << req.op_key();
    if (!ok) return ExecResult{};
    return results_[idx];
  }

 private:
  SystemClock clock_;
  EventLoop loop_;
  Executor executor_;
  std::vector<ExecResult> results_;
};

inline ExecRequest ocf(const std::string& rsc, const std::string& provider, const std::string& type,
                       const std::string& action, std::map<std::string, std::string> params = {},
                       uint32_t interval_ms = 0, uint32_t timeout_ms = 20000) {
  ExecRequest r;
  r.rsc_id = rsc;
  r.standard = "ocf";
  r.provider = provider;
  r.type = type;
  r.action = action;
  r.params = std::move(params);
  r.interval_ms = interval_ms;
  r.timeout_ms = timeout_ms;
  return r;
}

}  // namespace crm::lrmd::testing
