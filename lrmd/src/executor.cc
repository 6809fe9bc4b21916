// The in-process executor: per-resource operation queues, agent processes
// watched through pidfds and pipes on the event loop, timeouts with SIGTERM
// then SIGKILL to the agent's process group, recurring monitors, cancellation,
// and the mapping of each class's exit codes onto OCF codes.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "crm/core/feature_set.h"
#include "crm/core/op_key.h"
#include "crm/lrmd/lrmd.h"
#include "crm/lrmd/metadata.h"
#include "crm/core/child_process.h"
#include "systemd.h"

namespace crm::lrmd {

std::chrono::milliseconds first_repeat_delay(const std::string& op_key, uint32_t interval_ms) {
  // FNV-1a: the same spread on every node and in every build.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : op_key) h = (h ^ c) * 1099511628211ull;
  const uint64_t half = interval_ms / 2;
  return std::chrono::milliseconds(interval_ms - (half == 0 ? 0 : h % half));
}
namespace {

constexpr uint32_t kMetadataTimeoutMs = 10000;
constexpr uint32_t kSystemdPollMs = 100;
constexpr size_t kMaxExitReason = 512;
constexpr const char* kExitReasonPrefix = "ocf-exit-reason:";

using OpKey = std::tuple<std::string, std::string, uint32_t>;

void append_tail(std::string& buf, const char* data, size_t n, size_t max) {
  buf.append(data, n);
  if (buf.size() > 2 * max + 4096) buf.erase(0, buf.size() - max);
}

void trim_tail(std::string& buf, size_t max) {
  if (buf.size() > max) buf.erase(0, buf.size() - max);
}

// The text after the last "ocf-exit-reason:" up to the end of its line.
std::string last_exit_reason(const std::string& err) {
  size_t pos = err.rfind(kExitReasonPrefix);
  if (pos == std::string::npos) return "";
  size_t start = pos + std::strlen(kExitReasonPrefix);
  size_t end = err.find('\n', start);
  std::string r = err.substr(start, end == std::string::npos ? std::string::npos : end - start);
  while (!r.empty() && (r.back() == '\r' || r.back() == ' ')) r.pop_back();
  while (!r.empty() && r.front() == ' ') r.erase(0, 1);
  if (r.size() > kMaxExitReason) r.resize(kMaxExitReason);
  return r;
}

bool is_meta_key(const std::string& k) { return k.rfind("CRM_meta_", 0) == 0; }

// Actions for which the agent's required parameters must be present.
bool needs_param_check(const std::string& action) {
  return action != "stop" && action != "meta-data" && action != "metadata";
}

bool is_failure(const ExecResult& r) { return !r.ok(); }

// LSB/systemd classes have no agent meta-data; this is what we report.
std::string synthetic_metadata(const std::string& standard, const std::string& type) {
  return fmt::format(
      "<?xml version=\"1.0\"?>\n<resource-agent name=\"{}\" version=\"1.0\">\n"
      "  <version>1.1</version>\n"
      "  <shortdesc lang=\"en\">{} {}</shortdesc>\n"
      "  <longdesc lang=\"en\">{} resource {} (no parameters)</longdesc>\n"
      "  <parameters/>\n  <actions>\n"
      "    <action name=\"start\" timeout=\"100s\"/>\n    <action name=\"stop\" timeout=\"100s\"/>\n"
      "    <action name=\"monitor\" timeout=\"100s\" interval=\"60s\"/>\n"
      "    <action name=\"meta-data\" timeout=\"5s\"/>\n  </actions>\n</resource-agent>\n",
      type, standard, type, standard, type);
}

}  // namespace

class Executor::Impl {
 public:
  struct Op {
    int call_id = 0;
    ExecRequest req;
    Clock::Monotonic submitted;
    bool cancelled = false;
    std::optional<std::pair<int, ExecStatus>> last_reported;
    EventLoop::TimerId next_run = 0;
    EventLoop::TimerId poll_timer = 0;  // systemd state polling
    Clock::Monotonic deadline;          // systemd
    std::string job_path;               // systemd job not known to be finished yet
    std::time_t start_wall = 0;
    Clock::Monotonic started;
    bool repeated = false;  // ran again after its first run (see first_repeat_delay)
  };
  using OpPtr = std::shared_ptr<Op>;

  struct Run {
    OpPtr op;
    bool metadata_probe = false;  // meta-data run before the real one
    std::string agent_path;
    Child child;
    std::string out, err;
    Clock::Monotonic started;
    std::time_t start_wall = 0;
    EventLoop::TimerId timeout_timer = 0;
    EventLoop::TimerId kill_timer = 0;
    bool timed_out = false;
    uint32_t timeout_ms = 0;
  };

  struct Resource {
    std::deque<OpPtr> queue;
    OpPtr active;
  };

