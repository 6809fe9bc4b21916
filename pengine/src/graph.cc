// Ordering semantics and the graph: action flags (required / runnable) are
// propagated along orderings to a fixed point with a work list (each ordering
// is revisited only when one of its ends changed); the actions left required
// and runnable form the graph, sorted topologically with Boost.Graph. A cycle
// is an error naming the constraints along it.
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>

#include <algorithm>
#include <deque>
#include <vector>

#include "working_set.h"

namespace crm::pengine {
namespace {

bool is_begin(const std::string& t) { return t == "start" || t == "stop" || t == "promote" || t == "demote"; }
std::string begin_of(const std::string& t) {
  if (t == "running") return "start";
  if (t == "stopped") return "stop";
  if (t == "promoted") return "promote";
  if (t == "demoted") return "demote";
  return t;
}

// A set of actions, as flags by Action::seq (the creation number; an action
// created later grows it): a cold start of a large cluster has a hundred
// thousand actions, which a hash set allocated a node for each.
class ActionSet {
 public:
  bool insert(const Action* a) {
    if (static_cast<size_t>(a->seq) >= in_.size()) in_.resize(a->seq + 1, 0);
    if (in_[a->seq]) return false;
    in_[a->seq] = 1;
    return true;
  }
  void erase(const Action* a) {
    if (static_cast<size_t>(a->seq) < in_.size()) in_[a->seq] = 0;
  }

 private:
  std::vector<char> in_;
};

struct Propagator {
  WorkingSet& ws;
  std::deque<Action*> queue;
  ActionSet queued;

  void touch(Action* a) {
    if (queued.insert(a)) queue.push_back(a);
  }

  std::vector<Action*> child_actions(Resource* c, const std::string& task) {
    std::vector<Action*> out;
    if (c->is_primitive()) {
      for (Action* x : c->actions)
        if (x->task == task && x->interval_ms == 0 && !x->is_probe && x->node) out.push_back(x);
      if (out.empty()) {
        for (Action* x : c->actions)
          if (x->task == task && x->interval_ms == 0 && !x->is_probe) { out.push_back(x); break; }
      }
    } else if (Action* x = ws.find_action(op_key(c->id, task, 0), nullptr)) {
      out.push_back(x);
    }
    return out;
  }

  // Recomputes a collective pseudo action from its children.
  bool derive(Action* a) {
    Resource* r = a->rsc;
    if (!r || r->is_primitive() || !a->pseudo) return false;
    std::string task = begin_of(a->task);
    bool any_required = false, all_runnable = true, any_runnable = false, any_child = false;
    bool every_child = true;  // every child has the action
    // A clone's stop also stands for its orphan instances' (a copy only then:
    // this runs for every change of a collective action).
    std::vector<Resource*> with_orphans;
    if (task == "stop" && !r->orphan_instances.empty()) {
      with_orphans = r->children;
      with_orphans.insert(with_orphans.end(), r->orphan_instances.begin(), r->orphan_instances.end());
    }
    for (Resource* c : with_orphans.empty() ? r->children : with_orphans) {
      // A primitive child answers with its own action (start for running);
      // a collective child with the same pseudo action (the peer's mapping).
      std::vector<Action*> xs = child_actions(c, c->is_primitive() ? task : a->task);
      // A primitive's action without a node is a placeholder, not one it will do.
      bool real = false;
      for (Action* x : xs) real = real || !c->is_primitive() || x->node;
      if (!real) every_child = false;
      for (Action* x : xs) {
        any_child = true;
        // A clone's pseudo actions follow required children that can run.
        if (!x->optional && (r->is_group() || x->runnable || x->pseudo || x->constrained)) any_required = true;
        if (x->runnable) any_runnable = true;
        // The peer has no stop (or demote) at all for a member that is not
        // active (or not promoted): a placeholder for one does not count.
        else if (!((task == "stop" || task == "demote") && c->is_primitive() && !x->node)) all_runnable = false;
      }
    }
    bool changed = false;
    if (any_required && a->optional) { a->optional = false; changed = true; }
    bool runnable = a->runnable;
    bool done = !is_begin(a->task);
    if (r->is_group()) {
      // A group starts (or promotes) only when every member will; it has
      // started, stopped, promoted or demoted only when every member's
      // action can run (the peer's pcmk__group_action_flags).
      bool down = task == "stop" || task == "demote";
      runnable = (every_child || down) && (!done || all_runnable);
    } else if (task == "start" || task == "promote") {
      runnable = any_runnable || !any_child;
      if (!any_child && done) runnable = false;
    }
    if (runnable != a->runnable && !(a->runnable_forced_off && runnable)) {
      a->runnable = runnable;
      changed = true;
    }
    return changed;
  }

