// Creating actions: for every primitive the stops, starts, promotions,
// demotions, recurring monitors and probes its assignment needs, with the
// internal orderings between them; pseudo actions for groups and clones.
#include <algorithm>

#include "crm/core/xml.h"
#include "working_set.h"

namespace crm::pengine {

namespace {

// action_index's key: the operation key and the node's name ("" for none).
std::string index_key(const std::string& key, const Node* node) {
  std::string k;
  k.reserve(key.size() + 1 + (node ? node->uname.size() : 0));
  k += key;
  k += '@';
  if (node) k += node->uname;
  return k;
}

}  // namespace

Action* WorkingSet::find_action(const std::string& key, const Node* node) const {
  auto it = action_index.find(index_key(key, node));
  return it == action_index.end() ? nullptr : it->second;
}

Action* WorkingSet::new_action(Resource* rsc, const std::string& task, long interval_ms, Node* node, bool optional) {
  Action* a = new_keyed_action(rsc, op_key(rsc ? rsc->id : std::string(), task, interval_ms), task, node, optional);
  a->interval_ms = interval_ms;
  return a;
}

// One index look-up for both the search and the insertion (a cold start of
// a large cluster creates a probe per resource and node).
Action* WorkingSet::new_keyed_action(Resource* rsc, const std::string& key, const std::string& task, Node* node,
                                     bool optional) {
  auto [slot, added] = action_index.try_emplace(index_key(key, node), nullptr);
  if (!added) {
    if (!optional) slot->second->optional = false;
    return slot->second;
  }
  Action& a = action_store.emplace_back();
  a.seq = static_cast<int>(action_store.size()) - 1;
  a.task = task;
  a.key = key;
  a.rsc = rsc;
  a.node = node;
  a.optional = optional;
  a.runnable = node != nullptr;
  slot->second = &a;
  if (rsc) rsc->actions.push_back(&a);
  return &a;
}

Action* WorkingSet::new_pseudo(const std::string& key, const std::string& task, Resource* rsc) {
  auto [slot, added] = action_index.try_emplace(index_key(key, nullptr), nullptr);
  if (!added) return slot->second;
  Action& a = action_store.emplace_back();
  a.seq = static_cast<int>(action_store.size()) - 1;
  a.task = task;
  a.key = key;
  a.rsc = rsc;
  a.pseudo = true;
  a.optional = true;
  a.runnable = true;
  slot->second = &a;
  if (rsc) rsc->actions.push_back(&a);
  return &a;
}

void WorkingSet::order(Action* first, Action* then, uint32_t flags, const std::string& cons) {
  if (!first || !then || first == then) return;
  for (auto& [a, f] : then->before) {
    if (a == first) {
      f |= flags;
      return;
    }
  }
  then->before.push_back({first, flags});
  first->after.push_back({then, flags});
  orderings.push_back({first, then, flags, cons});
}

namespace {

// The no-quorum-policy that applies to `r`, as the peer's
// effective_quorum_policy: with quorum none; with "demote" an active
// instance of a promotable clone keeps running unpromoted (its next role is
// capped here, before its promotion is considered) and the rest stops.
std::string quorum_policy_for(WorkingSet& ws, Resource* r) {
  if (ws.have_quorum) return "ignore";
  if (ws.no_quorum_policy == "demote") {
    if (r->role == Role::kPromoted || r->role == Role::kUnpromoted) {
      if (r->next_role == Role::kPromoted) r->next_role = Role::kUnpromoted;
      return "ignore";
    }
    return "stop";
  }
  return ws.no_quorum_policy;
}

bool quorum_blocks(WorkingSet& ws, Resource* r) {
  if (quorum_policy_for(ws, r) == "ignore") return false;
  if (r->requires_ == "nothing") return false;
  return true;
}

bool is_promotable_instance(Resource* r) {
  Resource* c = r->clone_parent();
  return c && c->promotable;
}

bool has_active_recurring(Resource* r, Node* n, long interval, const std::string& task) {
  const std::vector<OpRecord>* history = r->history_on(n);
  if (!history) return false;
  const OpRecord* last = nullptr;
  for (const OpRecord& op : *history) {
    if (op.operation == task && op.interval_ms == interval) {
      if (!last || op.call_id > last->call_id) last = &op;
    }
  }
  if (!last) return false;
  if (last->op_status == 1) return false;  // cancelled
  // An older start/stop after the monitor means the monitor is gone.
  for (const OpRecord& op : *history) {
    if ((op.operation == "start" || op.operation == "stop" || op.operation == "promote" || op.operation == "demote") &&
        op.call_id > last->call_id && last->call_id >= 0)
      return false;
  }
  return true;
}

// A cancellation of a recurring operation (the peer's
// pcmk__new_cancel_action), indexed apart from the operation it cancels,
// which has the same key.
Action* new_cancel(WorkingSet& ws, Resource* r, const std::string& task, long interval_ms, Node* node) {
  std::string key = op_key(r->id, task, interval_ms);
  Action* cancel = ws.new_keyed_action(r, "cancel:" + key, "cancel", node, false);
  cancel->key = key;
  cancel->interval_ms = interval_ms;
  cancel->cancel_task = task;
  cancel->meta["CRM_meta_operation"] = task;
  return cancel;
}

// The role a monitor is configured for (kUnknown: none given).
Role monitor_role(const OpConfig& op) {
  if (op.role.empty()) return Role::kUnknown;
  auto role = parse_role(op.role);
  return role.ok() ? *role : Role::kUnknown;
}

// Recurring monitors for the role the resource will have on `next`, as the
// peer's recurring_op_for_active: a monitor configured for another role
// (or without a role, when the resource will be promoted) is not run, and
// cancelled if it runs now, before the role changes; one already running is
// kept (optional) unless the resource restarts.
void create_monitors(WorkingSet& ws, Resource* r, Node* next, Action* start, Action* promote, bool restarting) {
  Role want = r->next_role == Role::kUnknown ? Role::kStarted : r->next_role;
  if (want == Role::kStarted && is_promotable_instance(r)) want = Role::kUnpromoted;
  for (const OpConfig& op : r->ops) {
    if (op.name != "monitor" || op.interval_ms <= 0 || !op.enabled || op.duplicate) continue;
    Role role = monitor_role(op);
    if (role == Role::kStopped) continue;
    // A promotable instance's unpromoted role is its started one.
    if (role == Role::kStarted && is_promotable_instance(r)) role = Role::kUnpromoted;
    bool active = has_active_recurring(r, next, op.interval_ms, "monitor");
    bool exists = !restarting && active;
    if ((role != Role::kUnknown && role != want) || (role == Role::kUnknown && want == Role::kPromoted)) {
      if (exists) {
        Action* cancel = new_cancel(ws, r, "monitor", op.interval_ms, next);
        std::string after;
        if (r->role == Role::kPromoted) after = "demote";
        else if (want == Role::kPromoted) after = "promote";
        if (!after.empty())
          for (Action* a : r->actions)
            if (a->task == after && a->node) ws.order(cancel, a, kRunnableLeft);
      }
      continue;
    }
    Action* mon = ws.new_action(r, "monitor", op.interval_ms, next, exists);
    mon->meta["CRM_meta_timeout"] = std::to_string(op.timeout_ms);
    if (!op.role.empty()) mon->meta["CRM_meta_role"] = op.role;
    if (want == Role::kPromoted) mon->target_rc = 8;
    ws.order(start, mon, kImpliesThen | kRunnableLeft);
    if (want == Role::kPromoted) {
      if (promote) ws.order(promote, mon, kRunnableLeft);
    } else if (r->role == Role::kPromoted) {
      for (Action* d : r->actions)
        if (d->task == "demote" && d->node) ws.order(d, mon, kRunnableLeft);
    }
  }
}

// Recurring monitors for the Stopped role (the peer's recurring_op_for_inactive):
// run on every node where the resource will not be active, expecting "not
// running", after its stop there; cancelled where it will be active. Not for
// instances of anonymous clones (neither does the peer).
void create_stopped_monitors(WorkingSet& ws, Resource* r, Node* next, Action* start) {
  Resource* clone = r->clone_parent();
  if (clone && !clone->unique) return;
  if (r->blocked || !r->is_managed()) return;
  for (const OpConfig& op : r->ops) {
    if (op.interval_ms <= 0 || !op.enabled || op.duplicate || monitor_role(op) != Role::kStopped) continue;
    for (Node& n : ws.nodes) {
      const bool active = has_active_recurring(r, &n, op.interval_ms, op.name);
      if (&n == next) {
        if (!active) continue;
        Action* cancel = new_cancel(ws, r, op.name, op.interval_ms, &n);
        if (start && (r->next_role == Role::kStarted || r->next_role == Role::kUnpromoted))
          ws.order(cancel, start, kRunnableLeft);
        continue;
      }
      Action* mon = ws.new_action(r, op.name, op.interval_ms, &n, active);
      mon->target_rc = 7;
      mon->meta["CRM_meta_timeout"] = std::to_string(op.timeout_ms);
      mon->meta["CRM_meta_role"] = op.role;
      for (Action* stop : r->actions) {
        if (stop->task != "stop" || stop->node != &n) continue;
        if (!stop->runnable) mon->runnable = false;
        ws.order(stop, mon, kImpliesThen | kRunnableLeft);
      }
      if (!n.online || n.unclean) mon->runnable = false;
    }
  }
}

long op_timeout(Resource* r, const std::string& task, long interval = 0) {
  for (const OpConfig& op : r->ops)
    if (op.name == task && op.interval_ms == interval) return op.timeout_ms;
  return -1;
}

// A probe's timeout: its own <op name="monitor" interval="0">, else that of
// the enabled monitor with the shortest interval (the peer's rule), else the
// default.
long probe_timeout_ms(WorkingSet& ws, Resource* r) {
  if (long t = op_timeout(r, "monitor", 0); t >= 0) return t;
  const OpConfig* shortest = nullptr;
  for (const OpConfig& op : r->ops)
    if (op.name == "monitor" && op.interval_ms > 0 && op.enabled && (!shortest || op.interval_ms < shortest->interval_ms))
      shortest = &op;
  return shortest ? shortest->timeout_ms : action_timeout_ms(ws, r, "monitor");
}

// Whether a resource moving from `cur` to `next` may migrate live (the
// peer's pcmk__rsc_can_migrate): allow-migrate, managed, not failed, no start
// in flight, and both nodes clean.
bool can_migrate(const Resource* r, const Node* cur, const Node* next) {
  return r->allow_migrate && r->is_managed() && !r->failed && r->pending_task != "start" && cur && !cur->unclean &&
         next && !next->unclean;
}

// A live migration from `cur` to `next` (the peer's
// pcmk__create_migration_actions): migrate_to on the source, then
// migrate_from on the target, then the stop on the source; the start on the
// target becomes a pseudo action that stands for the migration. Should the
// migration become impossible (migrate_from cannot run), the orderings turn
// the start back into a real one: the resource then moves by stop and start.
// `partial`: the migrate_to is done already (only migrate_from is left).
void create_migration(WorkingSet& ws, Resource* r, Node* cur, Node* next, Action* start, Action* stop, bool partial) {
  if (!stop) return;
  Action* migrate_to = partial ? nullptr : ws.new_action(r, "migrate_to", 0, cur, true);
  Action* migrate_from = ws.new_action(r, "migrate_from", 0, next, true);
  // The first migration action needs what the start needs (quorum, ...).
  (migrate_to ? migrate_to : migrate_from)->runnable = start->runnable;
  for (Action* a : {migrate_to, migrate_from, start, stop})
    if (a) a->migrate_runnable = true;
  start->pseudo = true;
  if (migrate_to) ws.order(migrate_to, migrate_from, kOrderOptional | kImpliesFirstMigratable);
  ws.order(migrate_from, stop, kOrderOptional | kImpliesFirstMigratable);
  ws.order(migrate_from, start, kOrderOptional | kImpliesFirstMigratable | kPseudoLeft);
  for (Action* a : {migrate_to, migrate_from}) {
    if (!a) continue;
    a->meta["CRM_meta_migrate_source"] = cur->uname;
    a->meta["CRM_meta_migrate_target"] = next->uname;
  }
  // Recorded as pending on the source: the resource may be active on the target meanwhile.
  if (migrate_to) migrate_to->meta["CRM_meta_record_pending"] = "true";
}

void create_primitive_actions(WorkingSet& ws, Resource* r) {
  Node* next = r->assigned;
  if (r->next_role == Role::kStopped) next = nullptr;
  Node* cur = r->current_node();
  // Active on several clean nodes (copies on nodes being fenced go away anyway).
  int clean_active = 0;
  for (Node* n : r->running_on)
    if (n->online && !n->unclean) ++clean_active;
  bool multiple = clean_active > 1;
  bool moving = cur && next && cur != next;
  bool managed = r->is_managed();
  // A half-done migration goes on when the resource still goes where it was
  // migrating to; otherwise it is recovered (stopped on both, started again).
  bool continue_migration = false;
  if (r->partial_source) {
    continue_migration = moving && can_migrate(r, cur, next) && r->running_on.size() == 2 &&
                         cur == r->partial_source && next == r->partial_target;
    if (continue_migration) {
      multiple = false;
    } else {
      r->partial_source = r->partial_target = nullptr;
      multiple = true;  // stopped everywhere first
    }
  }

  if (is_promotable_instance(r) && r->role == Role::kStarted) r->role = Role::kUnpromoted;
  if (r->next_role == Role::kStarted && is_promotable_instance(r)) r->next_role = Role::kUnpromoted;
  if (!managed) {
    // Unmanaged: nothing is done, but the resource still counts where it
    // runs; a stop it would need exists (for orderings) and cannot run.
    bool want_stop = !next || moving;
    for (Node* n : r->running_on) {
      Action* stop = ws.new_action(r, "stop", 0, n, !want_stop);
      stop->runnable = false;
    }
    return;
  }
  // A failure handled by demotion (on-fail=demote) needs no restart.
  bool demote_only = r->failed && !r->on_fail_node.empty();
  for (auto& [n, f] : r->on_fail_node)
    if (f != "demote") demote_only = false;
  bool restart = (r->failed && !demote_only) || multiple || r->restart_required;
  // Parameters changed since the resource was started here?
  DefinitionCheck definition;
  if (cur && next == cur && !restart && (cur->available() || cur->maintenance)) definition = check_definition(ws, r, cur);
  const DefinitionChange def = definition.change;
  bool need_stop = !next || moving || restart;

  // Stops (and demotes before them).
  std::vector<Action*> stops;
  for (Node* n : r->running_on) {
    // Nothing to stop: a copy on a node being fenced just goes away with it.
    if (!need_stop && n != cur && n->unclean) continue;
    // Where a half-done migration goes on: it arrives there, it does not stop.
    if (continue_migration && n == r->partial_target) continue;
    bool required = need_stop;
    if (multiple) required = true;
    if (r->role == Role::kPromoted) {
      Action* demote = ws.new_action(r, "demote", 0, n, !required);
      stops.push_back(nullptr);
      stops.pop_back();
      (void)demote;
    }
    Action* stop = ws.new_action(r, "stop", 0, n, !required);
    if (!next) stop->reason = "node availability";
    stops.push_back(stop);
  }
  // The source of a completed migration is stopped again, for sure (the peer's dangling migration).
  // It does not make the start after it required (the peer's pe_action_dangle).
  std::vector<Action*> dangling;
  for (Node* n : r->dangling_migrations) {
    if (!n->online || n->unclean) continue;
    dangling.push_back(ws.new_action(r, "stop", 0, n, false));
  }
  // A stop placeholder when not running anywhere, for orderings.
  if (r->running_on.empty() && r->dangling_migrations.empty()) ws.new_action(r, "stop", 0, nullptr, true)->runnable = false;

  Action* start = nullptr;
  if (next) {
    bool required = !cur || moving || restart || r->role == Role::kStopped || def == DefinitionChange::kRestart;
    start = ws.new_action(r, "start", 0, next, !required);
    if (def == DefinitionChange::kRestart) start->reason = "resource definition change";
    if (quorum_blocks(ws, r)) {
      if (ws.no_quorum_policy == "freeze") {
        if (r->running_on.empty()) {
          start->runnable = false;
          start->reason = "quorum freeze";
        }
      } else {
        start->runnable = false;
        start->reason = "no quorum";
      }
    }
    if (!next->available()) start->runnable = false;
  } else {
    start = ws.new_action(r, "start", 0, nullptr, true);
    start->runnable = false;
  }
  for (Action* stop : stops) ws.order(stop, start, kImpliesThen | kRestart);
  for (Action* stop : dangling) ws.order(stop, start, kRestart);

  // Promotion / demotion.
  Action* promote = nullptr;
  if (next && r->next_role == Role::kPromoted) {
    bool required = r->role != Role::kPromoted || moving || restart || def == DefinitionChange::kRestart;
    promote = ws.new_action(r, "promote", 0, next, !required);
    ws.order(start, promote, kRunnableLeft | kImpliesThen);
    if (quorum_blocks(ws, r) && ws.no_quorum_policy != "freeze") promote->runnable = false;
  } else if (r->next_role != Role::kPromoted) {
    // placeholder for orderings
    Action* p = ws.new_action(r, "promote", 0, nullptr, true);
    p->runnable = false;
  }
  if (r->role == Role::kPromoted) {
    for (Node* n : r->running_on) {
      bool required = need_stop || r->next_role != Role::kPromoted;
      Action* demote = ws.new_action(r, "demote", 0, n, !required);
      Action* stop = ws.find_action(op_key(r->id, "stop", 0), n);
      ws.order(demote, stop, kImpliesFirst);
      // A clone's instance demotes before it promotes again (the peer
      // orders the clone's children so, not the members of a group in one).
      if (promote && r->parent && r->parent->is_clone()) ws.order(demote, promote, kOrderOptional);
    }
  } else {
    Action* d = ws.new_action(r, "demote", 0, nullptr, true);
    d->runnable = false;
  }

  create_stopped_monitors(ws, r, next, next ? start : nullptr);
  // Recurring monitors on the next node.
  if (next) {
    create_monitors(ws, r, next, start, promote, restart || moving || !cur || def == DefinitionChange::kRestart);
    for (long interval : definition.reschedule)
      if (Action* mon = ws.find_action(op_key(r->id, "monitor", interval), next)) mon->optional = false;
  }
  if (def == DefinitionChange::kReload) {
    Action* reload = ws.new_action(r, "reload-agent", 0, cur, false);
    for (Action* stop : stops) ws.order(reload, stop, kThenCancelsFirst);
    if (Action* d = ws.find_action(op_key(r->id, "demote", 0), cur)) ws.order(reload, d, kThenCancelsFirst);
    for (const OpConfig& op : r->ops) {
      if (op.name != "monitor" || op.interval_ms <= 0) continue;
      if (Action* mon = ws.find_action(op_key(r->id, "monitor", op.interval_ms), next)) {
        ws.order(reload, mon, kImpliesThen);
      }
    }
  }

  if (moving && can_migrate(r, cur, next) && !multiple && start && !stops.empty())
    create_migration(ws, r, cur, next, start, ws.find_action(op_key(r->id, "stop", 0), cur), continue_migration);

  // Timeouts for the graph.
  for (Action* a : r->actions) {
    if (a->interval_ms > 0) continue;
    a->meta["CRM_meta_timeout"] = std::to_string(action_timeout_ms(ws, r, a->task));
  }
}

void create_probes(WorkingSet& ws) {
  for (Node& node : ws.nodes) {
    // A pending member node gets probes too, which cannot run yet: they keep
    // what is not active anywhere from starting until the node has joined.
    bool pending_member = node.pending && node.pending_in_cluster && !node.maintenance;
    // A remote node that cannot be reached while what is there is unknown
    // must be fenced.
    if (!node.online && !pending_member && is_failed_remote_node(node))
      fence_node(node, "the connection is unrecoverable");
    if (!pending_member && (!node.online || node.unclean || node.pending || node.maintenance)) continue;
    if (!node.rsc_discovery_enabled) continue;  // resource-discovery-enabled=false (remote nodes)
    for (Resource* top : ws.resources) {
      std::vector<Resource*> candidates;
      auto handle_instance_set = [&](Resource* clone) {
        if (clone->unique) {
          for (Resource* p : primitives_of(clone)) candidates.push_back(p);
          return;
        }
        // Anonymous: one instance per node, the one active/assigned there or the first.
        bool known = false;
        for (Resource* p : primitives_of(clone)) if (p->known_on(&node)) known = true;
        Resource* pick = nullptr;
        for (Resource* inst : clone->children) {
          for (Resource* p : primitives_of(inst)) {
            if (std::find(p->running_on.begin(), p->running_on.end(), &node) != p->running_on.end()) pick = inst;
          }
          if (pick) break;
        }
        if (!pick) {
          for (Resource* inst : clone->children) {
            bool here = false;
            for (Resource* p : primitives_of(inst)) if (p->assigned == &node) here = true;
            if (here) { pick = inst; break; }
          }
        }
        if (!pick && !clone->children.empty()) pick = clone->children.front();
        if (!pick) return;
        for (Resource* p : primitives_of(pick)) {
          bool member_known = false;
          for (Resource* q : primitives_of(clone)) if (q->base_id == p->base_id && q->known_on(&node)) member_known = true;
          // An instance beyond clone-max active here (an orphan instance) makes it known here too.
          for (const WorkingSet::CloneOrphan& o : ws.clone_orphans)
            if (o.clone == clone && o.node == &node && o.bases.count(p->base_id)) member_known = true;
          if (!member_known && !known) candidates.push_back(p);
          else if (!member_known) candidates.push_back(p);
        }
      };
      if (top->is_clone()) handle_instance_set(top);
      else for (Resource* p : primitives_of(top)) candidates.push_back(p);
      for (Resource* p : candidates) {
        if (node.remote) {
          // Nothing that cannot run there: fencing devices, remote
          // connections, and on a guest node what holds a guest node.
          if (p->fence_device() || p->is_remote_node) continue;
          if (node.is_guest() && contained_connection(p)) continue;
        }
        if (p->container && !p->is_remote_node) continue;  // inside a container: known through it
        if (p->known_on(&node)) continue;
        if (p->orphan) continue;
        // resource-discovery (the peer's pcmk__probe_rsc_on_node): exclusive
        // probes only on nodes marked so; never, not on that node.
        if (p->exclusive_discover || p->top()->exclusive_discover) {
          if (!p->allowed.count(&node) || p->discovery_on(&node) != Discovery::kExclusive) continue;
        }
        if (p->discovery_on(&node) == Discovery::kNever) continue;
        if (node.is_guest()) {
          // A guest node whose container is stopped runs nothing; one whose
          // container will stop or move is probed after it is back.
          Resource* guest = node.remote_rsc->container;
          Resource* top = p->top();
          auto start_after = [&](Resource* first, const std::string& task) {
            for (Action* f : first->actions) {
              if (f->task != task || (task == "monitor" && !f->is_probe)) continue;
              for (Action* t : top->actions)
                if (t->task == "start") ws.order(f, t, kOrderOptional);
              if (!top->is_primitive())
                if (Action* t = ws.find_action(op_key(top->id, "start", 0), nullptr)) ws.order(f, t, kOrderOptional);
            }
          };
          if (guest->role == Role::kStopped) {
            if (guest->assigned && !guest->known_on(guest->assigned)) start_after(guest, "monitor");
            continue;
          }
          bool guest_moves = guest->role > Role::kStopped && guest->assigned &&
                             std::find(guest->running_on.begin(), guest->running_on.end(), guest->assigned) ==
                                 guest->running_on.end();
          if (node.remote_requires_reset || node.unclean || guest->failed || guest->next_role == Role::kStopped ||
              guest_moves) {
            start_after(guest, "stop");
            continue;
          }
        }
        Action* probe = ws.new_action(p, "monitor", 0, &node, false);
        probe->is_probe = true;
        probe->target_rc = 7;
        probe->meta["CRM_meta_timeout"] = std::to_string(probe_timeout_ms(ws, p));
        if (pending_member) probe->runnable = false;
        if (!p->is_managed()) continue;
        // Probe before the resource starts; a clone's instance before the
        // clone starts (the peer's pcmk__probe_rsc_on_node). A probe that
        // cannot run keeps what is not active anywhere from starting.
        uint32_t flags = !probe->runnable && p->running_on.empty() ? kRunnableLeft : kOrderOptional;
        Resource* clone = p->top()->is_clone() ? p->top() : nullptr;
        if (clone && !(p->cls == "stonith" && ws.unfencing)) {
          if (Action* a = ws.find_action(op_key(clone->id, "start", 0), nullptr)) ws.order(probe, a, flags);
        } else {
          for (Action* a : p->actions)
            if (a->task == "start" && a->node) ws.order(probe, a, flags);
        }
        for (Action* a : p->actions)
          if (a->task == "migrate_to" || (a->task == "migrate_from" && p->partial_source)) ws.order(probe, a, kOrderOptional);
        // A Stopped-role monitor there comes after the probe.
        for (Action* a : p->actions)
          if (a->interval_ms > 0 && a->node == &node && a->target_rc == 7) ws.order(probe, a, kRunnableLeft);
      }
    }
  }
}

void create_collective_actions(WorkingSet& ws, Resource* r) {
  for (Resource* c : r->children) create_collective_actions(ws, c);
  if (r->is_primitive()) return;
  bool promotable = r->is_clone() ? r->promotable : (r->clone_parent() && r->clone_parent()->promotable);
  std::vector<std::pair<std::string, std::string>> pairs = {{"start", "running"}, {"stop", "stopped"}};
  if (promotable) {
    pairs.push_back({"promote", "promoted"});
    pairs.push_back({"demote", "demoted"});
  }
  for (auto& [task, done] : pairs) {
    Action* a = ws.new_pseudo(op_key(r->id, task, 0), task, r);
    Action* b = ws.new_pseudo(op_key(r->id, done, 0), done, r);
    if (task == "stop") {
      for (Resource* o : r->orphan_instances) {
        for (Action* x : o->actions) {
          if (x->task != "stop" || !x->node) continue;
          ws.order(a, x, kOrderOptional);
          ws.order(x, b, kCompletion);
        }
      }
    }
    // The peer orders start -> running and stop -> stopped directly, and for
    // a promotable clone demote -> demoted; a promotion completes only
    // through its instances' (pcmk__promotable_restart_ordering).
    if (task == "start" || task == "stop" || (task == "demote" && r->is_clone())) ws.order(a, b, kOrderOptional);
    for (Resource* c : r->children) {
      auto child_actions = [&](const std::string& t) {
        std::vector<Action*> out;
        if (c->is_primitive()) {
          for (Action* x : c->actions)
            if (x->task == t && x->interval_ms == 0 && !x->is_probe && (x->node || t == "stop" || t == "demote" || true)) out.push_back(x);
        } else {
          if (Action* x = ws.find_action(op_key(c->id, t, 0), nullptr)) out.push_back(x);
          std::string cdone = t == "start" ? "running" : t == "stop" ? "stopped" : t == "promote" ? "promoted" : "demoted";
          (void)cdone;
        }
        return out;
      };
      std::string cdone = task == "start" ? "running" : task == "stop" ? "stopped" : task == "promote" ? "promoted" : "demoted";
      for (Action* x : child_actions(task)) {
        if (x->node || !c->is_primitive()) ws.order(a, x, kOrderOptional);
      }
      if (c->is_primitive()) {
        for (Action* x : child_actions(task)) if (x->node) ws.order(x, b, kCompletion);
        if (task == "stop") ws.stop_thens.push_back({c, b, kOrderOptional});
      } else if (Action* y = ws.find_action(op_key(c->id, cdone, 0), nullptr)) {
        ws.order(y, b, kOrderOptional);
      }
    }
  }
  // Stop before start, demote before stop, start before promote.
  ws.order(ws.find_action(op_key(r->id, "stopped", 0), nullptr), ws.find_action(op_key(r->id, "start", 0), nullptr),
           kOrderOptional);
  if (promotable && r->is_clone()) {
    ws.order(ws.find_action(op_key(r->id, "demoted", 0), nullptr), ws.find_action(op_key(r->id, "start", 0), nullptr),
             kOrderOptional);
    // An instance that is a group demotes before it promotes again.
    for (Resource* c : r->children) {
      if (!c->is_group()) continue;
      ws.order(ws.find_action(op_key(c->id, "demote", 0), nullptr), ws.find_action(op_key(c->id, "promote", 0), nullptr),
               kOrderOptional);
    }
  }
  if (promotable && r->is_clone()) {
    ws.order(ws.find_action(op_key(r->id, "demoted", 0), nullptr), ws.find_action(op_key(r->id, "stop", 0), nullptr),
             kOrderOptional);
    ws.order(ws.find_action(op_key(r->id, "running", 0), nullptr), ws.find_action(op_key(r->id, "promote", 0), nullptr),
             kOrderOptional);
    ws.order(ws.find_action(op_key(r->id, "demoted", 0), nullptr), ws.find_action(op_key(r->id, "promote", 0), nullptr),
             kOrderOptional);
    ws.order(ws.find_action(op_key(r->id, "stopped", 0), nullptr), ws.find_action(op_key(r->id, "promote", 0), nullptr),
             kOrderOptional);
  }
  // Members of an unordered group start with the group, each on its own.
  if (r->is_group() && !r->members_ordered) {
    Action* group_start = ws.find_action(op_key(r->id, "start", 0), nullptr);
    for (Resource* c : r->children)
      for (Action* cs : c->actions)
        if (cs->task == "start" && cs->interval_ms == 0 && cs->node && group_start)
          ws.order(group_start, cs, kImpliesThen | kRunnableLeft, r->id);
  }
  // A partially active group stops in sequence: a member active after an
  // inactive one stops before the last active member ahead of it (the peer's
  // member_internal_constraints).
  if (r->is_group() && r->members_ordered) {
    Resource* last_active = nullptr;
    for (size_t i = 0; i < r->children.size(); ++i) {
      Resource* c = r->children[i];
      if (c->running_on.empty()) continue;
      if (i > 0 && r->children[i - 1]->running_on.empty() && last_active && c->is_primitive() &&
          last_active->is_primitive()) {
        for (Action* cs : c->actions) {
          if (cs->task != "stop") continue;
          for (Action* ls : last_active->actions)
            if (ls->task == "stop") ws.order(cs, ls, kOrderOptional, r->id);
        }
        for (Action* ls : last_active->actions)
          if (ls->task == "stop") ws.stop_thens.push_back({c, ls, kOrderOptional});
      }
      last_active = c;
    }
  }
  // Group members in sequence.
  if (r->is_group() && r->members_ordered) {
    for (size_t i = 1; i < r->children.size(); ++i) {
      Resource* prev = r->children[i - 1];
      Resource* c = r->children[i];
      order_migration_equivalents(ws, prev, "start", c, "start", r->id);
      order_migration_equivalents(ws, c, "stop", prev, "stop", r->id);
      for (Action* ps : prev->actions) {
        if (ps->task != "start" || ps->interval_ms) continue;
        for (Action* cs : c->actions)
          if (cs->task == "start" && cs->interval_ms == 0) ws.order(ps, cs, kImpliesThen | kRunnableLeft, r->id);
      }
      for (Action* cs : c->actions) {
        if (cs->task != "stop") continue;
        for (Action* ps : prev->actions)
          if (ps->task == "stop") ws.order(cs, ps, kImpliesFirst | kRestart, r->id);
      }
      if (c->is_primitive())
        for (Action* ps : prev->actions)
          if (ps->task == "stop") ws.stop_thens.push_back({c, ps, kOrderOptional});
      if (promotable) {
        for (Action* ps : prev->actions) {
          if (ps->task != "promote") continue;
          for (Action* cs : c->actions) if (cs->task == "promote") ws.order(ps, cs, kImpliesThen | kRunnableLeft, r->id);
        }
        for (Action* cs : c->actions) {
          if (cs->task != "demote") continue;
          for (Action* ps : prev->actions) if (ps->task == "demote") ws.order(cs, ps, kImpliesFirst, r->id);
        }
      }
    }
  }
}

}  // namespace

long action_timeout_ms(WorkingSet& ws, Resource* r, const std::string& task) {
  long t = op_timeout(r, task);
  if (t < 0) t = op_timeout(r, "monitor", 0);
  if (t >= 0) return t;
  auto it = ws.op_defaults.find("timeout");
  return it == ws.op_defaults.end() ? 20000 : parse_interval_ms(it->second);
}

// A fail count the cluster clears (the peer's pe__clear_failcount): a
// controller event on the node, which does not wait for a result.
Action* clear_failcount(WorkingSet& ws, Resource* r, Node* node) {
  Action* clear = ws.new_action(r, "clear_failcount", 0, node, false);
  clear->meta["CRM_meta_op_no_wait"] = "true";
  clear->meta["CRM_meta_timeout"] = std::to_string(action_timeout_ms(ws, r, "clear_failcount"));
  return clear;
}

// The fail count of `op`'s operation on a node: every failure when
// `effective` is false, else only those younger than failure-timeout.
Score op_failcount(const WorkingSet& ws, const Resource* r, Node* node, const OpRecord& op, bool effective) {
  auto on_node = r->op_failures.find(node);
  if (on_node == r->op_failures.end()) return 0;
  std::string key = std::string(op.operation) + "_" + std::to_string(op.interval_ms);
  Score total = 0;
  for (const auto& [op_key, f] : on_node->second) {
    if (!op_key.empty() && op_key != key) continue;
    if (effective && r->failure_timeout_s > 0 && f.last_failure > 0 && f.last_failure + r->failure_timeout_s <= ws.now)
      continue;
    total = score_add(total, f.count);
  }
  return total;
}

// Fail counts to clear, as the peer's check_operation_expiry: an operation
// older than failure-timeout whose fail count has expired as a whole, and
// the last failure of a start or monitor whose parameters have changed
// since it failed (it may succeed now). Where the resource is active and
// the definition of one of its operations changed, its unexpired failures
// there are cleared too, so the new definition is retried afresh.
void create_failcount_clears(WorkingSet& ws, Resource* r) {
  // A failure that blocks the resource (on-fail=block) never expires: the
  // peer disregards failure-timeout then.
  for (auto& [n, on_fail] : r->on_fail_node)
    if (on_fail == "block") return;
  for (Node& node : ws.nodes) {
    const std::vector<OpRecord>* history = r->history_on(&node);
    if (!history) continue;
    for (const OpRecord& op : *history) {
      bool expired = r->failure_timeout_s > 0 && op.last_rc_change > 0 && ws.now >= op.last_rc_change + r->failure_timeout_s;
      if (expired) {
        if (op_failcount(ws, r, &node, op, false) > 0) {
          if (op_failcount(ws, r, &node, op, true) == 0) {
            clear_failcount(ws, r, &node);
            continue;
          }
          expired = false;
        }
      }
      bool last_failure = is_last_failure_id(op.id);
      if (!expired && last_failure && (op.operation == "start" || op.operation == "monitor") &&
          recorded_digest_differs(ws, r, op))
        clear_failcount(ws, r, &node);
    }
  }
}

// Cancels a recurring operation recorded as active, after any stop of the
// resource (the peer's pcmk__schedule_cancel).
void cancel_recurring(WorkingSet& ws, Resource* r, const OpRecord& op, Node* node) {
  Action* cancel = new_cancel(ws, r, std::string(op.operation), op.interval_ms, node);
  cancel->meta["CRM_meta_call_id"] = std::to_string(op.call_id);
  for (Action* stop : r->actions)
    if (stop->task == "stop") ws.order(stop, cancel, kOrderOptional);
}

// The operations recorded as active where the resource is active, against
// its configuration (the peer's process_rsc_history): in maintenance every
// recurring operation is cancelled; a recurring operation the configuration
// no longer has (removed, or disabled) is cancelled (stop-orphan-actions).
// When an operation is orphaned or its definition changed, the unexpired
// failures there are cleared, so the new definition is tried afresh.
void check_active_operations(WorkingSet& ws, Resource* r) {
  for (Node* node : r->running_on) {
    if (!node->available() && !node->maintenance) continue;
    bool changed = false;
    for (const OpRecord* op : active_history(r, node)) {
      if (op->interval_ms <= 0 || op->op_status == 1) continue;
      if (r->maintenance || node->maintenance) {
        cancel_recurring(ws, r, *op, node);
        continue;
      }
      bool configured = false;
      for (const OpConfig& c : r->ops) configured = configured || (c.enabled && c.name == op->operation && c.interval_ms == op->interval_ms);
      if (configured) continue;
      if (ws.stop_orphan_actions) cancel_recurring(ws, r, *op, node);
      changed = true;
    }
    const DefinitionCheck& check = check_definition(ws, r, node);
    if (check.change != DefinitionChange::kNone || !check.reschedule.empty()) changed = true;
    if (changed && effective_failcount(ws, r, node) > 0) clear_failcount(ws, r, node);
  }
}

// An orphan's failures are cleared on the online nodes, before it stops.
void create_orphan_failcount_clears(WorkingSet& ws, Resource* r) {
  for (Node& node : ws.nodes) {
    if (!node.online || effective_failcount(ws, r, &node) <= 0) continue;
    Action* clear = clear_failcount(ws, r, &node);
    for (Action* stop : r->actions)
      if (stop->task == "stop") ws.order(clear, stop, kOrderOptional);
  }
}

// With a placement strategy that counts utilization, a resource starts on a
// node only after what stops there has stopped, so that the capacity it was
// given is free: each node has a "load_stopped_<node>" pseudo action after
// the stops on it and before the starts on it (the peer's load orderings,
// which it creates, for a managed primitive that has a utilization, for every
// node it may run on or runs on, and keeps only between actions on the same
// node).
void create_load_orderings(WorkingSet& ws, Resource* r) {
  auto load_stopped = [&](Node* n) {
    Action* a = ws.new_pseudo("load_stopped_" + n->uname, "load_stopped_" + n->uname, nullptr);
    a->node = n;
    a->optional = false;
    return a;
  };
  for (Node* n : r->running_on) {
    Action* load = load_stopped(n);
    for (Action* stop : r->actions)
      if (stop->task == "stop" && stop->node == n) ws.order(stop, load, kLoad);
  }
  for (auto& [n, score] : r->allowed) {
    Action* load = load_stopped(n);
    for (Action* start : r->actions) {
      if (start->task == "start" && start->node == n) ws.order(load, start, kLoad);
      // A migration brings the load to where the resource goes.
      if (start->task == "migrate_to" && r->assigned == n) ws.order(load, start, kLoad);
    }
  }
}

Status create_actions(WorkingSet& ws) {
  for (Resource& r : ws.resource_store) {
    if (r.is_primitive() && (ws.rsc_by_id.count(r.id) || r.orphan)) {
      if (r.orphan && r.running_on.empty()) continue;
      create_primitive_actions(ws, &r);
      if (r.orphan) {
        create_orphan_failcount_clears(ws, &r);
      } else {
        create_failcount_clears(ws, &r);
        check_active_operations(ws, &r);
      }
      if (ws.placement_strategy != "default" && r.is_managed() && !r.utilization.empty())
        create_load_orderings(ws, &r);
    }
  }
  for (Resource* r : ws.resources) create_collective_actions(ws, r);
  create_probes(ws);
  return Status::Ok();
}

}  // namespace crm::pengine
