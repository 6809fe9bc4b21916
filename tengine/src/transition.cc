#include "crm/tengine/transition.h"


namespace crm::tengine {

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kRunning: return "running";
    case Outcome::kComplete: return "complete";
    case Outcome::kAborted: return "aborted";
    case Outcome::kFailed: return "failed";
  }
  return "?";
}

Transition::Transition(Graph graph, ActionExecutor& executor, const Clock& clock, TransitionOptions options)
    : graph_(std::move(graph)), executor_(executor), clock_(clock), options_(std::move(options)) {
  // Each synapse counts its unconfirmed inputs; confirming an action visits
  // only the synapses waiting on it, so a transition of thousands of actions
  // costs what it fires, not synapses x results.
  waiting_inputs_.resize(graph_.synapses.size());
  for (size_t i = 0; i < graph_.synapses.size(); ++i) {
    std::set<int> inputs(graph_.synapses[i].inputs.begin(), graph_.synapses[i].inputs.end());
    waiting_inputs_[i] = inputs.size();
    for (int in : inputs) dependents_[in].push_back(i);
    if (inputs.empty()) ready_.emplace(-graph_.synapses[i].priority, i);
  }
}

void Transition::start() {
  if (started_) return;
  started_ = true;
  fire_ready();
  maybe_finish();
}

// A resource operation counts against the limits; pseudo events and crm_events
// (fencing, shutdown) never wait for a slot.
static bool limited(const Action& a) { return a.type == ActionType::kRscOp; }

bool Transition::within_limits(const Synapse& s) const {
  if (options_.batch_limit <= 0 && options_.node_action_limit <= 0) return true;
  int ops = 0;
  for (int id : s.actions) ops += limited(graph_.actions.at(id)) ? 1 : 0;
  if (ops == 0) return true;
  // A synapse bigger than a limit still fires once nothing else is in flight.
  if (options_.batch_limit > 0 && ops_in_flight_ > 0 && ops_in_flight_ + ops > options_.batch_limit) return false;
  if (options_.node_action_limit <= 0) return true;
  for (int id : s.actions) {
    const Action& a = graph_.actions.at(id);
    if (!limited(a)) continue;
    auto busy = node_ops_in_flight_.find(a.on_node);
    if (busy == node_ops_in_flight_.end()) continue;
    int here = 0;  // this synapse's operations on the same node (usually 1)
    for (int other : s.actions) {
      const Action& b = graph_.actions.at(other);
      here += limited(b) && b.on_node == a.on_node ? 1 : 0;
    }
    if (busy->second + here > options_.node_action_limit) return false;
  }
  return true;
}

void Transition::fire_ready() {
  if (firing_) return;  // an executor completed an action synchronously
  firing_ = true;
  // Confirming a pseudo event may make more synapses ready: another pass
  // while a pass made some (those before its position were not visited).
  bool progress = true;
  while (progress && !aborted_ && !any_failed_) {
    progress = false;
    made_ready_ = false;
    throttled_ = 0;
    for (auto it = ready_.begin(); it != ready_.end() && !aborted_ && !any_failed_;) {
      const Synapse& s = graph_.synapses[it->second];
      if (!within_limits(s)) {
        ++throttled_;
        ++it;
        continue;
      }
      it = ready_.erase(it);  // fire() only adds to ready_: `it` stays valid
      fire(s);
    }
    progress = made_ready_;
  }
  firing_ = false;
}

void Transition::fire(const Synapse& s) {
  ++fired_count_;
  for (int id : s.actions) {
    const Action& a = graph_.actions.at(id);
    if (a.type == ActionType::kPseudo) {
      confirm(id, false);
      continue;
    }
    std::string key = transition_key(a.id, graph_.transition_id, a.target_rc, options_.dc_uuid);
    keys_[key] = id;
    in_flight_[id] = clock_.monotonic_now() + a.timeout + graph_.cluster_delay;
    if (limited(a)) {
      ++ops_in_flight_;
      ++node_ops_in_flight_[a.on_node];
    }
    Status st = executor_.execute(a, key);
    if (!st.ok() && in_flight_.count(id)) {
      ActionResult r;
      r.rc = kOcfErrGeneric;
      r.status = ExecStatus::kError;
      r.output = st.to_string();
      action_done(id, r);
    }
  }
}

