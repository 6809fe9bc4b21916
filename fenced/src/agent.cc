#include "agent.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "crm/core/child_process.h"

namespace crm::fenced {
namespace {

void drain(int fd, std::string& into) { drain_output(fd, into); }

bool valid_agent_name(const std::string& a) {
  if (a.empty() || a[0] == '.') return false;
  return std::all_of(a.begin(), a.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; });
}

void outcome_from_wait(int st, AgentOutcome& o) {
  if (WIFEXITED(st)) {
    o.rc = WEXITSTATUS(st);
  } else if (WIFSIGNALED(st)) {
    o.rc = 1;
    o.status = internal_error(std::string("agent killed by signal ") + std::to_string(WTERMSIG(st)));
  }
}

}  // namespace

std::string AgentOutcome::reason() const {
  RunOutcome r;  // one rule for why a program failed (core/child_process.h)
  r.status = status;
  r.started = true;
  r.exit_code = rc;
  r.err = error;
  return r.reason();
}

std::vector<std::string> default_agent_dirs() {
  const char* env = std::getenv("CRM_FENCE_AGENT_DIRS");
  std::string s = env && *env ? env : "/usr/sbin:/usr/bin";
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t c = s.find(':', start);
    std::string d = s.substr(start, c == std::string::npos ? std::string::npos : c - start);
    if (!d.empty()) out.push_back(d);
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

struct ProcessAgentRunner::Running {
  Child child;
  Done done;
  std::string out, err;
  EventLoop::TimerId timer = 0;
  Clock::Monotonic started;
};

ProcessAgentRunner::ProcessAgentRunner(EventLoop& loop, std::vector<std::string> dirs)
    : loop_(loop), dirs_(std::move(dirs)) {}

ProcessAgentRunner::~ProcessAgentRunner() {
  *alive_ = false;
  kill_all();
}

Result<std::string> ProcessAgentRunner::find(const std::string& agent) const {
  if (!valid_agent_name(agent)) return invalid_argument("'" + agent + "' is not a fence agent name");
  for (const auto& d : dirs_) {
    std::string p = d + "/" + agent;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return not_found("fence agent '" + agent + "' is not installed (looked in " + [&] {
    std::string s;
    for (const auto& d : dirs_) s += (s.empty() ? "" : ":") + d;
    return s;
  }() + ")");
}

std::vector<std::string> ProcessAgentRunner::installed() const {
  std::vector<std::string> out;
  for (const auto& d : dirs_) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(d, ec)) {
      std::string n = e.path().filename().string();
      if (n.rfind("fence_", 0) == 0 && access(e.path().c_str(), X_OK) == 0 &&
          std::find(out.begin(), out.end(), n) == out.end()) {
        out.push_back(n);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<AgentInfo> ProcessAgentRunner::info(const std::string& agent) {
  if (auto it = info_cache_.find(agent); it != info_cache_.end()) return it->second;
  ASSIGN_OR_RETURN(std::string path, find(agent));
  AgentOutcome o = run_agent_blocking(path, "action=metadata\n", std::chrono::seconds(10), {"-o", "metadata"});
  if (!o.status.ok()) return o.status.with_context("meta-data of " + agent);
  auto parsed = parse_agent_metadata(o.output);
  if (!parsed.ok()) return parsed.status().with_context(agent);
  info_cache_[agent] = *parsed;
  return *parsed;
}

void ProcessAgentRunner::run(const std::string& agent, const std::string& stdin_text,
                             std::chrono::milliseconds timeout, Done done) {
  std::weak_ptr<bool> alive = alive_;
  auto fail = [&](Status s) {
    loop_.post([alive, done, s] {
      if (alive.expired()) return;
      AgentOutcome o;
      o.status = s;
      o.rc = s.code() == StatusCode::kNotFound ? 5 : 1;
      done(o);
    });
  };
  auto path = find(agent);
  if (!path.ok()) return fail(path.status());
  SpawnSpec spec;
  spec.path = *path;
  spec.argv = {*path};
  spec.env = inherited_environment({});
  spec.stdin_data = stdin_text;
  auto child = spawn_child(spec);
  if (!child.ok()) return fail(child.status());
  auto r = std::make_unique<Running>();
  r->child = *child;
  r->done = std::move(done);
  r->started = loop_.clock().monotonic_now();
  int pid = child->pid;
  Running* raw = r.get();
  running_[pid] = std::move(r);
  loop_.watch_fd(raw->child.out_fd, [raw] { drain(raw->child.out_fd, raw->out); });
  loop_.watch_fd(raw->child.err_fd, [raw] { drain(raw->child.err_fd, raw->err); });
  loop_.watch_fd(raw->child.pidfd, [this, pid] { finish(pid, false); });
  raw->timer = loop_.add_timer(timeout, [this, pid] {
    auto it = running_.find(pid);
    if (it == running_.end()) return;
    it->second->timer = 0;
    kill(-pid, SIGKILL);
    finish(pid, true);
  });
}

void ProcessAgentRunner::finish(int pid, bool timed_out) {
  auto it = running_.find(pid);
  if (it == running_.end()) return;
  Running& r = *it->second;
  int st = 0;
  if (timed_out) {
    // The group was SIGKILLed: the exit is near; wait for it so nothing is left.
    int guard = 0;
    while (!reap_child(pid, &st) && guard++ < 2000) usleep(1000);
  } else if (!reap_child(pid, &st)) {
    return;  // spurious wakeup
  }
  // Children of the agent that kept running are killed with its group.
  if (!timed_out) kill(-pid, SIGKILL);
  drain(r.child.out_fd, r.out);
  drain(r.child.err_fd, r.err);
  for (int fd : {r.child.out_fd, r.child.err_fd, r.child.pidfd}) {
    loop_.unwatch_fd(fd);
    close(fd);
  }
  if (r.timer) loop_.cancel_timer(r.timer);
  AgentOutcome o;
  outcome_from_wait(st, o);
  if (timed_out) {
    o.rc = 1;
    o.status = timeout_error("agent timed out");
  }
  o.output = std::move(r.out);
  o.error = std::move(r.err);
  o.duration = std::chrono::duration_cast<std::chrono::milliseconds>(loop_.clock().monotonic_now() - r.started);
  Done done = std::move(r.done);
  running_.erase(it);
  std::weak_ptr<bool> alive = alive_;
  loop_.post([alive, done, o] {
    if (!alive.expired()) done(o);
  });
}

void ProcessAgentRunner::kill_all() {
  for (auto& [pid, r] : running_) {
    kill(-pid, SIGKILL);
    int st;
    int guard = 0;
    while (!reap_child(pid, &st) && guard++ < 2000) usleep(1000);
    for (int fd : {r->child.out_fd, r->child.err_fd, r->child.pidfd}) {
      loop_.unwatch_fd(fd);
      close(fd);
    }
    if (r->timer) loop_.cancel_timer(r->timer);
  }
  running_.clear();
}

size_t ProcessAgentRunner::running() const { return running_.size(); }

AgentOutcome run_agent_blocking(const std::string& path, const std::string& stdin_text,
                                std::chrono::milliseconds timeout, const std::vector<std::string>& extra_args) {
  SpawnSpec spec;
  spec.path = path;
  spec.argv = {path};
  for (const auto& a : extra_args) spec.argv.push_back(a);
  spec.env = inherited_environment({});
  spec.stdin_data = stdin_text;
  RunOutcome r = run_to_completion(spec, timeout);
  AgentOutcome o;
  o.status = r.status;
  o.rc = !r.started ? 5 : r.status.ok() ? r.exit_code : 1;  // 5: not installed, as OCF's
  o.output = std::move(r.out);
  o.error = std::move(r.err);
  o.duration = r.duration;
  return o;
}

}  // namespace crm::fenced
