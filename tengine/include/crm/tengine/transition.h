// The transition engine: executes one transition graph against an
// ActionExecutor, respecting triggers, and reports how it ended.
//
//   tengine::Transition t(std::move(graph), executor, clock, {.dc_uuid = "1"});
//   t.on_finished = [&](tengine::Outcome o) { if (o != Outcome::kComplete) replan(); };
//   t.start();                       // fires synapses without inputs
//   ... t.action_done(id, result);    // for each result the executor reports
//   ... t.tick();                     // when the clock passes next_deadline()
//   t.abort("node 3 left");          // cluster changed: no new actions, await in-flight
//
// Pure: no sockets, no threads; time only through the Clock passed in. The
// real controller and the deterministic simulator pass different executors.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crm/core/clock.h"
#include "crm/core/exec_status.h"
#include "crm/core/ocf_rc.h"
#include "crm/core/status.h"
#include "crm/core/transition_key.h"
#include "crm/tengine/graph.h"

namespace crm::tengine {

// OCF return codes and execution statuses: crm/core/ocf_rc.h, crm/core/exec_status.h.

struct ActionResult {
  int rc = kOcfOk;
  ExecStatus status = ExecStatus::kDone;
  std::chrono::milliseconds exec_time{0};
  std::string output;
};

// Carries out actions. execute() returns quickly; the outcome arrives later
// through Transition::action_done (pseudo events never reach the executor).
class ActionExecutor {
 public:
  virtual ~ActionExecutor() = default;
  // `key` is the transition key the result must carry back. An error return
  // counts as a failed action (the transition aborts, others are awaited).
  virtual Status execute(const Action& action, const std::string& key) = 0;
};

enum class Outcome {
  kRunning,   // not finished
  kComplete,  // every action confirmed with its expected result
  kAborted,   // abort() was called (or an action failed); in-flight actions were awaited
  kFailed,    // an action failed or timed out (implies a new plan is needed)
};
const char* outcome_name(Outcome o);

struct TransitionOptions {
  std::string dc_uuid = "0";
  // The peer's batch-limit: at most this many resource operations in flight
  // across the cluster (0: no limit). A ready synapse over a limit waits for
  // a slot; fencing and other crm_events are never held back.
  int batch_limit = 0;
  // The peer's node-action-limit: at most this many resource operations in
  // flight on any one node (0: no limit; the controller passes its default).
  int node_action_limit = 0;
};

class Transition {
 public:
  Transition(Graph graph, ActionExecutor& executor, const Clock& clock, TransitionOptions options = {});
  Transition(const Transition&) = delete;
  Transition& operator=(const Transition&) = delete;

  // Fires every synapse whose inputs are met (pseudo events confirm at once,
  // which may fire more). Calls on_finished at once for an empty graph.
  void start();
  // A result for action `action_id`. Returns false (changing nothing) for an
  // unknown action or one not in flight (a late or duplicate result).
  bool action_done(int action_id, const ActionResult& result);
  // Fails every in-flight action whose deadline (timeout + cluster-delay) has
  // passed, as if it had returned a timeout.
  void tick();
  // Fails every in-flight action targeting `node` (its executor is gone).
  void node_lost(const std::string& node);
  // Stops firing synapses; the transition ends once in-flight actions finish.
  void abort(const std::string& reason);

  Outcome outcome() const { return outcome_; }
  bool finished() const { return outcome_ != Outcome::kRunning; }
  bool aborting() const { return aborted_; }
  const std::string& abort_reason() const { return abort_reason_; }
  int id() const { return graph_.transition_id; }
  const Graph& graph() const { return graph_; }
  // The earliest in-flight deadline, if any action is in flight.
  std::optional<Clock::Monotonic> next_deadline() const;
  size_t in_flight() const { return in_flight_.size(); }
  // Ready synapses held back by batch-limit or node-action-limit.
  size_t throttled() const { return throttled_; }
  bool confirmed(int action_id) const { return confirmed_.count(action_id) != 0; }
  // An expected-rc mismatch, executor error or timeout.
  bool action_failed(int action_id) const { return failed_.count(action_id) != 0; }
  // The in-flight action (rsc_op/crm_event) with this key, for routing results.
  std::optional<int> in_flight_action(const std::string& key) const;

  // Called once when the transition finishes. It must not destroy the
  // Transition (defer that to the caller's next step).
  std::function<void(Outcome)> on_finished;
  // Called for each rsc_op that ended (result, or a synthesized timeout), so the
  // caller can record it (lrm_rsc_op in the CIB status).
  std::function<void(const Action&, const ActionResult&)> on_action_result;

 private:
  void fire_ready();
  bool within_limits(const Synapse& s) const;
  void fire(const Synapse& s);
  void confirm(int action_id, bool failed);
  void maybe_finish();

  Graph graph_;
  ActionExecutor& executor_;
  const Clock& clock_;
  TransitionOptions options_;
  bool started_ = false;
  bool firing_ = false;
  bool aborted_ = false;
  bool any_failed_ = false;
  std::string abort_reason_;
  Outcome outcome_ = Outcome::kRunning;
  // Firing order: higher priority first, then graph order (the peer's).
  using ReadyKey = std::pair<int, size_t>;  // (-priority, synapse index)
  std::vector<size_t> waiting_inputs_;      // per synapse: its unconfirmed inputs
  std::map<int, std::vector<size_t>> dependents_;  // action id -> synapses it is an input of
  std::set<ReadyKey> ready_;                // inputs met, not fired yet
  bool made_ready_ = false;  // a confirmation made a synapse ready
  size_t fired_count_ = 0;
  size_t throttled_ = 0;
  std::set<int> confirmed_;
  std::set<int> failed_;
  std::map<int, Clock::Monotonic> in_flight_;  // action id -> deadline
  int ops_in_flight_ = 0;                      // rsc_ops among in_flight_
  std::map<std::string, int> node_ops_in_flight_;
  std::map<std::string, int> keys_;  // transition key -> action id (fired actions)
};

}  // namespace crm::tengine