  struct CachedMetadata {
    struct timespec mtime {};
    std::optional<AgentMetadata> md;  // nullopt: agent gave no usable meta-data
  };

  Impl(EventLoop& loop, ExecutorOptions opts) : loop_(loop), opts_(std::move(opts)) {
    if (opts_.paths.ocf_root.empty()) opts_.paths.ocf_root = AgentPaths::defaults().ocf_root;
    // A fence agent that exits before reading its stdin must not kill us.
    signal(SIGPIPE, SIG_IGN);
  }

  ~Impl() {
    shutdown();
    *alive_ = false;
  }

  // ---- submission ------------------------------------------------------------------

  Result<int> exec(const ExecRequest& in) {
    if (shut_down_) return unavailable("executor is shutting down");
    if (in.rsc_id.empty()) return invalid_argument("exec: resource id is empty");
    if (in.action.empty()) return invalid_argument("exec: action is empty for " + in.rsc_id);
    ExecRequest req = in;
    if (req.standard == kClassService) {
      struct stat st;
      req.standard = stat((opts_.paths.lsb_dir + "/" + req.type).c_str(), &st) == 0 ? kClassLsb : kClassSystemd;
    }
    if (req.standard == kClassAlert) {
      if (req.type.empty() || req.type[0] != '/') {
        return invalid_argument("exec " + req.rsc_id + ": an alert agent's path must be absolute, not '" + req.type + "'");
      }
      if (req.interval_ms != 0) return invalid_argument("exec " + req.rsc_id + ": an alert cannot recur");
    } else if (req.standard != kClassOcf && req.standard != kClassLsb && req.standard != kClassSystemd &&
               req.standard != kClassStonith) {
      return invalid_argument("exec " + req.rsc_id + ": unknown resource class '" + req.standard + "'");
    } else if (req.type.empty() || req.type.find('/') != std::string::npos || req.type == "." || req.type == "..") {
      return invalid_argument("exec " + req.rsc_id + ": bad agent type '" + req.type + "'");
    }
    if (req.standard == kClassOcf && req.provider.empty()) {
      return invalid_argument("exec " + req.rsc_id + ": ocf class needs a provider");
    }
    if (req.provider.find('/') != std::string::npos) {
      return invalid_argument("exec " + req.rsc_id + ": bad provider '" + req.provider + "'");
    }
    if (req.standard != kClassAlert) {
      if (!req.params.count("CRM_meta_timeout")) req.params["CRM_meta_timeout"] = std::to_string(req.timeout_ms);
      if (!req.params.count("CRM_meta_interval")) req.params["CRM_meta_interval"] = std::to_string(req.interval_ms);
    }

    auto op = std::make_shared<Op>();
    op->call_id = next_call_++;
    op->req = std::move(req);
    op->submitted = loop_.clock().monotonic_now();
    if (op->req.interval_ms > 0) {
      OpKey key{op->req.rsc_id, op->req.action, op->req.interval_ms};
      auto it = recurring_.find(key);
      if (it != recurring_.end()) {  // replaced: the old one just stops
        drop_recurring(it->second);
        recurring_.erase(it);
      }
      recurring_[key] = op;
    }
    enqueue(op);
    return op->call_id;
  }

  Status cancel(const std::string& rsc_id, const std::string& action, uint32_t interval_ms) {
    OpPtr victim;
    if (interval_ms > 0) {
      auto it = recurring_.find(OpKey{rsc_id, action, interval_ms});
      if (it != recurring_.end()) {
        victim = it->second;
        recurring_.erase(it);
      }
    } else {
      auto r = rscs_.find(rsc_id);
      if (r != rscs_.end()) {
        for (auto q = r->second.queue.begin(); q != r->second.queue.end(); ++q) {
          if ((*q)->req.action == action && (*q)->req.interval_ms == 0 && !(*q)->cancelled) {
            victim = *q;
            r->second.queue.erase(q);
            break;
          }
        }
        if (!victim && r->second.active && r->second.active->req.action == action &&
            r->second.active->req.interval_ms == 0) {
          return Status(StatusCode::kInvalidArgument,
                        "cannot cancel " + op_key(rsc_id, action, 0) + ": it is already running");
        }
      }
    }
    if (!victim) {
      return not_found(fmt::format("no operation {}_{}_{} to cancel", rsc_id, action, interval_ms));
    }
    drop_recurring(victim);
    ExecResult r = base_result(*victim);
    r.op_status = ExecStatus::kCancelled;
    r.rc = kOcfOk;
    post([this, r] { deliver(r); });
    return Status::Ok();
  }

  std::vector<RecurringOp> recurring_ops() const {
    std::vector<RecurringOp> out;
    for (const auto& [key, op] : recurring_) out.push_back(RecurringOp{op->req, op->call_id});
    return out;
  }

