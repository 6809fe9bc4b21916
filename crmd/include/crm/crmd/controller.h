// The controller (crmd): one per node. It follows the cluster's membership
// over the CPG group "crm_crmd", elects the DC (designated coordinator), joins
// nodes, relays actions to the local executor and — on the DC — runs the
// policy engine and the transition engine.
//
// A pure state machine driven by step(input) -> outputs: every effect (group
// messages, CIB writes, executor requests and cancels, the next timer, exit)
// is an output, and what comes back (CIB snapshots, write acknowledgements,
// executor results) is an input. The same code runs in the daemon
// (crmd_main.cc turns outputs into corosync, cibd and lrmd requests without
// blocking its event loop) and in the deterministic simulator (tests/sim).
//
//   crmd::Controller c(self_id, "n1", {.clock = clock, .scheduler = schedule});
//   crmd::Outputs out = c.step(crmd::Membership{{1, 2, 3}, {1, 2, 3}, {}});
//   for (auto& m : out.messages) group->send(m);
//   for (auto& w : out.cib_writes) cib.submit(w);   // later: step(CibWriteDone{w.id, status})
//   for (auto& x : out.executor) lrmd.send(x);      // later: step(LocalResult{...})
//
// Election: the DC is the lowest node id among the group's members. Every node
// computes it from the same agreed membership, so there is no vote, no timer,
// and a DC that dies is replaced at the very membership event that reports it.
// The CIB (status included) is replicated by the CIB daemons, so a new DC
// plans at once from the replicated status (docs/crmd.md).
#pragma once

#include <chrono>
#include <ctime>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "crm/cib/cib.h"
#include "crm/cib/request.h"
#include "crm/core/clock.h"
#include "crm/core/status.h"
#include "crm/lrmd/lrmd.h"
#include "crm/core/op_history.h"
#include "crm/tengine/transition.h"

