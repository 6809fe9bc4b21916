// The local resource executor (lrmd): runs resource agents (OCF, LSB, systemd,
// stonith) for the controller, with timeouts, recurring monitors and
// cancellation, and reports every result that matters.
//
// Two implementations of one interface, ExecutorApi:
//   * Executor   — in-process, on the caller's EventLoop (the lrmd daemon wraps
//                  one; tests, crm_resource and the cluster simulator use it
//                  directly);
//   * LrmdClient — talks to the lrmd daemon over ipc::socket_path("lrmd")
//                  (wire format: docs/lrmd.md).
//
//   EventLoop loop(clock);
//   lrmd::LrmdClient lrmd(loop);
//   RETURN_IF_ERROR(lrmd.connect());
//   lrmd.set_result_callback([&](const lrmd::ExecResult& r) { record_in_cib(r); });
//   lrmd::ExecRequest req{.rsc_id = "ip1", .standard = "ocf", .provider = "heartbeat",
//                         .type = "IPaddr2", .action = "monitor", .interval_ms = 10000,
//                         .timeout_ms = 20000, .params = {{"ip", "10.0.0.5"}}};
//   ASSIGN_OR_RETURN(int call_id, lrmd.exec(req));
//   ...
//   RETURN_IF_ERROR(lrmd.cancel("ip1", "monitor", 10000));
//
// Result delivery rules (both implementations):
//   * a one-shot operation (interval 0) is reported exactly once;
//   * a recurring operation is reported on its first run, whenever its
//     (rc, op_status) differs from the last reported one, and on every run that
//     is a failure (op_status != kDone or rc not in {0, 8});
//   * cancel() of a recurring operation reports one result with
//     op_status kCancelled;
//   * operations on the same resource run one at a time, in the order they were
//     submitted; different resources run in parallel.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crm/core/event_loop.h"
#include "crm/core/exec_status.h"
#include "crm/core/ocf_rc.h"
#include "crm/core/status.h"

namespace crm::lrmd {

// OCF exit codes (crm/core/ocf_rc.h) and execution statuses
// (crm/core/exec_status.h) are the vocabulary shared with every component:
// LSB, systemd and stonith results are mapped onto OCF codes, so the
// controller sees one vocabulary.

// The wire names of execution statuses: "pending", "done", "cancelled",
// "timeout", "not-supported", "error", "not-installed", "invalid" (any other
// status travels as "error").
const char* op_status_name(ExecStatus s);  // "done", "timeout", ...
// Parses the names above; kError for unknown text.
ExecStatus op_status_from_name(const std::string& name);

// Agent classes ("standards").
inline constexpr const char* kClassOcf = "ocf";
inline constexpr const char* kClassLsb = "lsb";
inline constexpr const char* kClassSystemd = "systemd";
inline constexpr const char* kClassStonith = "stonith";
inline constexpr const char* kClassService = "service";  // lsb if /etc/init.d/TYPE exists, else systemd
// An alert agent (the CIB's <alerts>): `type` is the program's absolute path,
// `params` its whole environment beyond PATH (CRM_alert_* and the alert's
// instance attributes, as they are); run with no arguments, exit 0 = ok. As
// the peer's executor, alerts are never listed, recurring, nor kept in
// last_results() (they are no resource's history).
inline constexpr const char* kClassAlert = "alert";

struct ExecRequest {
  std::string rsc_id;    // resource id, passed as OCF_RESOURCE_INSTANCE
  std::string standard;  // ocf | lsb | systemd | stonith | service
  std::string provider;  // ocf only (heartbeat, pacemaker, crm, ...)
  std::string type;      // agent name: "Dummy", init script, unit, "fence_xvm"
  std::string action;    // start stop monitor promote demote notify reload migrate_to
                         // migrate_from meta-data validate-all (ocf); status for lsb; on off
                         // reboot list status metadata for stonith
  uint32_t interval_ms = 0;   // 0 = one-shot (a probe when action is monitor)
  uint32_t timeout_ms = 20000;
  // Instance attributes and meta values. Meta values are keyed "CRM_meta_<name>"
  // (CRM_meta_timeout, CRM_meta_interval are added by the executor when absent)
  // and reach OCF agents as OCF_RESKEY_CRM_meta_<name>; stonith agents get only
  // the non-meta keys on stdin.
  std::map<std::string, std::string> params;