  std::vector<ExecResult> last_results(const std::string& rsc_id) const {
    std::vector<std::pair<uint64_t, const ExecResult*>> sel;
    for (const auto& [key, v] : last_) {
      if (rsc_id.empty() || std::get<0>(key) == rsc_id) sel.emplace_back(v.first, &v.second);
    }
    std::sort(sel.begin(), sel.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<ExecResult> out;
    for (auto& [seq, r] : sel) out.push_back(*r);
    return out;
  }

  void shutdown() {
    if (shut_down_) return;
    shut_down_ = true;
    for (auto& [key, op] : recurring_) drop_recurring(op);
    recurring_.clear();
    for (auto& [name, rsc] : rscs_) {
      for (auto& op : rsc.queue) drop_recurring(op);
      if (rsc.active) drop_recurring(rsc.active);
    }
    for (auto& [pid, run] : runs_) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      release_run(*run);
      int st;
      while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
      }
    }
    runs_.clear();
    rscs_.clear();
    waiting_.clear();
    waiting_set_.clear();
    bus_.reset();
  }

  size_t running_count() const { return runs_.size(); }

  size_t pending_count() const {
    size_t n = recurring_.size();
    for (const auto& [name, rsc] : rscs_) {
      for (const auto& op : rsc.queue) n += op->req.interval_ms == 0 ? 1 : 0;
      if (rsc.active && rsc.active->req.interval_ms == 0) ++n;
    }
    return n;
  }

  void set_callback(ResultCallback cb) { cb_ = std::move(cb); }
  const ExecutorOptions& options() const { return opts_; }

 private:
  // ---- queueing ----------------------------------------------------------------------

  void post(std::function<void()> fn) {
    std::weak_ptr<bool> alive = alive_;
    loop_.post([alive, fn = std::move(fn)] {
      if (auto a = alive.lock(); a && *a) fn();
    });
  }

  void enqueue(const OpPtr& op) {
    rscs_[op->req.rsc_id].queue.push_back(op);
    std::string rsc = op->req.rsc_id;
    post([this, rsc] { pump(rsc); });
  }

  void pump(const std::string& rsc_id) {
    if (shut_down_) return;
    auto it = rscs_.find(rsc_id);
    if (it == rscs_.end()) return;
    Resource& rsc = it->second;
    if (rsc.active) return;
    if (opts_.max_running && runs_.size() >= opts_.max_running && !rsc.queue.empty()) {
      if (!waiting_set_.count(rsc_id)) {
        waiting_set_.insert(rsc_id);
        waiting_.push_back(rsc_id);
      }
      return;
    }
    while (!rsc.queue.empty()) {
      OpPtr op = rsc.queue.front();
      rsc.queue.pop_front();
      if (op->cancelled) continue;
      rsc.active = op;
      start(op);
      return;
    }
    rscs_.erase(it);  // idle: forget it (keeps memory flat with many resources)
  }

  // A slot freed: let resources that waited for one start, oldest first.
  void wake_waiting() {
    size_t slots = opts_.max_running ? opts_.max_running - std::min(opts_.max_running, runs_.size()) : waiting_.size();
    while (slots-- > 0 && !waiting_.empty()) {
      std::string rsc = std::move(waiting_.front());
      waiting_.pop_front();
      waiting_set_.erase(rsc);
      post([this, rsc] { pump(rsc); });
    }
  }

  void drop_recurring(const OpPtr& op) {
    op->cancelled = true;
    if (op->next_run) loop_.cancel_timer(op->next_run);
    if (op->poll_timer) loop_.cancel_timer(op->poll_timer);
    op->next_run = op->poll_timer = 0;
  }

  // ---- starting an operation -----------------------------------------------------------

  ExecResult base_result(const Op& op) const {
    ExecResult r;
    r.rsc_id = op.req.rsc_id;
    r.action = op.req.action;
    r.interval_ms = op.req.interval_ms;
    r.call_id = op.call_id;
    r.standard = op.req.standard;
    r.provider = op.req.provider;
    r.type = op.req.type;
    return r;
  }

  void finish_early(const OpPtr& op, ExecStatus status, int rc, std::string reason) {
    ExecResult r = base_result(*op);
    r.op_status = status;
    r.rc = rc;
    r.exit_reason = std::move(reason);
    r.start_time = loop_.clock().wall_now();
    r.queue_ms = ms_since(op->submitted);
    finish(op, std::move(r));
  }

  uint32_t ms_since(Clock::Monotonic t) const {
    auto d = std::chrono::duration_cast<std::chrono::milliseconds>(loop_.clock().monotonic_now() - t).count();
    return d < 0 ? 0 : static_cast<uint32_t>(d);
  }