namespace crm::crmd {
namespace wire {  // crmd/src/wire.h
struct JoinRequest;
struct ExecOrder;
struct OpResult;
}  // namespace wire
namespace alerts {  // crmd/src/alerts.h
struct Event;
}  // namespace alerts

using NodeId = uint32_t;

// Named states, as the peer's controller FSA has them.
enum class State {
  kStarting,          // no membership seen yet
  kPending,           // a member, waiting to learn who the DC is / to be joined
  kElection,          // the DC is being determined (transient: the rule is instant)
  kIntegration,       // DC: collecting every member's resource history (join)
  kFinalizeJoin,      // DC: writing the joined nodes' status into the CIB
  kIdle,              // DC: nothing to do
  kPolicyEngine,      // DC: computing a transition graph
  kTransitionEngine,  // DC: executing a transition
  kNotDc,             // a joined member that is not the DC
  kStopping,          // shutting down: resources moved away, waiting to exit
  kStopped,           // may exit
};
const char* state_name(State s);

// Our version as the DC writes it into the dc-version cluster property, in the
// peer's "<version>-<build>" style: "<project version>-crm" (e.g. "0.1.0-crm").
const char* dc_version();
// The value of cluster option `name` in crm_config's cib-bootstrap-options,
// if set there.
std::optional<std::string> bootstrap_option(const cib::Cib& cib, const std::string& name);

// ---- inputs ----
struct Membership {  // the crm_crmd group's membership after a change (sorted)
  std::vector<NodeId> members, joined, left;
};
struct Quorum {
  bool quorate = false;
};
struct Message {  // a message delivered on the group (our own included)
  NodeId from = 0;
  std::string payload;
};
// A result from this node's executor. A request the executor refused comes
// back as a result with op_status kError and the reason in exit_reason.
struct LocalResult {
  lrmd::ExecResult result;
};
// The local replica of the CIB after a change (someone else's write, or some
// of ours landed). Sent before the CibWriteDone of the writes it contains.
struct CibSnapshot {
  std::shared_ptr<const cib::Cib> cib;
  // The node whose copy replaced this node's CIB at a membership change
  // (partitions that wrote apart merged, the newest copy won), else 0. A DC
  // does not plan from such a copy: its status may describe the other
  // partition's view (our members offline, their results missing), so it
  // joins its members again first, as the peer's DC holds an election when
  // its CIB is replaced.
  NodeId replaced_by = 0;
  // When set: the CIB daemons ended a membership sync round with these
  // members holding this same copy. Once the daemon has said so at least
  // once, a DC finishes a join only when every member is in the last such
  // set: version numbers alone cannot tell that a copy is the cluster's (a
  // restarted node's own writes raise its num_updates on an old lineage).
  std::optional<std::vector<NodeId>> synced_members;
};
// One of our CIB writes (Outputs::cib_writes) was applied or refused.
struct CibWriteDone {
  uint64_t id = 0;
  Status status;
};
// What the executor already knows when the controller starts (a controller
// respawned beside a running executor): every operation's last result, in
// completion order, and the recurring operations in progress.
struct ExecutorHistory {
  std::vector<lrmd::ExecResult> last_results;
  std::vector<lrmd::RecurringOp> recurring;
};
// The answer to one of our FenceRequests: ok once the fencer confirmed the
// target fenced; otherwise why it failed.
struct FenceResult {
  uint64_t id = 0;
  std::string target;
  Status status;
};
// The fencers report a fencing operation ended, whoever asked (this DC,
// another DC before it died, or an administrator's stonith_admin --confirm).
// A success other than "on" means `target` is fenced. Only operations that
// ended while this controller runs (not the fencer's replayed history).
struct FenceEvent {
  std::string target;
  std::string action = "reboot";
  bool succeeded = true;
  // For alert agents: the peer's one-line summary and return code
  // (fenced::event_description / event_rc).
  std::string description;
  int rc = 0;
};
struct Tick {};        // the clock passed next_deadline()
struct ShutdownRequest {};  // SIGTERM
// The nodes in corosync's membership (quorum view, sorted), whenever it
// changes. Optional: without it a node whose controller leaves the group is
// taken for dead at once.
struct ClusterNodes {
  std::vector<NodeId> nodes;
};
// A tool asks for the state of node `target`'s controller (crmadmin -S);
// answered by a ToolAnswer with the same token, at once for this node,
// after a round trip over the group for another (none if it never answers:
// the tool has its own timeout).
struct ToolPing {
  uint64_t token = 0;
  std::string target;
};
using Input = std::variant<Membership, Quorum, Message, LocalResult, CibSnapshot, CibWriteDone, ExecutorHistory,
                           FenceResult, FenceEvent, Tick, ShutdownRequest, ClusterNodes, ToolPing>;

// ---- outputs ----
// A change for the CIB daemon; answered by CibWriteDone{id}.
struct CibWrite {
  uint64_t id = 0;
  cib::Request request;
};
// A request for this node's executor, in order: run `request`, or cancel the
// recurring operation request.rsc_id/action/interval_ms (not-found is fine).
// Alert agents (the CIB's <alerts>) run this way too, as class "alert"
// requests; their results come back as LocalResults and are only logged.
struct ExecutorCall {
  enum class Kind { kExec, kCancel };
  Kind kind = Kind::kExec;
  lrmd::ExecRequest request;
};
// DC: a request for this node's fencer; answered by FenceResult{id}.
struct FenceRequest {
  uint64_t id = 0;
  std::string target;                  // node name
  std::string action = "reboot";       // reboot, off or on (stonith-action)
  std::chrono::milliseconds timeout{0};  // stonith-timeout
  // priority-fencing-delay, when the policy engine applies it to this target
  // (it runs what matters most, so the other side of a split goes first).
  std::chrono::milliseconds delay{0};
};
// The answer to a ToolPing: node `name`'s controller state, or why none.
struct ToolAnswer {
  uint64_t token = 0;
  std::string name;
  std::string state;
  Status status;
};
struct Outputs {
  std::vector<std::string> messages;       // to broadcast on the group, in order
  std::vector<ToolAnswer> tool_answers;    // for the tools that asked
  std::vector<CibWrite> cib_writes;        // in order
  std::vector<ExecutorCall> executor;      // in order
  std::vector<FenceRequest> fencing;       // in order
  std::optional<Clock::Monotonic> deadline;  // feed Tick{} then (none: no timer)
  bool exit = false;                       // the daemon may exit now
  int exit_code = 0;                       // with exit: 100 (CRM_EX_FATAL) = stay stopped, do not respawn
};

// The policy engine: CIB + now -> transition graph.
using Scheduler = std::function<Result<tengine::Graph>(const cib::Cib& cib, std::time_t now)>;
// What a policy engine run saw and gave: its input and time, its graph (or
// error) and its configuration warnings.
using SchedulerObserver = std::function<void(const cib::Cib& cib, std::time_t now, const Result<tengine::Graph>& graph,
                                             const std::vector<std::string>& warnings)>;
// The real policy engine (pengine::schedule) as a Scheduler; `observe`, when
// given, sees every run (the daemon logs warnings and keeps the inputs).
Scheduler policy_engine(SchedulerObserver observe = nullptr);

struct ControllerDeps {
  const Clock& clock;
  Scheduler scheduler;
  std::function<void(const std::string&)> log;  // may be null
};

struct ControllerOptions {
  // DC: how long to wait for members' join requests before planning without them.
  std::chrono::milliseconds join_timeout{5000};
  // DC: a node whose controller left the group while the node itself stays
  // in corosync's membership (the controller crashed and is being
  // respawned; its resources still run) is given this long to come back
  // before it is taken for down and its resources are recovered elsewhere.
  // Planning waits meanwhile, so nothing is started twice.
  std::chrono::milliseconds controller_return_grace{15000};
  // Non-DC: how long a shutdown may wait for the DC to move resources away.
  std::chrono::milliseconds shutdown_timeout{60000};
  // DC: after a failed fencing, planning (and so the retry) waits this long,
  // doubling with each further failure of the same target, up to 30 s.
  std::chrono::milliseconds fence_retry_backoff{1000};
  // corosync's two_node: 1. One node of two is quorate then, and corosync's
  // verdict is taken as it is (without it the controller never counts a
  // partition of half the nodes as quorate, whatever a lagging notice says).
  bool two_node = false;
  // A controller that starts alone while the configuration lists other
  // nodes waits this long for them before acting as DC (the peer's
  // dc-deadtime, which crm_config's dc-deadtime overrides): a node booting
  // with a stale CIB must not plan (and fence) from it before it has met
  // the cluster. Not applied once other members have been seen.
  std::chrono::milliseconds dc_deadtime{20000};
  // This machine's CPUs. node-action-limit 0 (the default) means twice this
  // many resource operations in flight per node, the peer's default; our
  // nodes do not report their own counts, so the DC's stands for all.
  int cores = 1;
};

class Controller {
 public:
  Controller(NodeId self, std::string name, ControllerDeps deps, ControllerOptions options = {});
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Feeds one input; returns what to send. Never blocks.
  Outputs step(const Input& input);