void Transition::confirm(int action_id, bool failed) {
  if (!confirmed_.insert(action_id).second) return;
  auto deps = dependents_.find(action_id);
  if (deps != dependents_.end()) {
    for (size_t i : deps->second) {
      if (--waiting_inputs_[i] == 0) {
        ready_.emplace(-graph_.synapses[i].priority, i);
        made_ready_ = true;
      }
    }
  }
  if (failed) {
    failed_.insert(action_id);
    any_failed_ = true;
  }
}

bool Transition::action_done(int action_id, const ActionResult& result) {
  auto it = in_flight_.find(action_id);
  if (it == in_flight_.end()) return false;
  in_flight_.erase(it);
  const Action& a = graph_.actions.at(action_id);
  if (limited(a)) {
    --ops_in_flight_;
    if (--node_ops_in_flight_[a.on_node] == 0) node_ops_in_flight_.erase(a.on_node);
  }
  bool failed = result.status != ExecStatus::kDone;
  if (a.type == ActionType::kRscOp && !failed && result.rc != a.target_rc) failed = true;
  if (a.type == ActionType::kRscOp && on_action_result) on_action_result(a, result);
  confirm(action_id, failed);
  if (started_ && !firing_) {
    fire_ready();
    maybe_finish();
  }
  return true;
}

void Transition::tick() {
  auto now = clock_.monotonic_now();
  std::vector<int> expired;
  for (const auto& [id, deadline] : in_flight_) {
    if (deadline <= now) expired.push_back(id);
  }
  for (int id : expired) {
    if (finished()) return;
    ActionResult r;
    r.rc = kOcfErrGeneric;
    r.status = ExecStatus::kTimeout;
    r.output = "action timed out in the transition engine";
    action_done(id, r);
  }
}

void Transition::node_lost(const std::string& node) {
  std::vector<int> lost;
  for (const auto& [id, deadline] : in_flight_) {
    if (graph_.actions.at(id).on_node == node) lost.push_back(id);
  }
  for (int id : lost) {
    if (finished()) return;
    ActionResult r;
    r.rc = kOcfErrGeneric;
    r.status = ExecStatus::kError;
    r.output = "node " + node + " left the cluster";
    action_done(id, r);
  }
}

void Transition::abort(const std::string& reason) {
  if (finished()) return;
  if (!aborted_) {
    aborted_ = true;
    abort_reason_ = reason;
  }
  maybe_finish();
}

std::optional<Clock::Monotonic> Transition::next_deadline() const {
  std::optional<Clock::Monotonic> best;
  for (const auto& [id, deadline] : in_flight_) {
    if (!best || deadline < *best) best = deadline;
  }
  return best;
}

std::optional<int> Transition::in_flight_action(const std::string& key) const {
  auto it = keys_.find(key);
  if (it == keys_.end() || !in_flight_.count(it->second)) return std::nullopt;
  return it->second;
}

void Transition::maybe_finish() {
  if (finished() || !started_ || firing_ || !in_flight_.empty()) return;
  if (aborted_) {
    outcome_ = Outcome::kAborted;
  } else if (any_failed_) {
    outcome_ = Outcome::kFailed;
  } else {
    // Nothing in flight and nothing failed: either every synapse fired (and so
    // every action is confirmed) or the graph can never finish (a cycle).
    if (fired_count_ != graph_.synapses.size()) {
      outcome_ = Outcome::kFailed;
      abort_reason_ = "graph has synapses that can never fire";
    } else {
      outcome_ = Outcome::kComplete;
    }
  }
  if (on_finished) on_finished(outcome_);
}

}  // namespace crm::tengine