  // Path of the agent program, or a not-installed reason.
  Result<std::string> agent_path(const ExecRequest& req) const {
    std::vector<std::string> candidates;
    if (req.standard == kClassOcf) {
      candidates.push_back(opts_.paths.ocf_root + "/resource.d/" + req.provider + "/" + req.type);
    } else if (req.standard == kClassLsb) {
      candidates.push_back(opts_.paths.lsb_dir + "/" + req.type);
    } else if (req.standard == kClassStonith) {
      for (const auto& d : opts_.paths.stonith_dirs) candidates.push_back(d + "/" + req.type);
    } else if (req.standard == kClassAlert) {
      candidates.push_back(req.type);
    }
    for (const auto& c : candidates) {
      struct stat st;
      if (stat(c.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (access(c.c_str(), X_OK) != 0) return permission_denied(c + " is not executable");
      return c;
    }
    std::string where = candidates.empty() ? "" : candidates.front();
    if (candidates.size() > 1) where = "any of " + fmt::format("{}", fmt::join(opts_.paths.stonith_dirs, ", "));
    return not_found(req.agent_spec() + " is not installed (no " + (candidates.size() > 1 ? req.type + " in " : "") +
                     where + ")");
  }

  void start(const OpPtr& op) {
    const ExecRequest& req = op->req;
    if (req.standard == kClassSystemd) {
      start_systemd(op);
      return;
    }
    if (req.standard == kClassLsb && (req.action == "meta-data" || req.action == "metadata")) {
      ExecResult r = base_result(*op);
      r.op_status = ExecStatus::kDone;
      r.rc = kOcfOk;
      r.output = synthetic_metadata(req.standard, req.type);
      r.start_time = loop_.clock().wall_now();
      finish(op, std::move(r));
      return;
    }
    auto path = agent_path(req);
    if (!path.ok()) {
      bool perm = path.status().code() == StatusCode::kPermissionDenied;
      finish_early(op, perm ? ExecStatus::kError : ExecStatus::kNotInstalled, perm ? kOcfErrPerm : kOcfErrInstalled,
                   path.status().message());
      return;
    }
    if (req.standard == kClassStonith) {
      const std::string& a = req.action;
      if (a == "stop") {
        stonith_started_.erase(req.rsc_id);
        finish_early(op, ExecStatus::kDone, kOcfOk, "");
        return;
      }
      if (a == "monitor" && !stonith_started_.count(req.rsc_id)) {
        finish_early(op, ExecStatus::kDone, kOcfNotRunning, "");
        return;
      }
    }
    bool check = opts_.check_required_params && needs_param_check(req.action) &&
                 (req.standard == kClassOcf || req.standard == kClassStonith);
    if (check) {
      const CachedMetadata* cached = cached_metadata(*path);
      if (!cached) {
        spawn_run(op, *path, /*metadata_probe=*/true);
        return;
      }
      if (!check_params(op, cached->md)) return;
    }
    spawn_run(op, *path, false);
  }

  const CachedMetadata* cached_metadata(const std::string& path) const {
    auto it = md_cache_.find(path);
    if (it == md_cache_.end()) return nullptr;
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return nullptr;
    if (st.st_mtim.tv_sec != it->second.mtime.tv_sec || st.st_mtim.tv_nsec != it->second.mtime.tv_nsec) return nullptr;
    return &it->second;
  }

  // False (and the op finished as invalid) when a required parameter is missing.
  bool check_params(const OpPtr& op, const std::optional<AgentMetadata>& md) {
    if (!md) return true;  // no usable meta-data: let the agent judge
    static const std::vector<std::string> kFencerSupplied = {"action", "port", "plug", "nodename"};
    auto missing = md->missing_required(op->req.params, op->req.standard == kClassStonith
                                                            ? kFencerSupplied
                                                            : std::vector<std::string>{});
    if (missing.empty()) return true;
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "'" : ", '") + m + "'";
    finish_early(op, ExecStatus::kInvalid, kOcfErrConfigured,
                 fmt::format("{} {} of {}: required parameter{} {} missing", op->req.agent_spec(), op->req.action,
                             op->req.rsc_id, missing.size() > 1 ? "s" : "", names + (missing.size() > 1 ? " are" : " is")));
    return false;
  }

  std::vector<std::string> environment(const ExecRequest& req) const {
    std::map<std::string, std::string> env;
    for (const auto& e : inherited_environment({"OCF_"})) {
      size_t eq = e.find('=');
      if (eq != std::string::npos) env[e.substr(0, eq)] = e.substr(eq + 1);
    }
    if (!env.count("PATH")) env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const auto& [k, v] : opts_.extra_env) env[k] = v;
    if (req.standard == kClassOcf) {
      env["OCF_ROOT"] = opts_.paths.ocf_root;
      env["OCF_RA_VERSION_MAJOR"] = "1";
      env["OCF_RA_VERSION_MINOR"] = "1";
      env["OCF_RESOURCE_INSTANCE"] = req.rsc_id;
      env["OCF_RESOURCE_TYPE"] = req.type;
      env["OCF_RESOURCE_PROVIDER"] = req.provider;
      env["OCF_EXIT_REASON_PREFIX"] = kExitReasonPrefix;
      env["OCF_RESKEY_crm_feature_set"] = kFeatureSet;
      for (const auto& [k, v] : req.params) env["OCF_RESKEY_" + k] = v;
      if (auto it = req.params.find("OCF_CHECK_LEVEL"); it != req.params.end()) env["OCF_CHECK_LEVEL"] = it->second;
      else if (auto d = req.params.find("CRM_meta_OCF_CHECK_LEVEL"); d != req.params.end()) env["OCF_CHECK_LEVEL"] = d->second;
    }
    if (req.standard == kClassAlert) {
      for (const auto& [k, v] : req.params) env[k] = v;
    }
    std::vector<std::string> out;
    out.reserve(env.size());
    for (const auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
  }

  void spawn_run(const OpPtr& op, const std::string& path, bool metadata_probe) {
    const ExecRequest& req = op->req;
    SpawnSpec spec;
    spec.path = path;
    spec.argv.push_back(path);
    spec.env = environment(req);
    std::string action = metadata_probe ? "meta-data" : req.action;
    if (req.standard == kClassStonith) {
      if (action == "meta-data") action = "metadata";
      if (action == "start") action = "monitor";  // a started device is one that answers
      spec.stdin_data = "action=" + action + "\n";
      for (const auto& [k, v] : req.params) {
        if (is_meta_key(k) || k == "action" || v.find('\n') != std::string::npos) continue;
        spec.stdin_data += k + "=" + v + "\n";
      }
    } else if (req.standard == kClassLsb) {
      spec.argv.push_back(action == "monitor" ? "status" : action);
    } else if (req.standard == kClassAlert) {
      // no arguments: the event is in the environment
    } else {
      spec.argv.push_back(action);
    }

    auto child = spawn_child(spec);
    if (!child.ok()) {
      finish_early(op, ExecStatus::kError, kOcfErrGeneric, child.status().message());
      return;
    }
    auto run = std::make_unique<Run>();
    run->op = op;
    run->metadata_probe = metadata_probe;
    run->agent_path = path;
    run->child = *child;
    run->started = loop_.clock().monotonic_now();
    run->start_wall = loop_.clock().wall_now();
    run->timeout_ms = metadata_probe ? kMetadataTimeoutMs : std::max<uint32_t>(req.timeout_ms, 1);
    pid_t pid = run->child.pid;
    loop_.watch_fd(run->child.out_fd, [this, pid] { on_output(pid, true); });
    loop_.watch_fd(run->child.err_fd, [this, pid] { on_output(pid, false); });
    loop_.watch_fd(run->child.pidfd, [this, pid] { on_exit(pid); });
    run->timeout_timer = loop_.add_timer(std::chrono::milliseconds(run->timeout_ms), [this, pid] { on_timeout(pid); });
    runs_[pid] = std::move(run);
  }

  // ---- running -----------------------------------------------------------------------

  void read_pipe(Run& run, bool out) {
    int& fd = out ? run.child.out_fd : run.child.err_fd;
    if (fd < 0) return;
    std::string& buf = out ? run.out : run.err;
    char tmp[16384];
    while (true) {
      ssize_t n = read(fd, tmp, sizeof(tmp));
      if (n > 0) {
        append_tail(buf, tmp, static_cast<size_t>(n), opts_.max_output_bytes);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      loop_.unwatch_fd(fd);  // EOF or error
      close(fd);
      fd = -1;
      return;
    }
  }

  void on_output(pid_t pid, bool out) {
    auto it = runs_.find(pid);
    if (it != runs_.end()) read_pipe(*it->second, out);
  }

  void on_timeout(pid_t pid) {
    auto it = runs_.find(pid);
    if (it == runs_.end()) return;
    Run& run = *it->second;
    run.timeout_timer = 0;
    run.timed_out = true;
    kill(-pid, SIGTERM);
    run.kill_timer = loop_.add_timer(opts_.kill_grace, [this, pid] {
      auto r = runs_.find(pid);
      if (r == runs_.end()) return;
      r->second->kill_timer = 0;
      kill(-pid, SIGKILL);
    });
  }

  // Closes fds, unwatches, cancels timers (does not reap).
  void release_run(Run& run) {
    for (int* fd : {&run.child.out_fd, &run.child.err_fd, &run.child.pidfd}) {
      if (*fd >= 0) {
        loop_.unwatch_fd(*fd);
        close(*fd);
        *fd = -1;
      }
    }
    if (run.timeout_timer) loop_.cancel_timer(run.timeout_timer);
    if (run.kill_timer) loop_.cancel_timer(run.kill_timer);
    run.timeout_timer = run.kill_timer = 0;
  }

  void on_exit(pid_t pid) {
    auto it = runs_.find(pid);
    if (it == runs_.end()) return;
    int status = 0;
    if (!reap_child(pid, &status)) return;  // spurious wakeup
    std::unique_ptr<Run> run = std::move(it->second);
    runs_.erase(it);
    wake_waiting();
    // What the agent wrote before exiting is in the pipes; anything a daemon it
    // started writes later is not ours to wait for.
    read_pipe(*run, true);
    read_pipe(*run, false);
    release_run(*run);
    // A timed-out agent's leftovers (children that ignored SIGTERM) go now.
    if (run->timed_out) kill(-pid, SIGKILL);
    trim_tail(run->out, opts_.max_output_bytes);
    trim_tail(run->err, opts_.max_output_bytes);
    if (shut_down_) return;

    OpPtr op = run->op;
    if (run->metadata_probe) {
      after_metadata_probe(op, *run, status);
      return;
    }
    ExecResult r = base_result(*op);
    r.start_time = run->start_wall;
    r.duration_ms = ms_since(run->started);
    r.queue_ms = static_cast<uint32_t>(
        std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(run->started - op->submitted).count()));
    map_exit(op->req, *run, status, r);
    if (op->req.standard == kClassStonith && r.ok()) {
      if (op->req.action == "start") stonith_started_.insert(op->req.rsc_id);
    }
    finish(op, std::move(r));
  }

  void after_metadata_probe(const OpPtr& op, const Run& run, int status) {
    CachedMetadata c;
    struct stat st;
    if (stat(run.agent_path.c_str(), &st) == 0) c.mtime = st.st_mtim;
    if (!run.timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      auto md = parse_metadata(run.out, op->req.agent_spec());
      if (md.ok()) c.md = std::move(*md);
    }
    md_cache_[run.agent_path] = c;
    if (op->cancelled) {
      finish_early(op, ExecStatus::kCancelled, kOcfOk, "");
      return;
    }
    if (!check_params(op, c.md)) return;
    spawn_run(op, run.agent_path, false);
  }

  void map_exit(const ExecRequest& req, const Run& run, int status, ExecResult& r) const {
    r.output = run.out;
    bool metadata = req.action == "meta-data" || req.action == "metadata";
    if (!run.err.empty() && !metadata) {  // meta-data output stays parseable XML
      if (!r.output.empty() && r.output.back() != '\n') r.output += '\n';
      r.output += "[stderr]\n" + run.err;
    }
    if (req.standard == kClassOcf) r.exit_reason = last_exit_reason(run.err);
    if (run.timed_out) {
      r.op_status = ExecStatus::kTimeout;
      r.rc = kOcfErrGeneric;
      r.exit_reason = fmt::format("{} {} timed out after {} ms", req.agent_spec(), req.action, run.timeout_ms);
      return;
    }
    if (WIFSIGNALED(status)) {
      r.op_status = ExecStatus::kError;
      r.rc = kOcfErrGeneric;
      int sig = WTERMSIG(status);
      if (r.exit_reason.empty()) {
        r.exit_reason = fmt::format("{} {} was killed by signal {} ({})", req.agent_spec(), req.action, sig,
                                    strsignal(sig));
      }
      return;
    }
    int code = WEXITSTATUS(status);
    r.op_status = ExecStatus::kDone;
    if (req.standard == kClassOcf) {
      bool known = (code >= 0 && code <= 9) || code == kOcfDegraded || code == kOcfDegradedPromoted;
      r.rc = known ? code : kOcfErrGeneric;
      if (!known && r.exit_reason.empty()) {
        r.exit_reason = fmt::format("{} {} exited with {}, not an OCF exit code", req.agent_spec(), req.action, code);
      }
    } else if (req.standard == kClassLsb) {
      if (req.action == "monitor" || req.action == "status") {
        // LSB status codes: 0 running, 1 dead + pid file, 2 dead + lock file,
        // 3 not running, 4 unknown; 150/151 are the peer's not installed/privileges.
        switch (code) {
          case 0: r.rc = kOcfOk; break;
          case 1: case 2: case 3: r.rc = kOcfNotRunning; break;
          case 150: r.rc = kOcfErrInstalled; break;
          case 151: r.rc = kOcfErrPerm; break;
          default: r.rc = kOcfErrGeneric; break;
        }
      } else {
        r.rc = (code >= 0 && code <= 7) ? code : kOcfErrGeneric;
      }
    } else if (req.standard == kClassAlert) {
      r.rc = code == 0 ? kOcfOk : kOcfErrGeneric;
      if (code != 0 && r.exit_reason.empty()) r.exit_reason = fmt::format("alert agent {} exited with {}", req.type, code);
    } else {  // stonith
      if (code == 0) r.rc = kOcfOk;
      else if (code == 2 && req.action == "status") r.rc = kOcfNotRunning;  // device reports "off"
      else r.rc = kOcfErrGeneric;
      if (r.rc == kOcfErrGeneric && r.exit_reason.empty()) {
        // Fence agents print their complaint on stderr; keep its last line.
        std::string e = run.err;
        while (!e.empty() && e.back() == '\n') e.pop_back();
        size_t nl = e.rfind('\n');
        r.exit_reason = e.substr(nl == std::string::npos ? 0 : nl + 1);
        if (r.exit_reason.size() > kMaxExitReason) r.exit_reason.resize(kMaxExitReason);
      }
    }
  }

  // ---- systemd -----------------------------------------------------------------------

  Status ensure_bus() {
    if (bus_) return Status::Ok();
    std::string address = opts_.systemd_bus;
    if (address.empty()) {
      if (const char* e = std::getenv("CRM_SYSTEMD_BUS")) address = e;
    }
    ASSIGN_OR_RETURN(bus_, SystemdBus::connect(address));
    return Status::Ok();
  }

  void start_systemd(const OpPtr& op) {
    const ExecRequest& req = op->req;
    op->started = loop_.clock().monotonic_now();
    op->start_wall = loop_.clock().wall_now();
    op->deadline = op->started + std::chrono::milliseconds(req.timeout_ms);
    if (req.action == "meta-data" || req.action == "metadata") {
      ExecResult r = systemd_result(op, ExecStatus::kDone, kOcfOk, "");
      r.output = synthetic_metadata(req.standard, req.type);
      finish(op, std::move(r));
      return;
    }
    Status s = ensure_bus();
    if (!s.ok()) {
      finish(op, systemd_result(op, ExecStatus::kNotInstalled, kOcfErrInstalled, s.message()));
      return;
    }
    std::string unit = SystemdBus::unit_name(req.type);
    auto st = bus_->state(unit);
    if (!st.ok()) return systemd_bus_failed(op, st.status());
    bool missing = st->load_state == "not-found";
    const std::string& a = req.action;
    if (a == "stop" && missing) {
      finish(op, systemd_result(op, ExecStatus::kDone, kOcfOk, ""));
      return;
    }
    if (missing) {
      finish(op, systemd_result(op, ExecStatus::kNotInstalled, kOcfErrInstalled, "systemd unit " + unit + " not found"));
      return;
    }
    op->job_path.clear();
    if (a == "start" || a == "stop" || a == "reload") {
      auto job = a == "start" ? bus_->start(unit) : a == "stop" ? bus_->stop(unit) : bus_->reload(unit);
      if (!job.ok()) return systemd_bus_failed(op, job.status());
      // The unit's state says nothing until systemd has run the job (a failed
      // unit still shows "failed" right after StartUnit): wait for it first.
      op->job_path = *job;
    } else if (a != "monitor" && a != "status") {
      finish(op, systemd_result(op, ExecStatus::kNotSupported, kOcfErrUnimplemented,
                                "systemd class has no action '" + a + "'"));
      return;
    }
    systemd_poll(op);
  }

  void systemd_bus_failed(const OpPtr& op, const Status& s) {
    bus_.reset();  // reconnect next time
    finish(op, systemd_result(op, ExecStatus::kError, kOcfErrGeneric, s.message()));
  }

  ExecResult systemd_result(const OpPtr& op, ExecStatus st, int rc, std::string reason) {
    ExecResult r = base_result(*op);
    r.op_status = st;
    r.rc = rc;
    r.exit_reason = std::move(reason);
    r.start_time = op->start_wall;
    r.duration_ms = ms_since(op->started);
    r.queue_ms = static_cast<uint32_t>(
        std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(op->started - op->submitted).count()));
    return r;
  }