  State state() const { return state_; }
  NodeId self() const { return self_; }
  const std::string& name() const { return name_; }
  bool is_dc() const { return dc_ == self_ && dc_ != 0; }
  NodeId dc() const { return dc_; }
  const std::vector<NodeId>& members() const { return members_; }
  bool quorate() const { return quorate_; }
  // A node's name as learned from messages or the CIB ("" when unknown).
  std::string node_name(NodeId id) const;
  // The earliest time at which step(Tick{}) has work to do.
  std::optional<Clock::Monotonic> next_deadline() const;
  // Counters and the last transition, for tests, logs and benches.
  struct Stats {
    uint64_t transitions = 0, pe_runs = 0, pe_errors = 0, results_recorded = 0, fencing_requested = 0,
             fencing_failed = 0;
  };
  const Stats& stats() const { return stats_; }
  const tengine::Transition* transition() const { return transition_.get(); }
  // The CIB as this controller plans from it: the replicated copy plus its
  // own changes still in flight, with have-quorum/dc-uuid as it knows them.
  cib::Cib planning_view() const;

 private:
  class DcExecutor;
  struct AlertState;  // alerts.h: the agents of the CIB's <alerts>, what was alerted
  struct OpMemo {  // what the DC asked for, echoed in results
    std::string key, digest;
    // The operation, so one still running can be reported as pending in a
    // join history.
    std::string rsc_id, standard, provider, type, action;
    uint32_t interval_ms = 0;
    std::string migrate_source, migrate_target;  // of a migrate_to or migrate_from
  };

  void on_membership(const Membership& m);
  void on_quorum(bool q);
  void on_message(NodeId from, const std::string& payload);
  void on_local_result(const lrmd::ExecResult& r);
  void on_cib_snapshot(std::shared_ptr<const cib::Cib> cib, NodeId replaced_by);
  void on_cib_write_done(uint64_t id, const Status& status);
  void on_executor_history(const ExecutorHistory& h);
  void on_fence_result(const FenceResult& r);
  void on_fence_event(const FenceEvent& e);
  void on_node_fenced(const std::string& target);
  // Alert agents: re-read with each CIB copy; one event to every agent that selects it.
  void reload_alerts();
  void alert(const alerts::Event& event);
  void on_tick();
  void on_shutdown();
  void on_cluster_nodes(const std::vector<NodeId>& nodes);
  void on_tool_ping(const ToolPing& ping);
  // DC: a member's controller left; down now, or later if the node is still in corosync.
  void controller_left(NodeId node);

