// Explanations: where each allocation score comes from, and the one reason
// that decides where a resource runs (ScheduleOptions::explain).
//
// The stages that change scores note each change with its reason while the
// scores are computed (location.cc, assign.cc); here the notes become, per
// resource and node, the contributions that add up to the allocation score,
// and the decision is read from the finished schedule: the node chosen
// against the runner-up, or what keeps every node out, or what stops the
// start where it was placed (quorum, an ordering, fencing).
#include <algorithm>
#include <set>

#include "working_set.h"

namespace crm::pengine {

const char* contribution_kind_text(ContributionKind kind) {
  switch (kind) {
    case ContributionKind::kDefault: return "default";
    case ContributionKind::kOptIn: return "opt-in";
    case ContributionKind::kLocation: return "location";
    case ContributionKind::kStickiness: return "stickiness";
    case ContributionKind::kUnmanaged: return "unmanaged";
    case ContributionKind::kFailCount: return "fail-count";
    case ContributionKind::kFailedStop: return "failed-operation";
    case ContributionKind::kHardError: return "hard-error";
    case ContributionKind::kUnrunnable: return "unrunnable";
    case ContributionKind::kColocation: return "colocation";
    case ContributionKind::kDependents: return "dependents";
    case ContributionKind::kTargetRole: return "target-role";
    case ContributionKind::kTicket: return "ticket";
    case ContributionKind::kClone: return "clone";
    case ContributionKind::kOther: return "other";
  }
  return "other";
}

bool explaining(const WorkingSet& ws, const Resource* r) {
  if (!ws.explain_any) return false;
  for (const std::string& id : ws.options.explain) {
    if (id == "*") return true;
    for (const Resource* x = r; x; x = x->parent)
      if (x->id == id || x->base_id == id) return true;
  }
  return false;
}

void note_score(WorkingSet& ws, const Resource* r, Node* node, Score score, bool sets) {
  ScoreContribution c;
  if (ws.reason) {
    c.kind = ws.reason->kind;
    c.source = ws.reason->source;
    c.text = ws.reason->text;
  }
  c.score = score;
  c.sets = sets;
  ws.score_notes[r].push_back({node, std::move(c)});
}

ScoreChange::ScoreChange(WorkingSet& ws, Resource* r) : ws_(ws), r_(r) {
  if (!ws.explain_any || !explaining(ws, r)) return;
  active_ = true;
  before_ = r->allowed;
}

void ScoreChange::finish(const Reason& reason) {
  const Reason* previous = ws_.reason;
  Reason against = reason;
  if (!reason.text_against.empty()) against.text = reason.text_against;
  for (auto& [n, after] : r_->allowed) {
    auto b = before_.find(n);
    ws_.reason = b != before_.end() && after < b->second ? &against : &reason;
    auto it = before_.find(n);
    if (it == before_.end()) {
      note_score(ws_, r_, n, after, true);
      continue;
    }
    Score was = it->second;
    if (after == was) continue;
    if (after <= kMinusInfinity || after >= kInfinity) {
      // A saturated result: adding the infinity gives it, unless the score
      // was -INFINITY and is no more (only a replacement says that).
      bool adds = !(was <= kMinusInfinity) && score_add(was, after) == after;
      note_score(ws_, r_, n, after, !adds);
    } else if (was <= kMinusInfinity || was >= kInfinity) {
      note_score(ws_, r_, n, after, true);
    } else {
      note_score(ws_, r_, n, after - was, false);
    }
  }
  ws_.reason = previous;
}

void note_allocation_scores(WorkingSet& ws, Resource* r) {
  if (!explaining(ws, r)) return;
  ws.allocation_scores[r] = r->allowed;  // the last time counts, as in crm_simulate -s
}

namespace {

std::string unavailable_text(const Node* n) {
  if (n->unclean) return "unclean (to be fenced)";
  if (!n->online) return "offline";
  if (n->pending) return "pending (not yet a full member)";
  if (n->standby) return "in standby";
  if (n->maintenance) return "in maintenance";
  if (n->shutdown) return "shutting down";
  return "";
}

Score apply(Score acc, const ScoreContribution& c) { return c.sets ? c.score : score_add(acc, c.score); }

// The contributions to a score, merged by where they come from (one entry
// per source), for comparing two nodes.
std::map<std::string, Score> by_source(const NodeExplanation& n) {
  std::map<std::string, Score> out;
  for (const auto& c : n.contributions) {
    std::string key = std::string(contribution_kind_text(c.kind)) + "|" + c.source;
    auto [it, fresh] = out.try_emplace(key, 0);
    it->second = c.sets ? c.score : score_add(it->second, c.score);
  }
  return out;
}

const ScoreContribution* find_source(const NodeExplanation& n, const std::string& key) {
  for (const auto& c : n.contributions)
    if (std::string(contribution_kind_text(c.kind)) + "|" + c.source == key) return &c;
  return nullptr;
}

// Why a node is out for the resource: its state, or what made its score
// negative (the first -INFINITY, else the most negative contribution).
std::string why_not(const NodeExplanation& n, Score after_capacity) {
  if (!n.unavailable.empty()) return n.node + " is " + n.unavailable;
  if (!n.allowed) return n.node + " is not allowed (opt-in cluster: no location constraint allows it)";
  if (n.total >= 0 && after_capacity <= kMinusInfinity) return n.node + " has not enough free capacity (utilization)";
  const ScoreContribution* worst = nullptr;
  for (const auto& c : n.contributions) {
    if (c.score <= kMinusInfinity) { worst = &c; break; }
    if (!worst || c.score < worst->score) worst = &c;
  }
  std::string score = score_to_string(n.total);
  if (!worst || worst->score >= 0) return n.node + " has score " + score;
  return n.node + " has score " + score + ": " + (worst->text.empty() ? contribution_kind_text(worst->kind) : worst->text);
}

// Whether `then` cannot run because of an unrunnable action ordered before
// it: that action and the constraint, when there is one.
const OrderingRef* blocking_ordering(const WorkingSet& ws, const Action* then) {
  for (const auto& [first, flags] : then->before) {
    if (first->runnable || !(flags & (kRunnableLeft | kAsymmetric | kOneOrMore))) continue;
    if (first->rsc == then->rsc) continue;
    for (const OrderingRef& o : ws.orderings)
      if (o.first == first && o.then == then) return &o;
  }
  return nullptr;
}

std::string action_words(const Action* a) {
  std::string s = a->rsc ? a->rsc->id + " " + a->task : a->key;
  if (a->node) s += " on " + a->node->uname;
  return s;
}

// Why an action cannot run, following orderings back to the first cause.
std::string why_unrunnable(const WorkingSet& ws, const Action* a, int depth = 0) {
  if (a->reason == "no quorum")
    return "the partition has no quorum (no-quorum-policy=" + ws.no_quorum_policy + ")";
  if (a->reason == "quorum freeze") return "the partition has no quorum (no-quorum-policy=freeze)";
  if (a->node && !a->node->available()) return a->node->uname + " is " + unavailable_text(a->node);
  if (const OrderingRef* o = blocking_ordering(ws, a)) {
    std::string what = "it is ordered after " + action_words(o->first) +
                       (o->constraint.empty() ? "" : " (" + o->constraint + ")") + ", which cannot run";
    if (depth < 4) {
      std::string deeper = why_unrunnable(ws, o->first, depth + 1);
      if (!deeper.empty()) what += ": " + deeper;
    }
    return what;
  }
  if (a->rsc && a->rsc->failed && !a->rsc->running_on.empty())
    return a->rsc->id + " failed on " + a->rsc->running_on.front()->uname;
  if (a->rsc && a->task == "start" && !a->node) {
    for (const Resource* x = a->rsc; x; x = x->parent)
      if (x->target_role && *x->target_role == Role::kStopped) return x->id + " has target-role=Stopped";
    return a->rsc->id + " is placed nowhere";
  }
  return "";
}

Action* start_on(Resource* r, Node* n) {
  for (Action* a : r->actions)
    if (a->task == "start" && a->node == n) return a;
  return nullptr;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string decide(WorkingSet& ws, Resource* r, const ResourceExplanation& e) {
  auto stopped_by_role = [&]() -> std::string {
    for (Resource* x = r; x; x = x->parent) {
      if (x->target_role && *x->target_role == Role::kStopped)
        return "target-role=Stopped" + std::string(x == r ? "" : " on " + x->id) +
               ": the configuration says it should remain stopped";
    }
    return "";
  };
  // Not active and meant to stay stopped: that is the reason, whatever else holds.
  if (std::string why = stopped_by_role(); !why.empty() && r->running_on.empty()) return why;
  if (ws.stonith_enabled && !ws.have_stonith_resource)
    return "stonith-enabled=true but no fencing device is configured: the cluster starts and stops nothing "
           "until one is (or stonith-enabled=false)";
  if (ws.maintenance_mode) return "maintenance-mode=true: the cluster starts and stops nothing";
  if (r->blocked || r->multiply_blocked) {
    return std::string(r->blocked ? "blocked by a failure with on-fail=block"
                                  : "blocked: active on several nodes with multiple-active=block") +
           ": the cluster leaves it alone until the failure is cleaned up (crm_resource --cleanup)";
  }
  if (!r->is_managed()) {
    return std::string(r->maintenance ? "in maintenance" : "not managed (is-managed=false)") +
           ": the cluster neither starts nor stops it" +
           (e.active_on.empty() ? "" : "; it stays active on " + join(e.active_on, ", "));
  }
  if (std::string why = stopped_by_role(); !why.empty()) return why;
  auto node_e = [&](const Node* n) -> const NodeExplanation* {
    for (const auto& ne : e.nodes)
      if (ne.node == n->uname) return &ne;
    return nullptr;
  };
  auto final_score = [&](const NodeExplanation& ne) {
    for (auto& [n, s] : r->allowed)
      if (n->uname == ne.node) return s;
    return kMinusInfinity;
  };
  if (r->assigned) {
    Node* n = r->assigned;
    Action* start = start_on(r, n);
    bool active_here = std::find(r->running_on.begin(), r->running_on.end(), n) != r->running_on.end();
    if (start && !start->runnable && !active_here) {
      std::string why = why_unrunnable(ws, start);
      return "placed on " + n->uname + " but cannot start there: " +
             (why.empty() ? "an action its start depends on cannot run" : why);
    }
    std::string verb = active_here ? std::string("stays on ")
                       : r->running_on.empty() ? std::string("starts on ")
                                               : "moves from " + r->running_on.front()->uname + " to ";
    const NodeExplanation* mine = node_e(n);
    // The runner-up: the best other node that could have taken it.
    const NodeExplanation* second = nullptr;
    std::vector<std::string> others_out;
    for (const auto& ne : e.nodes) {
      if (ne.node == n->uname) continue;
      bool usable = ne.unavailable.empty() && ne.allowed && ne.total >= 0 && final_score(ne) > kMinusInfinity;
      if (!usable) {
        others_out.push_back(why_not(ne, final_score(ne)));
        continue;
      }
      if (!second || ne.total > second->total) second = &ne;
    }
    std::string head = verb + n->uname + " (score " + (mine ? score_to_string(mine->total) : "?") + ")";
    if (!second) {
      if (others_out.empty()) return head + ": the only node";
      return head + ": no other node can run it (" + join(others_out, "; ") + ")";
    }
    if (mine && second->total == mine->total)
      return head + ": " + second->node + " has the same score; the tie is broken by " +
             (active_here ? "where it is active" : "the node order (fewer resources, then name)");
    // The source that makes the most difference between the two.
    auto a = by_source(*mine), b = by_source(*second);
    std::set<std::string> keys;
    for (auto& [k, v] : a) keys.insert(k);
    for (auto& [k, v] : b) keys.insert(k);
    std::string best_key;
    Score best_diff = 0;
    for (const auto& k : keys) {
      Score va = a.count(k) ? a[k] : 0, vb = b.count(k) ? b[k] : 0;
      Score diff = (va >= kInfinity || vb <= kMinusInfinity) ? kInfinity : va - vb;
      if (diff > best_diff) { best_diff = diff; best_key = k; }
    }
    std::string because;
    if (const ScoreContribution* c = best_key.empty() ? nullptr : find_source(*mine, best_key)) {
      because = c->text.empty() ? contribution_kind_text(c->kind) : c->text;
    } else if (const ScoreContribution* c2 = best_key.empty() ? nullptr : find_source(*second, best_key)) {
      because = "on " + second->node + ": " + (c2->text.empty() ? contribution_kind_text(c2->kind) : c2->text);
    }
    return head + ": " + second->node + ", the next best, has " + score_to_string(second->total) +
           (because.empty() ? "" : "; the difference: " + because);
  }
  // Placed nowhere.
  std::vector<std::string> reasons;
  std::set<std::string> distinct;
  for (const auto& ne : e.nodes) {
    std::string why = why_not(ne, final_score(ne));
    reasons.push_back(why);
    distinct.insert(why.substr(why.find(' ') + 1));
  }
  if (Resource* clone = r->clone_parent()) {
    int placed = 0;
    for (Resource* inst : clone->children)
      for (Resource* p : primitives_of(inst))
        if (p->assigned) { ++placed; break; }
    if (placed >= clone->clone_max && clone->clone_max > 0)
      return "not needed: " + clone->id + " has its clone-max=" + std::to_string(clone->clone_max) + " instances placed";
  }
  if (reasons.empty()) return "cannot run anywhere: the cluster has no nodes";
  return "cannot run anywhere: " + join(reasons, "; ");
}

}  // namespace

std::vector<ResourceExplanation> explain_resources(WorkingSet& ws) {
  std::vector<ResourceExplanation> out;
  if (!ws.explain_any) return out;
  std::vector<Resource*> order;
  std::vector<Resource*> stack(ws.resources.rbegin(), ws.resources.rend());
  while (!stack.empty()) {
    Resource* r = stack.back();
    stack.pop_back();
    if (r->is_primitive()) {
      if (explaining(ws, r)) order.push_back(r);
      continue;
    }
    for (auto it = r->children.rbegin(); it != r->children.rend(); ++it) stack.push_back(*it);
  }
  for (Resource* r : order) {
    ResourceExplanation e;
    e.resource = r->id;
    if (r->parent) e.parent = r->parent->id;
    for (Node* n : r->running_on) e.active_on.push_back(n->uname);
    if (r->assigned) e.next_node = r->assigned->uname;
    e.next_role = r->next_role == Role::kUnknown ? Role::kStopped : r->next_role;
    auto scores_it = ws.allocation_scores.find(r);
    const std::map<Node*, Score>* scores = scores_it == ws.allocation_scores.end() ? nullptr : &scores_it->second;
    const std::vector<ScoreNote>* notes = nullptr;
    if (auto it = ws.score_notes.find(r); it != ws.score_notes.end()) notes = &it->second;
    for (Node& n : ws.nodes) {
      NodeExplanation ne;
      ne.node = n.uname;
      ne.unavailable = unavailable_text(&n);
      Score total = kMinusInfinity;
      if (scores) {
        auto it = scores->find(&n);
        ne.allowed = it != scores->end();
        if (ne.allowed) total = it->second;
      }
      ne.total = total;
      Score sum = 0;
      if (notes) {
        for (const ScoreNote& note : *notes) {
          if (note.node != &n) continue;
          ne.contributions.push_back(note.contribution);
          sum = apply(sum, note.contribution);
        }
      }
      if (ne.allowed && (sum != total || ne.contributions.empty())) {
        // A step noted nowhere (a clone's instance placement, a rollback):
        // said as such, so the contributions still add up.
        ScoreContribution c;
        c.kind = ContributionKind::kOther;
        c.text = r->clone_parent() ? "the placement of the clone's instances" : "a step of the assignment";
        c.score = total;
        c.sets = true;
        ne.contributions.push_back(std::move(c));
      }
      e.nodes.push_back(std::move(ne));
    }
    for (const auto& ne : e.nodes) {
      for (const auto& c : ne.contributions) {
        if (c.kind != ContributionKind::kLocation) continue;
        if (c.source.rfind("cli-ban-", 0) != 0 && c.source.rfind("cli-prefer-", 0) != 0) continue;
        const std::string& item = c.text;
        if (std::find(e.leftovers.begin(), e.leftovers.end(), item) == e.leftovers.end()) e.leftovers.push_back(item);
      }
    }
    e.decision = decide(ws, r, e);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace crm::pengine