  // Polls the unit until the action's outcome is known or the timeout passes.
  void systemd_poll(const OpPtr& op) {
    op->poll_timer = 0;
    if (op->cancelled || shut_down_) {
      if (op->cancelled) finish(op, systemd_result(op, ExecStatus::kCancelled, kOcfOk, ""));
      return;
    }
    std::string unit = SystemdBus::unit_name(op->req.type);
    if (!bus_) return systemd_bus_failed(op, unavailable("systemd bus connection lost"));
    std::optional<int> rc;
    std::string reason;
    std::string as = "waiting for its job";
    if (!op->job_path.empty()) {
      auto pending = bus_->job_pending(op->job_path);
      if (!pending.ok()) return systemd_bus_failed(op, pending.status());
      if (!*pending) op->job_path.clear();
    }
    if (op->job_path.empty()) {
      auto st = bus_->state(unit);
      if (!st.ok()) return systemd_bus_failed(op, st.status());
      as = st->active_state;
      const std::string& a = op->req.action;
      if (a == "monitor" || a == "status") {
        if (as == "active" || as == "reloading") rc = kOcfOk;
        else if (as == "inactive" || as == "failed") rc = kOcfNotRunning;
      } else if (a == "start" || a == "reload") {
        if (as == "active") rc = kOcfOk;
        else if (as == "failed" || as == "inactive") {
          // The job is over and the unit is not running.
          rc = kOcfErrGeneric;
          reason = "systemd unit " + unit + " failed to " + a + " (" + as + "/" + st->sub_state + ")";
        }
      } else if (a == "stop") {
        if (as == "inactive" || as == "failed") rc = kOcfOk;
      }
    }
    if (rc) {
      finish(op, systemd_result(op, ExecStatus::kDone, *rc, reason));
      return;
    }
    if (loop_.clock().monotonic_now() >= op->deadline) {
      finish(op, systemd_result(op, ExecStatus::kTimeout, kOcfErrGeneric,
                                fmt::format("systemd unit {} still {} after {} ms", unit, as, op->req.timeout_ms)));
      return;
    }
    op->poll_timer = loop_.add_timer(std::chrono::milliseconds(kSystemdPollMs), [this, op] { systemd_poll(op); });
  }