  void set_required(Action* then, Action* why) {
    if (!then->optional) return;
    then->optional = false;
    if (why && then->reason.empty() && then->rsc != why->rsc) {
      then->reason = "required " + (why->rsc ? why->rsc->id + " " + why->task : why->task);
    }
    touch(then);
  }
  void set_unrunnable(Action* then, Action* why) {
    if (!then->runnable) return;
    then->runnable = false;
    if (then->rsc && !then->rsc->is_primitive()) then->runnable_forced_off = true;
    if (why && then->reason.empty() && then->rsc != why->rsc) {
      then->reason = "unrunnable " + (why->rsc ? why->rsc->id + " " + why->task : why->task);
    }
    touch(then);
  }

  // Whether `then` is required as seen from `node`: a clone's pseudo action
  // counts only its instances' actions on that node (the peer's per-node
  // flags of collective actions).
  bool required_for(Action* then, Node* node) {
    if (then->optional) return false;
    Resource* r = then->rsc;
    if (!node || !r || !r->is_clone() || !then->pseudo) return true;
    std::string task = begin_of(then->task);
    for (Resource* p : primitives_of(r))
      for (Action* x : p->actions)
        if (x->task == task && x->node == node && x->interval_ms == 0 && !x->is_probe && !x->optional) return true;
    return false;
  }

  // Targets of an ordering into `then`: a collective's beginning stands for its children.
  void targets(Action* then, Action* first, std::vector<Action*>& out) {
    if (then->pseudo && then->rsc && !then->rsc->is_primitive() && is_begin(then->task)) {
      bool internal = first->rsc && (first->rsc == then->rsc || first->rsc->parent == then->rsc);
      if (!internal) {
        for (Resource* c : then->rsc->children)
          for (Action* x : child_actions(c, then->task)) targets(x, first, out);
        return;
      }
    }
    out.push_back(then);
  }