  // "ocf:heartbeat:IPaddr2" / "lsb:foo".
  std::string agent_spec() const;
  // "ip1_monitor_10000" (the peer's operation key).
  std::string op_key() const;
};

struct ExecResult {
  std::string rsc_id;
  std::string action;
  uint32_t interval_ms = 0;
  int call_id = 0;
  int rc = kOcfErrGeneric;           // OCF code after class mapping
  ExecStatus op_status = ExecStatus::kPending;
  std::string exit_reason;           // last "ocf-exit-reason:" line of stderr, or ours
  std::string output;                // tail of stdout (+ stderr, marked), bounded
  std::time_t start_time = 0;        // wall clock when the agent was spawned
  uint32_t duration_ms = 0;          // spawn to exit (0 when never run)
  uint32_t queue_ms = 0;             // submission to spawn (waiting behind the resource's other ops)
  // The request's class/provider/type, echoed for the caller's history records.
  std::string standard, provider, type;

  // The agent ran and answered 0 (ok) or 8 (running promoted). Whether 7 (not
  // running) is the expected answer of a probe is for the caller to decide.
  bool ok() const { return op_status == ExecStatus::kDone && (rc == kOcfOk || rc == kOcfRunningPromoted); }
  std::string op_key() const;
  // "ip1_monitor_10000 (call 12): not running (done) 'exit reason' in 35 ms"
  std::string summary() const;
  // The result of a request that never ran (call_id 0): `request`'s identity,
  // the given status and rc, and `why` as the exit reason. (Inline: the
  // controller uses this header as an interface, without the library.)
  static ExecResult refused(const ExecRequest& request, ExecStatus status, int rc, const Status& why) {
    ExecResult r;
    r.rsc_id = request.rsc_id;
    r.action = request.action;
    r.interval_ms = request.interval_ms;
    r.standard = request.standard;
    r.provider = request.provider;
    r.type = request.type;
    r.op_status = status;
    r.rc = rc;
    r.exit_reason = why.message();
    return r;
  }
};

// A recurring operation the executor currently runs.
struct RecurringOp {
  ExecRequest request;
  int call_id = 0;
};

using ResultCallback = std::function<void(const ExecResult&)>;

// What the controller and simulator code against.
class ExecutorApi {
 public:
  virtual ~ExecutorApi() = default;
  // Where results go (replaces the previous callback). Called on the loop thread.
  virtual void set_result_callback(ResultCallback cb) = 0;
  // Queues an operation. Returns its call id (> 0); the result comes through the
  // callback. Fails only for requests that can never run (empty rsc_id/action,
  // unknown class) or, for LrmdClient, when the daemon is unreachable.
  virtual Result<int> exec(const ExecRequest& request) = 0;
  // Stops a recurring operation (or removes a queued one-shot). Reports a
  // kCancelled result; not-found when no such operation exists.
  virtual Status cancel(const std::string& rsc_id, const std::string& action, uint32_t interval_ms) = 0;
  // Recurring operations currently active (for the controller's join / re-probe).
  virtual Result<std::vector<RecurringOp>> recurring_ops() = 0;
  // The last result of every (rsc, action, interval) seen, per resource, in
  // completion order ("" = every resource).
  virtual Result<std::vector<ExecResult>> last_results(const std::string& rsc_id = "") = 0;
};

// Where agents live. Each path can be changed for tests.
struct AgentPaths {
  // OCF root (agents under <root>/resource.d/<provider>/<type>). Default:
  // $CRM_OCF_ROOT, else /usr/lib/ocf.
  std::string ocf_root;
  std::string lsb_dir = "/etc/init.d";
  // Directories searched for fence agents, in order.
  std::vector<std::string> stonith_dirs = {"/usr/sbin", "/usr/bin"};
  // Fills empty fields from the environment/defaults.
  static AgentPaths defaults();
};

// Splits an agent specification as the peer's crm_parse_agent_spec does:
// "ocf:PROVIDER:TYPE" (ocf needs a provider), "STANDARD:TYPE" otherwise.
// invalid-argument for anything else.
Status parse_agent_spec(const std::string& spec, ExecRequest* out);

// What is installed, as the peer's executor lists it (crm_resource
// --list-standards, --list-ocf-providers, --list-agents): sorted, no
// duplicates. Empty when nothing is found.
std::vector<std::string> list_standards();  // ocf lsb service systemd stonith
// Providers under <ocf_root>/resource.d, or only those holding agent `type`.
std::vector<std::string> list_ocf_providers(const AgentPaths& paths, const std::string& type = "");
// Agents of a standard ("ocf" with `provider`, or every provider's when ""):
// OCF scripts, init scripts (lsb), systemd service units without ".service",
// service = lsb and systemd, fence agents (stonith: fence_* in stonith_dirs).
std::vector<std::string> list_agents(const AgentPaths& paths, const std::string& standard,
                                     const std::string& provider = "");

// The wait between a recurring operation's first run and its second: from
// half the interval to all of it, fixed per operation by a hash of its key
// (`op_key`, e.g. "web_monitor_10000"). Monitors started together (the
// thousand starts of a failover) so spread over the interval instead of
// running together at every interval from then on; no wait is longer than
// the interval. Later runs wait the interval.
std::chrono::milliseconds first_repeat_delay(const std::string& op_key, uint32_t interval_ms);

struct ExecutorOptions {
  AgentPaths paths = AgentPaths::defaults();
  // Between SIGTERM and SIGKILL to a timed-out agent's process group.
  std::chrono::milliseconds kill_grace{2000};
  // Agents running at once (0 = no limit). Further operations wait in
  // submission order; each running agent holds 4 fds.
  size_t max_running = 128;
  // Bytes of stdout and of stderr kept per operation (the tail).
  size_t max_output_bytes = 64 * 1024;
  // Refuse start/monitor/promote/... when the agent's meta-data lists a required
  // parameter the request lacks (stop and meta-data always run).
  bool check_required_params = true;
  // Added to every agent's environment (e.g. HA_RSCTMP for tests).
  std::map<std::string, std::string> extra_env;
  // System bus address for the systemd class ("" = default system bus,
  // $CRM_SYSTEMD_BUS overrides; "user" = the calling user's bus).
  std::string systemd_bus;
};

class Executor final : public ExecutorApi {
 public:
  // The executor must not outlive `loop`. It spawns agents with fork/exec in
  // their own session (setsid) and watches them through pidfds.
  explicit Executor(EventLoop& loop, ExecutorOptions options = {});
  // Equivalent to shutdown().
  ~Executor() override;
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void set_result_callback(ResultCallback cb) override;
  Result<int> exec(const ExecRequest& request) override;
  Status cancel(const std::string& rsc_id, const std::string& action, uint32_t interval_ms) override;
  Result<std::vector<RecurringOp>> recurring_ops() override;
  Result<std::vector<ExecResult>> last_results(const std::string& rsc_id = "") override;