  // ---- completion --------------------------------------------------------------------

  void finish(const OpPtr& op, ExecResult r) {
    auto it = rscs_.find(op->req.rsc_id);
    if (it != rscs_.end() && it->second.active == op) {
      it->second.active.reset();
      std::string rsc = op->req.rsc_id;
      post([this, rsc] { pump(rsc); });
    }
    if (op->cancelled) return;  // cancel() already reported it
    OpKey key{op->req.rsc_id, op->req.action, op->req.interval_ms};
    if (op->req.standard != kClassAlert) last_[key] = {++seq_, r};
    bool report = true;
    if (op->req.interval_ms > 0) {
      std::pair<int, ExecStatus> now{r.rc, r.op_status};
      report = !op->last_reported || *op->last_reported != now || is_failure(r);
      op->last_reported = now;
      auto wait = op->repeated ? std::chrono::milliseconds(op->req.interval_ms)
                               : first_repeat_delay(op->req.op_key(), op->req.interval_ms);
      op->repeated = true;
      op->next_run = loop_.add_timer(wait, [this, op] {
        op->next_run = 0;
        if (op->cancelled) return;
        op->submitted = loop_.clock().monotonic_now();
        enqueue(op);
      });
    }
    if (report) deliver(r);
  }

  void deliver(const ExecResult& r) {
    if (cb_) cb_(r);
  }

