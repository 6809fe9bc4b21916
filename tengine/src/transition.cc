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
    : graph_(std::move(graph)), executor_(executor), clock_(clock), options_(std::move(options)) {}

void Transition::start() {
  if (started_) return;
  started_ = true;
  fire_ready();
  maybe_finish();
}

void Transition::fire_ready() {
  if (firing_) return;  // an executor completed an action synchronously
  firing_ = true;
  // Confirming a pseudo event may make more synapses ready: loop until none is.
  bool progress = true;
  while (progress && !aborted_ && !any_failed_) {
    progress = false;
    for (const Synapse& s : graph_.synapses) {
      if (aborted_ || any_failed_) break;
      if (fired_synapses_.count(s.id)) continue;
      bool ready = true;
      for (int in : s.inputs) {
        if (!confirmed_.count(in)) {
          ready = false;
          break;
        }
      }
      if (!ready) continue;
      fired_synapses_.insert(s.id);
      progress = true;
      for (int id : s.actions) {
        const Action& a = graph_.actions.at(id);
        if (a.type == ActionType::kPseudo) {
          confirm(id, false);
          continue;
        }
        std::string key = transition_key(a.id, graph_.transition_id, a.target_rc, options_.dc_uuid);
        keys_[id] = key;
        in_flight_[id] = clock_.monotonic_now() + a.timeout + graph_.cluster_delay;
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
  }
  firing_ = false;
}

void Transition::confirm(int action_id, bool failed) {
  confirmed_.insert(action_id);
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
  for (const auto& [id, k] : keys_) {
    if (k == key && in_flight_.count(id)) return id;
  }
  return std::nullopt;
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
    if (fired_synapses_.size() != graph_.synapses.size()) {
      outcome_ = Outcome::kFailed;
      abort_reason_ = "graph has synapses that can never fire";
    } else {
      outcome_ = Outcome::kComplete;
    }
  }
  if (on_finished) on_finished(outcome_);
}

}  // namespace crm::tengine
