// Ordering constraints: rsc_order pairs and resource sets, Mandatory /
// Optional / Serialize kinds, symmetrical inverses, first-action and
// then-action, clone-min / require-all (one-or-more), interleaved clones.
#include <cstring>

#include "crm/core/xml.h"
#include "working_set.h"

namespace crm::pengine {
namespace {

enum class OrderKind { kMandatory, kOptional, kSerialize };

std::string invert(const std::string& task) {
  if (task == "start") return "stop";
  if (task == "stop") return "start";
  if (task == "promote") return "demote";
  if (task == "demote") return "promote";
  return "";
}

std::string done_task(const std::string& task) {
  if (task == "start") return "running";
  if (task == "stop") return "stopped";
  if (task == "promote") return "promoted";
  if (task == "demote") return "demoted";
  return task;
}

// Actions standing for `task` of a resource, as first (completion) or then (beginning).
// `constrained`: the actions are named by the constraint itself (not paired
// instance to instance, where the peer uses only actions that exist).
std::vector<Action*> actions_for(WorkingSet& ws, Resource* r, const std::string& task, bool as_first,
                                 bool constrained = true) {
  std::vector<Action*> out;
  if (r->is_primitive()) {
    for (Action* a : r->actions)
      if (a->task == task && a->interval_ms == 0 && !a->is_probe) out.push_back(a);
    if (out.empty()) {
      Action* a = ws.new_action(r, task, 0, nullptr, true);
      a->runnable = false;
      out.push_back(a);
    }
    // Prefer node-bound actions when they exist.
    std::vector<Action*> bound;
    for (Action* a : out) if (a->node) bound.push_back(a);
    if (!bound.empty()) return bound;
    if (constrained)
      for (Action* a : out) a->constrained = true;
    return out;
  }
  std::string t = as_first ? done_task(task) : task;
  if (Action* a = ws.find_action(op_key(r->id, t, 0), nullptr)) out.push_back(a);
  return out;
}

uint32_t flags_for(OrderKind kind, const std::string& first_task, bool inverse, bool symmetric) {
  switch (kind) {
    case OrderKind::kOptional: return kOrderOptional;
    case OrderKind::kSerialize: return kSerialize;
    case OrderKind::kMandatory:
      if (!symmetric) return kAsymmetric;
      if (inverse) return kImpliesFirst;
      {
        uint32_t f = kImpliesThen;
        if (first_task == "start" || first_task == "promote") f |= kRunnableLeft;
        return f;
      }
  }
  return kOrderOptional;
}

Resource* instance_on(Resource* clone, Node* n) {
  for (Resource* inst : clone->children) {
    std::vector<Resource*> prims = primitives_of(inst);
    if (prims.empty()) continue;
    if (prims.front()->assigned == n) return inst;
  }
  for (Resource* inst : clone->children) {
    std::vector<Resource*> prims = primitives_of(inst);
    if (prims.empty()) continue;
    for (Node* x : prims.front()->running_on) if (x == n) return inst;
  }
  return nullptr;
}

Node* instance_location(Resource* inst) {
  std::vector<Resource*> prims = primitives_of(inst);
  if (prims.empty()) return nullptr;
  if (prims.front()->assigned) return prims.front()->assigned;
  return prims.front()->current_node();
}

}  // namespace

// Existing actions of `r` for `task` (a collective's completion pseudo action
// when `as_first`): the migration orderings bind to what exists only.
std::vector<Action*> existing_actions(WorkingSet& ws, Resource* r, const std::string& task, bool as_first) {
  std::vector<Action*> out;
  if (r->is_primitive()) {
    for (Action* a : r->actions)
      if (a->task == task && a->interval_ms == 0 && !a->is_probe && a->node) out.push_back(a);
  } else if (Action* a = ws.find_action(op_key(r->id, as_first ? done_task(task) : task, 0), nullptr)) {
    out.push_back(a);
  }
  return out;
}

void order_migration_equivalents(WorkingSet& ws, Resource* first, const std::string& ftask, Resource* then,
                                 const std::string& ttask, const std::string& id) {
  if (!first || !then || first == then) return;
  for (Resource* p = first->parent; p; p = p->parent) if (p == then) return;
  for (Resource* p = then->parent; p; p = p->parent) if (p == first) return;
  const bool first_migratable = first->allow_migrate, then_migratable = then->allow_migrate;
  if (!first_migratable && !then_migratable) return;
  auto order_all = [&](const std::string& fk, const std::string& tk, uint32_t flags) {
    for (Action* f : existing_actions(ws, first, fk, true))
      for (Action* t : existing_actions(ws, then, tk, false)) ws.order(f, t, flags, id);
  };
  const uint32_t unless_first_migrates = first_migratable ? uint32_t{kApplyFirstNonMigratable} : 0u;
  if (ftask == "start" && ttask == "start") {
    // Both migrate: the first's migration completes before the then's begins.
    if (first_migratable && then_migratable) order_all("migrate_from", "migrate_to", kOrderOptional);
    // The first (re)starts: the then's migration waits for it.
    if (then_migratable) order_all("start", "migrate_to", kOrderOptional | unless_first_migrates);
  } else if (then_migratable && ftask == "stop" && ttask == "stop") {
    order_all("stop", "migrate_to", kOrderOptional | unless_first_migrates);
  } else if (then_migratable && ftask == "promote" && ttask == "start") {
    order_all("promote", "migrate_to", kOrderOptional);
  } else if (then_migratable && ftask == "demote" && ttask == "stop") {
    order_all("demote", "migrate_to", kOrderOptional);
  }
}

namespace {

void order_pair(WorkingSet& ws, Resource* first, const std::string& ftask, Resource* then, const std::string& ttask,
                uint32_t flags, const std::string& id, int clone_min) {
  // Orderings with a migrating resource order its migration as its start or stop (the peer's
  // pcmk__order_migration_equivalents).
  order_migration_equivalents(ws, first, ftask, then, ttask, id);
  // clone-min / require-all=false: one-or-more of the instances (before interleaving).
  if (clone_min > 0 && first->is_clone() && (ftask == "start" || ftask == "promote")) {
    Action* any = ws.new_pseudo("clone-one-or-more:" + id, "clone-one-or-more:" + id, nullptr);
    any->one_or_more_needed = clone_min;
    any->runnable = true;
    for (Resource* inst : first->children)
      for (Action* f : actions_for(ws, inst, ftask, true))
        ws.order(f, any, kOneOrMore, id);
    for (Action* t : actions_for(ws, then, ttask, false)) ws.order(any, t, kImpliesThen | kRunnableLeft, id);
    return;
  }
  // Interleaved clones: instance to instance on the same node.
  if (first->is_clone() && then->is_clone() && then->interleave && (ftask == "start" || ftask == "stop" || ftask == "promote" || ftask == "demote")) {
    for (Resource* ti : then->children) {
      Node* n = instance_location(ti);
      Resource* fi = n ? instance_on(first, n) : nullptr;
      std::vector<Action*> thens = actions_for(ws, ti, ttask, false, false);
      if (!fi) {
        // No instance to interleave with: a 'then' instance that must come
        // after one cannot be active at all (it is unassigned; stopping or
        // demoting needs no partner).
        if ((flags & (kRunnableLeft | kImpliesThen)) && ttask != "stop" && ttask != "demote") {
          for (Resource* p : primitives_of(ti)) {
            if (p->assigned) p->assigned->num_resources--;
            p->assigned = nullptr;
            p->next_role = Role::kStopped;
            for (Action* a : p->actions) {
              if (a->task == "stop") a->optional = false;
              else if (a->node && (a->task == "start" || (a->task == "monitor" && a->interval_ms > 0))) a->runnable = false;
            }
          }
        }
        continue;
      }
      // Between paired instances "then required implies first required" is
      // checked against the first instance's own flags in the peer, so it
      // never forces an optional first: leave it out.
      for (Action* f : actions_for(ws, fi, ftask, true, false))
        for (Action* t : thens) ws.order(f, t, flags & ~kImpliesFirst, id);
    }
    // The clones' own actions stay ordered too (the peer keeps the ordering
    // between them and only applies its effects instance to instance).
    for (Action* f : actions_for(ws, first, ftask, true))
      for (Action* t : actions_for(ws, then, ttask, false)) ws.order(f, t, kOrderOptional, id);
    return;
  }
  std::vector<Action*> firsts = actions_for(ws, first, ftask, true);
  std::vector<Action*> thens = actions_for(ws, then, ttask, false);
  for (Action* f : firsts)
    for (Action* t : thens) ws.order(f, t, flags, id);
  if (ftask == "stop" && first->is_primitive() && first != then)
    for (Action* t : thens) ws.stop_thens.push_back({first, t, flags == kAntiColocation ? flags : kOrderOptional});
}

// A -INFINITY colocation orders what makes one resource lose its role
// before what makes the other gain its own, so that the two never hold
// them on one node at once (the peer's anti_colocation_order).
void order_anti_colocation(WorkingSet& ws, const WorkingSet::AntiColocation& ac) {
  std::vector<std::string> first_tasks, then_tasks;
  if (ac.first_role == Role::kPromoted) {
    first_tasks = {"demote"};
  } else {
    first_tasks = {"stop"};
    if (ac.first_role == Role::kUnpromoted) first_tasks.push_back("promote");
  }
  if (ac.then_role == Role::kPromoted) {
    then_tasks = {"promote"};
  } else {
    then_tasks = {"start"};
    if (ac.then_role == Role::kUnpromoted) then_tasks.push_back("demote");
  }
  for (const std::string& ft : first_tasks)
    for (const std::string& tt : then_tasks) order_pair(ws, ac.first, ft, ac.then, tt, kAntiColocation, ac.id, 0);
}

// A resource whose state is not known yet on a node is probed there,
// expecting it not to run; if it does, its stop comes only in the next
// transition. So what is ordered after its stop is ordered after its probes
// too, and the order holds until the stop is known to be needed or not (the
// peer's add_probe_orderings_for_stops).
void order_probes_before_stop_thens(WorkingSet& ws) {
  for (const WorkingSet::StopThen& st : ws.stop_thens) {
    Action* then = st.then;
    for (Action* probe : st.first->actions) {
      if (!probe->is_probe) continue;
      // Unfencing a node comes before probing it, and a node's shutdown
      // waits only for its own probes.
      bool same_node = probe->node && then->node && probe->node == then->node;
      if (then->task == "stonith" && same_node && then->fence_action == "on") continue;
      if (then->task == "do_shutdown" && probe->node && then->node && !same_node) continue;
      ws.order(probe, then, st.probe_flags);
    }
  }
}

Status unpack_order(WorkingSet& ws, xmlNode* cons) {
  std::string id = xml::attr_or(cons, "id");
  OrderKind kind = OrderKind::kMandatory;
  std::string kind_s = xml::attr_or(cons, "kind");
  if (kind_s.empty()) {
    if (auto sc = xml::attr(cons, "score")) {
      auto v = parse_score(*sc);
      if (v.ok() && *v == 0) kind = OrderKind::kOptional;
    }
  } else if (strcasecmp(kind_s.c_str(), "Optional") == 0) {
    kind = OrderKind::kOptional;
  } else if (strcasecmp(kind_s.c_str(), "Serialize") == 0) {
    kind = OrderKind::kSerialize;
  }
  bool symmetric = is_true(xml::attr_or(cons, "symmetrical", kind == OrderKind::kSerialize ? "false" : "true"));
  bool require_all = is_true(xml::attr_or(cons, "require-all", "true"));
  auto sets = xml::children(cons, "resource_set");
  auto emit = [&](Resource* f, std::string ft, Resource* t, std::string tt) {
    int clone_min = 0;
    if (f->is_clone() && kind == OrderKind::kMandatory) {
      if (f->clone_min > 0) clone_min = f->clone_min;
      if (!require_all) clone_min = 1;
    }
    // The deprecated restart-type=restart of 'then' upgrades an optional
    // ordering: recovery of 'first' restarts 'then'.
    bool upgrade = kind == OrderKind::kOptional && t->meta.count("restart-type") && t->meta.at("restart-type") == "restart";
    order_pair(ws, f, ft, t, tt, flags_for(kind, ft, false, symmetric) | (upgrade ? uint32_t{kImpliesThen} : 0u), id, clone_min);
    if (symmetric) {
      std::string ift = invert(tt), itt = invert(ft);
      if (!ift.empty() && !itt.empty())
        order_pair(ws, t, ift, f, itt, flags_for(kind, ift, true, symmetric) | (upgrade ? uint32_t{kImpliesFirst} : 0u), id, 0);
    }
  };
  if (sets.empty()) {
    std::string fid = xml::attr_or(cons, "first"), tid = xml::attr_or(cons, "then");
    Resource* f = ws.find_rsc(fid);
    Resource* t = ws.find_rsc(tid);
    if (!f) return config_invalid("ordering constraint '" + id + "' names unknown resource '" + fid + "'");
    if (!t) return config_invalid("ordering constraint '" + id + "' names unknown resource '" + tid + "'");
    std::string ft = xml::attr_or(cons, "first-action", "start");
    std::string tt = xml::attr_or(cons, "then-action", ft);
    emit(f, ft, t, tt);
    return Status::Ok();
  }
  struct Set { std::string id; std::vector<Resource*> members; std::string action; bool sequential; bool require_all; };
  std::vector<Set> parsed;
  for (xmlNode* set : sets) {
    Set s;
    s.id = xml::attr_or(set, "id");
    s.action = xml::attr_or(set, "action", "start");
    s.sequential = is_true(xml::attr_or(set, "sequential", "true"));
    s.require_all = is_true(xml::attr_or(set, "require-all", "true"));
    for (xmlNode* ref : xml::children(set, "resource_ref")) {
      Resource* r = ws.find_rsc(xml::attr_or(ref, "id"));
      if (!r) return config_invalid("ordering constraint '" + id + "' names unknown resource '" + xml::attr_or(ref, "id") + "'");
      s.members.push_back(r);
    }
    if (s.sequential) {
      for (size_t i = 1; i < s.members.size(); ++i) emit(s.members[i - 1], s.action, s.members[i], s.action);
    }
    parsed.push_back(std::move(s));
  }
  for (size_t i = 1; i < parsed.size(); ++i) {
    Set& a = parsed[i - 1];
    Set& b = parsed[i];
    if (a.members.empty() || b.members.empty()) continue;
    std::vector<Resource*> firsts = a.sequential ? std::vector<Resource*>{a.members.back()} : a.members;
    std::vector<Resource*> thens = b.sequential ? std::vector<Resource*>{b.members.front()} : b.members;
    if (!a.require_all && !a.sequential && kind == OrderKind::kMandatory) {
      std::string key = "one-or-more:" + (a.id.empty() ? id + ":" + std::to_string(i) : a.id);
      Action* any = ws.new_pseudo(key, key, nullptr);
      any->one_or_more_needed = 1;
      for (Resource* f : firsts)
        for (Action* x : actions_for(ws, f, a.action, true)) ws.order(x, any, kOneOrMore, id);
      for (Resource* t : thens)
        for (Action* y : actions_for(ws, t, b.action, false)) ws.order(any, y, kImpliesThen | kRunnableLeft, id);
      continue;
    }
    for (Resource* f : firsts)
      for (Resource* t : thens) emit(f, a.action, t, b.action);
  }
  return Status::Ok();
}

// A probe that finds its resource active makes the next transition stop it,
// and what follows its start restarts: a probe ordered before a start is
// also ordered before the stops (or, before a promotion, the demotions) of
// what that start's requirements restart, following implies-then orderings
// and from groups and clones down to their members (for an interleaved
// clone only to the instance beside the probed one). The peer's
// add_restart_orderings_for_probe; `seen` keeps each walk from looping.
void order_probe_before_restarts(WorkingSet& ws, Action* probe, Action* after, std::vector<char>& seen,
                                 std::vector<int>& touched) {
  if (static_cast<size_t>(after->seq) >= seen.size()) seen.resize(after->seq + 1, 0);
  if (seen[after->seq]) return;
  seen[after->seq] = 1;
  touched.push_back(after->seq);
  if (after->rsc && after->rsc->is_primitive() && after->rsc != probe->rsc) {
    const char* undo = after->task == "start" ? "stop" : after->task == "promote" ? "demote" : nullptr;
    if (undo)
      for (Action* then : after->rsc->actions)
        if (then->task == undo && then->interval_ms == 0 && !then->pseudo && then->node)
          ws.order(probe, then, kOrderOptional);
  }
  Resource* compatible = nullptr;
  bool interleave = after->rsc && after->rsc->is_clone() && after->rsc->interleave;
  if (interleave && probe->node) compatible = instance_on(after->rsc, probe->node);
  auto next_actions = after->after;  // copy: ws.order() above may grow it
  for (auto& [next, flags] : next_actions) {
    if (!(flags & kImpliesThen)) {
      if (!after->rsc || after->rsc->is_primitive() || probe->rsc->parent == after->rsc || !next->rsc ||
          next->rsc->is_clone() || after->rsc != next->rsc->parent)
        continue;
      if (after->rsc->is_clone() && interleave && (!compatible || compatible != next->rsc)) continue;
    }
    order_probe_before_restarts(ws, probe, next, seen, touched);
  }
}

void order_probes_before_restarts(WorkingSet& ws) {
  std::vector<Action*> probes;
  for (Action& a : ws.action_store)
    if (a.is_probe && a.rsc && a.rsc->is_primitive()) probes.push_back(&a);
  std::vector<char> seen(ws.action_store.size(), 0);
  std::vector<int> touched;
  for (Action* probe : probes) {
    auto thens = probe->after;
    for (auto& [then, flags] : thens) {
      order_probe_before_restarts(ws, probe, then, seen, touched);
      for (int seq : touched) seen[seq] = 0;  // each walk starts afresh, as the peer's
      touched.clear();
    }
  }
}

}  // namespace

Status unpack_orderings(WorkingSet& ws) {
  xmlNode* constraints = ws.constraints;
  for (xmlNode* cons : xml::children(constraints, "rsc_order")) RETURN_IF_ERROR(unpack_order(ws, cons));
  for (const WorkingSet::AntiColocation& ac : ws.anti_colocations) order_anti_colocation(ws, ac);
  // In the peer's order: the restart orderings see only the probes' own
  // orderings, not those added for what follows a stop.
  order_probes_before_restarts(ws);
  order_probes_before_stop_thens(ws);
  return Status::Ok();
}

}  // namespace crm::pengine