  EventLoop& loop_;
  ExecutorOptions opts_;
  ResultCallback cb_;
  int next_call_ = 1;
  uint64_t seq_ = 0;
  bool shut_down_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::map<std::string, Resource> rscs_;
  std::map<OpKey, OpPtr> recurring_;
  std::map<pid_t, std::unique_ptr<Run>> runs_;
  std::deque<std::string> waiting_;  // resources waiting for a free run slot
  std::set<std::string> waiting_set_;
  std::map<OpKey, std::pair<uint64_t, ExecResult>> last_;
  std::map<std::string, CachedMetadata> md_cache_;
  std::set<std::string> stonith_started_;
  std::unique_ptr<SystemdBus> bus_;
};

// ---- Executor -------------------------------------------------------------------------

Executor::Executor(EventLoop& loop, ExecutorOptions options) : impl_(std::make_unique<Impl>(loop, std::move(options))) {}
Executor::~Executor() = default;
void Executor::set_result_callback(ResultCallback cb) { impl_->set_callback(std::move(cb)); }
Result<int> Executor::exec(const ExecRequest& request) { return impl_->exec(request); }
Status Executor::cancel(const std::string& rsc_id, const std::string& action, uint32_t interval_ms) {
  return impl_->cancel(rsc_id, action, interval_ms);
}
Result<std::vector<RecurringOp>> Executor::recurring_ops() { return impl_->recurring_ops(); }
Result<std::vector<ExecResult>> Executor::last_results(const std::string& rsc_id) {
  return impl_->last_results(rsc_id);
}
void Executor::shutdown() { impl_->shutdown(); }
size_t Executor::running_count() const { return impl_->running_count(); }
size_t Executor::pending_count() const { return impl_->pending_count(); }
const ExecutorOptions& Executor::options() const { return impl_->options(); }

ExecResult run_sync(const ExecRequest& request, ExecutorOptions options) {
  SystemClock clock;
  EventLoop loop(clock);
  std::optional<ExecResult> out;
  {
    Executor ex(loop, std::move(options));
    ex.set_result_callback([&](const ExecResult& r) {
      out = r;
      loop.stop();
    });
    auto id = ex.exec(request);
    if (!id.ok()) return ExecResult::refused(request, ExecStatus::kInvalid, kOcfErrArgs, id.status());
    while (!out) {
      if (!loop.run_once(std::chrono::milliseconds(1000)).ok()) break;
    }
  }
  if (!out) {
    ExecResult r;
    r.rsc_id = request.rsc_id;
    r.action = request.action;
    r.op_status = ExecStatus::kError;
    r.exit_reason = "event loop failed";
    return r;
  }
  return *out;
}

}  // namespace crm::lrmd