  void apply(Action* first, Action* then, uint32_t flags) {
    if (flags & kOneOrMore) {
      int runnable = 0;
      for (auto& [f, fl] : then->before)
        if ((fl & kOneOrMore) && f->runnable) ++runnable;
      bool r = runnable >= then->one_or_more_needed;
      if (!r && then->runnable) set_unrunnable(then, nullptr), then->reason = "";
      // A required, runnable 'first' puts 'then' in the graph without making it required.
      bool any_required = false;
      for (auto& [f, fl] : then->before)
        if ((fl & kOneOrMore) && !f->optional && f->runnable) any_required = true;
      if (any_required && !then->print_always) { then->print_always = true; touch(then); }
      return;
    }
    if ((flags & kThenCancelsFirst) && !then->optional && !first->optional) {
      // A required stop (or demote) cancels a reload.
      first->optional = true;
      touch(first);
    }
    if ((flags & kAsymmetric) && then->rsc && !first->runnable) {
      bool irrelevant = false;
      if (then->optional) {
        Role role = Role::kStopped;
        std::vector<Node*> on;
        for (Resource* p : primitives_of(then->rsc)) {
          if (p->running_on.empty()) continue;
          if (p->role > role) role = p->role;
          for (Node* n : p->running_on)
            if (std::find(on.begin(), on.end(), n) == on.end()) on.push_back(n);
        }
        if (role == Role::kStopped && then->task == "stop") irrelevant = true;
        else if (role >= Role::kStarted && then->task == "start" && on.size() == 1 && then->node == on.front())
          irrelevant = true;
      }
      if (!irrelevant) {
        set_required(then, first);
        set_unrunnable(then, first);
      }
    }
    if (flags & (kImpliesFirstMigratable | kPseudoLeft | kRunnableLeft | kRestart | kImpliesFirst))
      apply_migration(first, then, flags);
    std::vector<Action*> thens;
    if (flags & (kImpliesThen | kRunnableLeft)) targets(then, first, thens);
    // A required part of a migration does not make what follows required.
    if ((flags & kImpliesThen) && !first->optional && !first->migrate_runnable) {
      // Members of an ordered group are reached one after the other, each
      // through the member before it (the peer updates depth-first), so a
      // member made required right after the previous one names it.
      Action* previous = nullptr;
      for (Action* t : thens) {
        bool was_optional = t->optional;
        bool chained = previous && t->rsc && previous->rsc && t->rsc->parent && t->rsc->parent->is_group() &&
                       t->rsc->parent == previous->rsc->parent && t->rsc->parent->members_ordered;
        set_required(t, chained ? previous : first);
        previous = was_optional && !t->optional ? t : nullptr;
      }
    }
    if ((flags & kRunnableLeft) && !first->runnable) {
      for (Action* t : thens) set_unrunnable(t, first);
    }
    if ((flags & kImpliesFirst) && first->optional && required_for(then, first->node)) {
      first->optional = false;
      touch(first);
    }
    // A blocked, unmanaged resource's stop that cannot run blocks what depends on it.
    if ((flags & (kImpliesThen | kImpliesFirst | kRestart)) && first->rsc && !first->rsc->is_managed() &&
        first->rsc->blocked && first->rsc->stop_failed && !first->runnable && first->task == "stop") {
      set_unrunnable(then, first);
    }
    if (flags & kRestart) {
      bool managed = then->rsc && then->rsc->is_managed();
      bool reason = (!then->runnable && managed) || !then->optional;
      if (reason && first->optional && (first->runnable || !then->optional)) {
        first->optional = false;
        touch(first);
      }
      // A required stop that cannot run blocks the start after it.
      if (reason && !first->optional && !first->runnable && first->node) set_unrunnable(then, first);
    }
  }

  // The migration flags (the peer's pcmk__update_ordered_actions): a
  // migration stays possible only while every part of it can run; once
  // migrate_from cannot, the start becomes a real start again.
  void clear_migratable(Action* a) {
    if (!a->migrate_runnable) return;
    a->migrate_runnable = false;
    touch(a);
  }
  void apply_migration(Action* first, Action* then, uint32_t flags) {
    if ((flags & kImpliesFirst) && !then->optional && first->migrate_runnable && !then->migrate_runnable)
      clear_migratable(first);
    if (flags & kImpliesFirstMigratable) {
      if (!(then->migrate_runnable && then->runnable)) set_unrunnable(first, nullptr);
      if (!then->optional && first->optional) {
        first->optional = false;
        touch(first);
      }
    }
    if ((flags & kPseudoLeft) && !first->runnable && (then->migrate_runnable || then->pseudo)) {
      then->migrate_runnable = false;
      then->pseudo = false;
      touch(then);
    }
    if ((flags & kRunnableLeft) && !first->runnable) clear_migratable(then);
    if ((flags & kRestart) && !then->migrate_runnable) clear_migratable(first);
  }

  // The peer's colocation blocking: when a start (or promote) cannot run
  // anywhere, the resources that must be colocated with it (in that role)
  // cannot start (or be promoted) either.
  ActionSet blocked_done;