  // Cancels every recurring op and SIGKILLs every running agent's process group
  // (no results are reported afterwards). Idempotent.
  void shutdown();

  // Agents currently running (spawned, not yet reaped).
  size_t running_count() const;
  // Operations submitted and not yet reported (running + queued + recurring).
  size_t pending_count() const;
  const ExecutorOptions& options() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs one operation to completion on a private loop (for tools such as
// crm_resource --force-*). Blocks the caller for at most timeout + kill grace.
ExecResult run_sync(const ExecRequest& request, ExecutorOptions options = {});

// Client of the lrmd daemon.
class LrmdClient final : public ExecutorApi {
 public:
  explicit LrmdClient(EventLoop& loop);
  ~LrmdClient() override;
  LrmdClient(const LrmdClient&) = delete;
  LrmdClient& operator=(const LrmdClient&) = delete;

  // Connects to `path` (default ipc::socket_path("lrmd")) and watches the socket
  // on the loop. unavailable when the daemon is not running; permission-denied
  // when it refused our credentials.
  Status connect(const std::string& path = "");
  bool connected() const;
  void disconnect();
  // Called on the loop when the daemon goes away (results may have been lost:
  // re-read last_results() after reconnecting).
  std::function<void()> on_disconnect;

  void set_result_callback(ResultCallback cb) override;
  // These send one request and wait (up to 30 s) for its reply; results that
  // arrive meanwhile are delivered through the callback from the loop.
  Result<int> exec(const ExecRequest& request) override;
  Status cancel(const std::string& rsc_id, const std::string& action, uint32_t interval_ms) override;
  Result<std::vector<RecurringOp>> recurring_ops() override;
  Result<std::vector<ExecResult>> last_results(const std::string& rsc_id = "") override;

  // The same requests without waiting, for a caller whose event loop must not
  // stop (the controller): the reply (call id, or why the daemon refused)
  // reaches `done` on the loop, in request order. When the connection is
  // lost, every reply still awaited gets unavailable.
  void exec_async(const ExecRequest& request, std::function<void(Result<int>)> done);
  void cancel_async(const std::string& rsc_id, const std::string& action, uint32_t interval_ms,
                    std::function<void(Status)> done);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crm::lrmd