  // The planning view: the replicated CIB plus our changes in flight.
  void rebuild_view();
  void decorate_view();
  bool effective_quorum() const;
  void record(NodeId node, const crm::OpRecord& op);
  void set_node_attribute(NodeId node, const std::string& name, const std::string& value);
  void clear_failcount(NodeId node, const std::string& rsc);

  // DC side
  void start_integration();
  void handle_join_request(NodeId from, const wire::JoinRequest& msg);
  void finalize_join();
  // Finalizes the join once our CIB copy is as new as the newest a member
  // reported (a restarted DC must not plan from its stale copy), or when the
  // join's deadline passes.
  void maybe_finalize_join();
  // A member is gone. With fencing enabled and no clean shutdown behind it,
  // the node is written lost but not down (its resources stay where the CIB
  // says), so the policy engine fences it before recovering anything.
  void mark_node_down(NodeId node, bool in_corosync = false);
  void write_node_down(NodeId node);  // down and clean: its resources are stopped
  void write_expected_down(NodeId node);
  bool fencing_enabled() const;
  Status start_fencing(const tengine::Action& a);
  void complete_fencing(const std::string& target, bool ok);
  void handle_op_result(NodeId from, const wire::OpResult& msg);
  void handle_shutdown_request(NodeId from);
  // kNow: membership, results, fencing: planned at once. kPaced: someone
  // else's CIB change: planned at once unless the last plan was costly (see
  // run_policy_engine_if_needed).
  enum class Replan { kNow, kPaced };
  void request_replan(const std::string& why, Replan how = Replan::kNow);
  void run_policy_engine_if_needed();
  // Only kPaced reasons are pending and paced_plan_at_ has not come yet.
  bool pacing() const;
  void on_transition_finished(tengine::Outcome o);
  void maybe_release_shutdown_nodes();
  // Another member asked to shut down and has not left yet (the DC goes last).
  bool others_stopping() const;
  void write_cib_root_attributes();
  void write_cluster_properties();
  void keep_last_failures(NodeId node, xmlNode* lrm_resources);
  std::string fingerprint(const cib::Cib& view) const;
  std::string status_fingerprint(const cib::Cib& view) const;

  // member side
  void send_join_request(uint64_t gen);
  void handle_exec(const wire::ExecOrder& order);
  void reply_exec(const wire::ExecOrder& order, int rc, int op_status, const std::string& reason);
  void exec(const lrmd::ExecRequest& req);
  void cancel(const std::string& rsc, const std::string& action, uint32_t interval_ms);
  void remember_result(const lrmd::ExecResult& r);
  std::string history_xml();

  // Whether a write can change fingerprint(): kUnchanged for a result merged
  // into (or a recurring entry deleted from) an lrm_resource the view has
  // already, which fingerprint() does not read; submit() then skips the two
  // fingerprints it otherwise takes (each walks the whole status: per result
  // of a transition of thousands, most of the DC's time).
  enum class Fingerprint { kMayChange, kUnchanged };
  void submit(cib::Request r, Fingerprint effect = Fingerprint::kMayChange);
  void send(std::string encoded) { out_.messages.push_back(std::move(encoded)); }
  void set_state(State s);
  void log(const std::string& line) const;
  std::optional<NodeId> node_id(const std::string& name) const;

  NodeId self_;
  std::string name_;
  ControllerDeps deps_;
  ControllerOptions options_;
  State state_ = State::kStarting;
  Outputs out_;
  Stats stats_;

  std::vector<NodeId> members_;
  NodeId dc_ = 0;
  bool quorate_ = false;
  std::map<NodeId, std::string> names_;
  size_t max_members_seen_ = 0;
  bool ever_had_quorum_ = false;  // since this controller started (no-quorum-policy=suicide)
  bool seen_others_ = false;                        // another member was seen (dc-deadtime no longer applies)
  std::optional<Clock::Monotonic> dc_deadline_;     // alone at start: when we may act as DC
  std::shared_ptr<const cib::Cib> replica_;  // the last CibSnapshot
  cib::Cib view_;