  void mark_blocked(Resource* rsc, const std::string& task, Resource* reason) {
    for (Action* x : rsc->actions) {
      if (!x->runnable || x->task != task) continue;
      x->runnable = false;
      if (x->rsc && !x->rsc->is_primitive()) x->runnable_forced_off = true;
      if (x->reason.empty()) x->reason = "colocation with " + reason->id;
      touch(x);
      block_colocation_dependents(x);
    }
    for (Resource* c : rsc->children) mark_blocked(c, task, reason);
  }

  void block_colocation_dependents(Action* a) {
    if (a->runnable || !a->rsc || (a->task != "start" && a->task != "promote")) return;
    if (!blocked_done.insert(a)) return;
    bool is_start = a->task == "start";
    Resource* top = a->rsc->top();
    if (top->with_this.empty()) return;
    // Only when the whole collective cannot reach the role.
    for (Resource* child : top->children) {
      Action* first = nullptr;
      for (Action* x : child->actions)
        if (x->task == a->task) { first = x; break; }
      if (!first || first->runnable) return;
    }
    const std::vector<Colocation*> dependents = top->with_this;
    for (Colocation* c : dependents) {
      if (c->score < kInfinity) continue;
      if (!is_start && c->primary_role != Role::kPromoted) continue;
      mark_blocked(c->dependent, c->dependent_role == Role::kPromoted ? "promote" : "start", a->rsc);
    }
  }

  void run() {
    for (Action& a : ws.action_store) {
      // A one-or-more action without enough runnable 'firsts' cannot run
      // (also when it has no 'first' at all).
      if (a.one_or_more_needed > 0) {
        int runnable = 0;
        for (auto& [f, fl] : a.before)
          if ((fl & kOneOrMore) && f->runnable) ++runnable;
        if (runnable < a.one_or_more_needed) a.runnable = false;
      }
      touch(&a);
    }
    while (!queue.empty()) {
      Action* a = queue.front();
      queue.pop_front();
      queued.erase(a);
      if (derive(a)) touch(a);
      block_colocation_dependents(a);
      for (auto& [then, flags] : a->after) apply(a, then, flags);
      for (auto& [first, flags] : a->before) apply(first, a, flags);
      // Collective parents depend on this action.
      if (a->rsc && a->rsc->parent) {
        Resource* p = a->rsc->parent;
        for (const char* t : {"start", "stop", "promote", "demote", "running", "stopped", "promoted", "demoted"}) {
          if (begin_of(t) != begin_of(a->task)) continue;
          if (Action* pa = ws.find_action(op_key(p->id, t, 0), nullptr)) {
            if (derive(pa)) touch(pa);
          }
        }
      }
    }
  }
};

}  // namespace

bool graph_edge(const Action* first, const Action* then, uint32_t flags) {
  if (flags & kDisabled) return false;
  // The peer's should_add_input_to_graph for migrations.
  if ((flags & kImpliesFirstMigratable) && !first->runnable) return false;
  if ((flags & kApplyFirstNonMigratable) && first->migrate_runnable) return false;
  if (flags == kOrderOptional && first->migrate_runnable && first->task == "stop") return false;
  if ((flags & kLoad) && first->optional) return false;
  if (flags == kAntiColocation) {
    if (first->node && then->node && first->node != then->node) return false;
    if (first->optional) return false;
  }
  return true;
}

Status propagate_flags(WorkingSet& ws) {
  Propagator p{ws, {}, {}, {}};
  p.run();
  return Status::Ok();
}

namespace {

// Whether `target` is reached walking the graph's inputs back from `from`.
bool reaches_back(Action* from, Action* target) {
  ActionSet seen;
  std::vector<Action*> stack{from};
  while (!stack.empty()) {
    Action* a = stack.back();
    stack.pop_back();
    if (a == target) return true;
    if (!seen.insert(a)) continue;
    for (auto& [f, fl] : a->before)
      if (f->in_graph && graph_edge(f, a, fl)) stack.push_back(f);
  }
  return false;
}

// Two resources migrating into each other's nodes under utilization: each
// migrate_to waits for the load to leave its target, which waits for the
// other's migration. As the peer (ordering_is_invalid), the load ordering
// into a migrate_to that would close a loop is dropped, in creation order.
void break_migration_load_loops(WorkingSet& ws) {
  for (Action& a : ws.action_store) {
    if (a.task != "migrate_to" || !a.in_graph) continue;
    for (auto& [first, flags] : a.before) {
      if (!(flags & kLoad) || !first->in_graph || !graph_edge(first, &a, flags)) continue;
      if (!reaches_back(first, &a)) continue;
      flags |= kDisabled;
      for (auto& [t, fl] : first->after)
        if (t == &a && (fl & kLoad)) fl |= kDisabled;
    }
  }
}

}  // namespace

Status check_graph(WorkingSet& ws) {
  // Graph membership.
  for (Action& a : ws.action_store) {
    a.in_graph = (!a.optional || a.print_always) && a.runnable && (a.node || a.pseudo);
  }
  break_migration_load_loops(ws);
  // Cycle check on the graph's edges.
  std::vector<Action*> nodes;
  for (Action& a : ws.action_store)
    if (a.in_graph) nodes.push_back(&a);
  std::vector<int> index(ws.action_store.size(), -1);  // by Action::seq
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i]->seq] = static_cast<int>(i);
  using G = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  G g(nodes.size());
  for (Action* a : nodes)
    for (auto& [t, f] : a->after)
      if (t->in_graph && graph_edge(a, t, f)) boost::add_edge(index[a->seq], index[t->seq], g);
  std::vector<G::vertex_descriptor> order;
  try {
    boost::topological_sort(g, std::back_inserter(order));
  } catch (const boost::not_a_dag&) {
    // Find one cycle with an iterative DFS and name its constraints.
    std::vector<int> color(nodes.size(), 0), parent(nodes.size(), -1);
    std::vector<int> cycle;
    for (size_t s = 0; s < nodes.size() && cycle.empty(); ++s) {
      if (color[s]) continue;
      std::vector<std::pair<int, size_t>> stack{{static_cast<int>(s), 0}};
      color[s] = 1;
      while (!stack.empty() && cycle.empty()) {
        auto& [v, i] = stack.back();
        auto& outs = nodes[v]->after;
        if (i >= outs.size()) { color[v] = 2; stack.pop_back(); continue; }
        auto [t, f] = outs[i++];
        if (!t->in_graph || !graph_edge(nodes[v], t, f)) continue;
        int w = index[t->seq];
        if (color[w] == 1) {
          cycle.push_back(w);
          for (int x = v; x != w && x >= 0; x = parent[x]) cycle.push_back(x);
          cycle.push_back(w);
        } else if (color[w] == 0) {
          color[w] = 1;
          parent[w] = v;
          stack.push_back({w, 0});
        }
      }
    }
    std::reverse(cycle.begin(), cycle.end());
    std::string msg = "ordering cycle:";
    std::set<std::string> cons;
    for (size_t i = 0; i < cycle.size(); ++i) {
      Action* a = nodes[cycle[i]];
      msg += (i ? " -> " : " ") + a->key + (a->node ? " on " + a->node->uname : "");
      if (i + 1 < cycle.size()) {
        for (const OrderingRef& o : ws.orderings)
          if (o.first == a && o.then == nodes[cycle[i + 1]] && !o.constraint.empty()) cons.insert(o.constraint);
      }
    }
    if (!cons.empty()) {
      msg += " (constraints:";
      for (const std::string& c : cons) msg += " " + c;
      msg += ")";
    }
    return config_invalid(msg);
  }
  std::reverse(order.begin(), order.end());
  ws.topo.clear();
  for (auto v : order) ws.topo.push_back(nodes[v]);
  return Status::Ok();
}

}  // namespace crm::pengine