  // DC
  uint64_t join_gen_ = 0;
  std::set<NodeId> awaiting_join_;
  std::map<NodeId, std::string> join_histories_;  // node -> <lrm_resources> text
  // Results a member reported after its join history (CPG keeps a sender's
  // order): finalize_join() writes the history, then these again, so an
  // operation the history showed pending is not left pending forever.
  std::vector<std::pair<NodeId, crm::OpRecord>> results_after_history_;
  cib::Version newest_member_cib_;                // the newest CIB copy a member reported in this join
  bool logged_cib_wait_ = false;
  // Our CIB copy was replaced by another partition's (CibSnapshot::
  // replaced_by): the join that follows waits for the controllers of every
  // node corosync has (their status in that copy is the other side's view)
  // until the join deadline, and only then is anything planned.
  bool join_after_replace_ = false;
  bool logged_replace_wait_ = false;
  // Nodes this DC wrote unclean (lost without a clean shutdown) and not
  // fenced or back since: finalize_join() keeps them unclean.
  std::set<NodeId> lost_unclean_;
  // The members of the CIB daemons' last completed sync round (CibSnapshot::
  // synced_members), once told.
  std::optional<std::set<NodeId>> cib_synced_members_;
  bool logged_sync_wait_ = false;
  std::optional<Clock::Monotonic> join_deadline_;
  bool replan_ = false;
  bool replan_paced_ = false;  // every reason since the last plan was kPaced
  std::string replan_reason_;
  // A kPaced plan does not start before this: the end of the last plan plus
  // its cost, so a stream of CIB changes keeps planning at most half a core
  // busy however large the CIB. Small CIBs plan in a millisecond or two.
  std::optional<Clock::Monotonic> paced_plan_at_;
  bool logged_pacing_ = false;
  std::string last_fingerprint_;
  // fingerprint()'s configuration part, kept while view_ is the same copy
  // (view_generation_) at the same epoch: a configuration change bumps it.
  uint64_t view_generation_ = 0;
  mutable std::string config_fingerprint_;
  mutable std::optional<std::tuple<uint64_t, uint64_t, uint64_t>> config_fingerprint_key_;
  int next_transition_id_ = 0;
  std::unique_ptr<DcExecutor> dc_executor_;
  std::unique_ptr<AlertState> alerts_;
  std::unique_ptr<tengine::Transition> transition_;
  std::vector<std::unique_ptr<tengine::Transition>> finished_transitions_;  // freed next step
  bool transition_done_ = false;
  std::set<NodeId> shutdown_released_;
  std::optional<std::vector<NodeId>> corosync_nodes_;           // from ClusterNodes
  std::map<NodeId, Clock::Monotonic> controller_gone_;         // node -> give-up time
  struct FenceOp {
    std::string target;
    int action_id = 0;
  };
  uint64_t next_fence_id_ = 1;
  std::map<uint64_t, FenceOp> fence_ops_;          // our fence requests in flight
  std::map<std::string, int> fence_failures_;      // target -> failed attempts in a row
  std::optional<Clock::Monotonic> fence_retry_at_;  // planning waits until then
  std::set<std::string> fence_given_up_;           // targets past stonith-max-attempts
  // Nodes the fencers reported fenced while we were not the DC (the DC that
  // asked may have died with the news): written down when we take over.
  std::set<std::string> fenced_while_not_dc_;
  // Members confirmed fenced: their leaving (corosync may notice the power
  // cut after the fencer does) is clean; rejoining (rebooted) clears it.
  std::set<NodeId> fenced_members_;

  // Changes submitted and not yet applied locally, in order.
  struct Outstanding {
    uint64_t seq;
    cib::Request request;
  };
  uint64_t next_seq_ = 1;
  std::deque<Outstanding> outstanding_;

  // member side
  std::map<std::string, OpMemo> memos_;  // op key -> key/digest from the DC
  std::map<std::string, OpMemo> memos_history_;  // op key -> last key/digest, for join histories
  // The executor's last result per operation key, in completion order (as
  // lrmd's last_results()), and its recurring operations: kept from our own
  // requests and results, seeded by ExecutorHistory.
  std::vector<lrmd::ExecResult> last_results_;
  std::vector<lrmd::ExecRequest> recurring_;
  uint64_t last_join_gen_answered_ = 0;
  NodeId last_join_dc_ = 0;
  bool joined_ = false;
  bool shutting_down_ = false;
  std::optional<Clock::Monotonic> shutdown_deadline_;
};

}  // namespace crm::crmd
