// Clone notifications (meta attribute notify=true on a clone or promotable
// clone), after the peer's (Pacemaker 2.1.5, lib/pengine/pe_notif.c).
//
// For each of a clone's tasks (start and stop; promote and demote when
// promotable) the clone gets four pseudo actions that frame the instances'
// own actions of that task:
//
//   <clone>_pre_notify_<task>_0 -> every instance's <inst>_pre_notify_<task>_0
//     -> <clone>_confirmed-pre_notify_<task>_0 -> <clone>_<task>_0 -> ...
//     -> <clone>_<done>_0 (running, stopped, promoted, demoted)
//     -> <clone>_post_notify_<done>_0 -> every <inst>_post_notify_<task>_0
//     -> <clone>_confirmed-post_notify_<done>_0
//
// Each instance notification is an ordinary resource operation "notify" on
// the instance's node; the agent learns what is happening from its
// CRM_meta_notify_* parameters: the type (pre/post) and operation, and which
// instances start, stop, promote, demote, are active, inactive, promoted and
// unpromoted (with node names), on which nodes the clone may run and which
// nodes the cluster has. The instances' own start/stop/promote/demote
// operations carry the same lists.
//
// The peer creates the clone's pseudo actions with the clone's other actions
// and the instance notifications when it writes the graph, from the final
// required/runnable flags; here both happen once those flags are final (after
// propagate_flags), which gives the same flags: nothing flows back from a
// notification into the actions it frames.
#include <algorithm>
#include <cstring>

#include "working_set.h"

namespace crm::pengine {
namespace {

const char* done_of(const std::string& task) {
  if (task == "start") return "running";
  if (task == "stop") return "stopped";
  if (task == "promote") return "promoted";
  return "demoted";
}

// One instance (a primitive) and the node it is on or acts on (null: none).
struct Entry {
  Resource* rsc;
  Node* node;
};

// The notification data of one clone task (the peer's notify_data_t).
struct NotifyData {
  std::string task;  // start, stop, promote, demote
  Action* pre = nullptr;
  Action* pre_done = nullptr;
  Action* post = nullptr;
  Action* post_done = nullptr;
  std::vector<Entry> start, stop, promote, demote, active, inactive, promoted, unpromoted;
  Attrs keys;  // CRM_meta_notify_* lists, added to every notification and instance action
};

// The clone's primitives, then those of its orphaned instances: the peer
// keeps orphans among the clone's children, also the inactive ones that an
// extra history on a node made (they are listed as inactive); here orphans
// are top-level and the inactive ones are dropped after the status unpack.
std::vector<Resource*> instances_of(WorkingSet& ws, Resource* clone) {
  std::vector<Resource*> out = primitives_of(clone);
  std::set<std::string> orphan_ids;
  for (const WorkingSet::CloneOrphan& o : ws.clone_orphans)
    if (o.clone == clone)
      for (const std::string& base : o.bases) orphan_ids.insert(base + ":" + std::to_string(o.number));
  if (orphan_ids.empty()) return out;
  for (Resource& r : ws.resource_store)
    if (r.orphan && orphan_ids.count(r.id) && std::find(out.begin(), out.end(), &r) == out.end()) out.push_back(&r);
  return out;
}

// A pseudo action of `rsc` (the clone; an instance for fencing) framing notifications.
Action* new_notify_pseudo(WorkingSet& ws, Resource* rsc, const std::string& task, const char* key_type,
                          const std::string& key_operation, const char* type) {
  std::string key = notify_key(rsc->id, key_type, key_operation);
  Action* a = ws.new_pseudo(key, std::strncmp(key_type, "confirmed", 9) == 0 ? "notified" : "notify", rsc);
  a->meta["CRM_meta_notify_key_type"] = key_type;
  a->meta["CRM_meta_notify_key_operation"] = key_operation;
  a->meta["CRM_meta_notify_type"] = type;
  a->meta["CRM_meta_notify_operation"] = task;
  return a;
}

// Whether an instance will do `task`: a required action that can run (or a
// pseudo action, implied by fencing), as the peer decides it for the clone's
// own pseudo actions when it creates them.
bool any_instance_does(const std::vector<Resource*>& instances, const std::string& task) {
  for (Resource* p : instances)
    for (Action* a : p->actions)
      if (a->task == task && a->node && a->interval_ms == 0 && !a->is_probe && !a->optional &&
          (a->runnable || a->pseudo))
        return true;
  return false;
}

// The clone's pseudo actions for one task and their orderings. They are
// required when an instance does the task (the peer creates them with the
// clone's task and completion actions, with their flags at that time; the
// completion required implies "post" required); "post" can run when the
// completion can.
NotifyData clone_pseudo_ops(WorkingSet& ws, Resource* clone, const std::vector<Resource*>& instances,
                            const std::string& task) {
  NotifyData n;
  n.task = task;
  Action* action = ws.find_action(op_key(clone->id, task, 0), nullptr);
  Action* complete = ws.find_action(op_key(clone->id, done_of(task), 0), nullptr);
  bool doing = any_instance_does(instances, task);
  if (action) {
    n.pre = new_notify_pseudo(ws, clone, task, "pre", task, "pre");
    n.pre_done = new_notify_pseudo(ws, clone, task, "confirmed-pre", task, "pre");
    n.pre->optional = n.pre_done->optional = !doing;
    ws.order(n.pre, n.pre_done, kOrderOptional);
    ws.order(n.pre_done, action, kOrderOptional);
  }
  if (complete) {
    n.post = new_notify_pseudo(ws, clone, task, "post", complete->task, "post");
    n.post_done = new_notify_pseudo(ws, clone, task, "confirmed-post", complete->task, "post");
    for (Action* a : {n.post, n.post_done}) {
      a->optional = !doing;
      a->runnable = complete->runnable;
      a->priority = kInfinity;
    }
    ws.order(complete, n.post, kImpliesThen);
    ws.order(n.post, n.post_done, kImpliesThen);
  }
  if (n.pre_done && n.post) ws.order(n.pre_done, n.post, kOrderOptional);
  return n;
}

// Each instance's state, and the start/stop/promote/demote it will do:
// required actions on a node that can run (a stop on an unclean node counts
// anyway).
void collect(Resource* clone, const std::vector<Resource*>& instances, NotifyData& n) {
  for (Resource* p : instances) {
    Node* node = p->running_on.empty() ? nullptr : p->running_on.front();
    Role role = p->role;
    if (role == Role::kStarted && clone->promotable) role = Role::kUnpromoted;
    switch (role) {
      case Role::kStarted: n.active.push_back({p, node}); break;
      case Role::kUnpromoted:
        n.unpromoted.push_back({p, node});
        n.active.push_back({p, node});
        break;
      case Role::kPromoted:
        n.promoted.push_back({p, node});
        n.active.push_back({p, node});
        break;
      default: n.inactive.push_back({p, node}); break;
    }
    for (Action* a : p->actions) {
      if (a->optional || !a->node || a->interval_ms > 0 || a->is_probe) continue;
      if (!a->runnable && !(a->task == "stop" && a->node->unclean)) continue;
      if (a->task == "start") n.start.push_back({p, a->node});
      else if (a->task == "stop") n.stop.push_back({p, a->node});
      else if (a->task == "promote") n.promote.push_back({p, a->node});
      else if (a->task == "demote") n.demote.push_back({p, a->node});
    }
  }
}

// Space-separated names, " " for none (the peer's convention, so the agent
// always sees the variable). Entries are sorted by instance id, then node
// id, and an instance is listed once.
void to_strings(std::vector<Entry> list, std::string* rscs, std::string* nodes) {
  std::stable_sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) {
    if (int c = a.rsc->id.compare(b.rsc->id)) return c < 0;
    if (!a.node || !b.node) return a.node && !b.node;  // a missing node sorts last
    return a.node->id < b.node->id;
  });
  std::string r, u;
  const Resource* last = nullptr;
  for (const Entry& e : list) {
    if (nodes && !e.node) continue;
    if (e.rsc == last || (last && e.rsc->id == last->id)) continue;
    last = e.rsc;
    r += (r.empty() ? "" : " ") + e.rsc->id;
    if (nodes) u += (u.empty() ? "" : " ") + e.node->uname;
  }
  if (rscs) *rscs = r.empty() ? " " : r;
  if (nodes) *nodes = u.empty() ? " " : u;
}

std::string node_names(std::vector<Node*> nodes) {
  std::stable_sort(nodes.begin(), nodes.end(), [](Node* a, Node* b) { return natural_less(a->uname, b->uname); });
  std::string out;
  for (Node* n : nodes) out += (out.empty() ? "" : " ") + n->uname;
  return out.empty() ? " " : out;
}

// The lists as CRM_meta_notify_* values. A non-empty list of the task's own
// kind makes the notifications required.
void add_keys(WorkingSet& ws, Resource* clone, NotifyData& n) {
  bool required = false;
  auto put = [&](const char* kind, const std::vector<Entry>& list, bool with_nodes = true) {
    std::string r, u;
    to_strings(list, &r, with_nodes ? &u : nullptr);
    n.keys[std::string("CRM_meta_notify_") + kind + "_resource"] = r;
    if (with_nodes) n.keys[std::string("CRM_meta_notify_") + kind + "_uname"] = u;
    if (n.task == kind && r != " ") required = true;
  };
  put("stop", n.stop);
  put("start", n.start);
  put("demote", n.demote);
  put("promote", n.promote);
  put("active", n.active);
  put("unpromoted", n.unpromoted);
  put("slave", n.unpromoted);  // deprecated alias, still read by older agents
  put("promoted", n.promoted);
  put("master", n.promoted);   // deprecated alias
  put("inactive", n.inactive, false);
  std::vector<Node*> available;
  for (auto& [node, score] : clone->allowed) available.push_back(node);
  n.keys["CRM_meta_notify_available_uname"] = node_names(available);
  std::vector<Node*> all;
  for (Node& node : ws.nodes) all.push_back(&node);
  n.keys["CRM_meta_notify_all_uname"] = node_names(all);
  auto target = clone->meta.find("container-attribute-target");
  if (target != clone->meta.end() && target->second == "host") n.keys["CRM_meta_notify_all_hosts"] = node_names(all);
  if (!required) return;
  for (Action* a : {n.pre, n.pre_done, n.post, n.post_done})
    if (a) a->optional = false;
}

// Values already set win (the action's own timeout; the first task's lists).
void add_missing(Attrs& to, const Attrs& from) {
  for (const auto& [k, v] : from) to.emplace(k, v);
}

// One instance notification, framed by the clone's `op` and `done` pseudo
// actions; none on a node that is down or when `op` cannot run.
Action* new_notify(WorkingSet& ws, Resource* p, Node* node, Action* op, Action* done, const NotifyData& n) {
  if (!op || !done || !node->online || !op->runnable) return nullptr;
  std::string key = notify_key(p->id, op->meta.at("CRM_meta_notify_type"), n.task);
  Action* a = ws.new_keyed_action(p, key, "notify", node, op->optional);
  a->runnable = !node->pending;
  a->meta.emplace("CRM_meta_timeout", std::to_string(action_timeout_ms(ws, p, "notify")));
  add_missing(a->meta, op->meta);
  add_missing(a->meta, n.keys);
  ws.order(op, a, kOrderOptional);
  ws.order(a, done, kOrderOptional);
  return a;
}

// A "post" notification; the instance's recurring monitors wait for all of them.
void new_post_notify(WorkingSet& ws, Resource* p, Node* node, const NotifyData& n) {
  if (Action* a = new_notify(ws, p, node, n.post, n.post_done, n)) a->priority = kInfinity;
  if (!n.post_done) return;
  for (Action* mon : p->actions)
    if (mon->interval_ms > 0 && mon->task == "monitor") ws.order(n.post_done, mon, kOrderOptional);
}

Action* first_action(Resource* p, const char* task) {
  for (Action* a : p->actions)
    if (a->task == task && a->interval_ms == 0 && !a->is_probe) return a;
  return nullptr;
}

void create_notify_actions(WorkingSet& ws, const std::vector<Resource*>& instances, const NotifyData& n) {
  for (Resource* p : instances) {
    for (Action* a : p->actions) {
      if (a->optional || !a->node || a->interval_ms > 0) continue;
      if (a->task == "start" || a->task == "stop" || a->task == "promote" || a->task == "demote")
        add_missing(a->meta, n.keys);
    }
    // Nothing to tell when no instance does the task (except stop, which
    // fencing may imply).
    if ((n.task == "start" && n.start.empty()) || (n.task == "promote" && n.promote.empty()) ||
        (n.task == "demote" && n.demote.empty()))
      continue;
    if (p->role != Role::kStopped && (n.task == "stop" || n.task == "demote")) {
      Action* stop = first_action(p, "stop");
      for (Node* node : p->running_on) {
        // A stop implied by fencing: the node being fenced is not told.
        if (stop && stop->pseudo && node->unclean) continue;
        new_notify(ws, p, node, n.pre, n.pre_done, n);
        // An instance that stops gets no "post" notification of its own stop.
        if (n.task == "demote" || !stop || stop->optional) new_post_notify(ws, p, node, n);
      }
    }
    bool will_run = p->next_role != Role::kStopped && p->next_role != Role::kUnknown;
    if (will_run && p->assigned && (n.task == "start" || n.task == "promote")) {
      Action* start = first_action(p, "start");
      // An instance that starts is told only afterwards.
      if (n.task != "start" || !start || start->optional) new_notify(ws, p, p->assigned, n.pre, n.pre_done, n);
      new_post_notify(ws, p, p->assigned, n);
    }
  }
}

// A stop implied by fencing happens when the node is fenced, not between the
// clone's stop notifications: the other instances are told "post stop" of it
// after the fencing (the peer's pe__order_notifs_after_fencing). The pseudo
// actions belong to the fenced instance, keyed after the fencing
// ("<inst>_post_notify_stonith_0"); the lists are only the fenced
// instance's stop, and as they are added first they win over the clone's
// own stop notification to the same instance on the same node.
void notify_after_fencing(WorkingSet& ws, const std::vector<Resource*>& instances) {
  for (Resource* p : instances) {
    for (Action* stop : std::vector<Action*>(p->actions)) {
      if (stop->task != "stop" || !stop->pseudo || !stop->node || !stop->node->unclean) continue;
      Action* fence = ws.fencing_of(stop->node);
      if (!fence) continue;
      NotifyData n;
      n.task = "stop";
      n.post = new_notify_pseudo(ws, p, "stop", "post", fence->task, "post");
      n.post_done = new_notify_pseudo(ws, p, "stop", "confirmed-post", fence->task, "post");
      for (Action* a : {n.post, n.post_done}) {
        a->optional = fence->optional;
        a->runnable = fence->runnable;
        a->priority = kInfinity;
      }
      ws.order(fence, n.post, kImpliesThen);
      ws.order(n.post, n.post_done, kImpliesThen);
      n.keys["CRM_meta_notify_stop_resource"] = p->id;
      n.keys["CRM_meta_notify_stop_uname"] = stop->node->uname;
      create_notify_actions(ws, instances, n);
    }
  }
}

bool is_within(const Resource* r, const Resource* ancestor) {
  for (; r; r = r->parent)
    if (r == ancestor) return true;
  return false;
}

// What is ordered after the clone's completion (its instances running,
// stopped, ...) waits for the notifications about it instead, as the peer
// re-points such orderings to "<clone>_confirmed-post_notify_<done>_0"
// (pcmk_sched_actions.c, action_for_ordering). Only the graph's edges move:
// the flags were propagated through the completion, which is required and
// runnable whenever the confirmation is.
void order_after_confirmation(WorkingSet& ws, Resource* clone, const NotifyData& n) {
  if (!n.post_done) return;
  Action* complete = nullptr;
  for (auto& [first, flags] : n.post->before)
    if (first->rsc == clone && first->pseudo && first->task == done_of(n.task)) complete = first;
  if (!complete) return;
  std::vector<std::pair<Action*, uint32_t>> moved;
  for (auto& [then, flags] : complete->after)
    if (then->rsc && !is_within(then->rsc, clone)) moved.push_back({then, flags});
  for (auto& [then, flags] : moved) {
    auto drop = [](std::vector<std::pair<Action*, uint32_t>>& list, Action* a) {
      list.erase(std::remove_if(list.begin(), list.end(), [&](const auto& e) { return e.first == a; }), list.end());
    };
    drop(complete->after, then);
    drop(then->before, complete);
    ws.order(n.post_done, then, flags);
  }
}

}  // namespace

Status create_notifications(WorkingSet& ws) {
  for (Resource* clone : ws.resources) {
    if (!clone->is_clone() || !clone->notify) continue;
    std::vector<Resource*> instances = instances_of(ws, clone);
    std::vector<std::string> tasks = {"start", "stop"};
    if (clone->promotable) tasks.insert(tasks.end(), {"promote", "demote"});
    std::map<std::string, NotifyData> data;
    for (const std::string& task : tasks) data[task] = clone_pseudo_ops(ws, clone, instances, task);
    // Between the tasks: everything about stopping is told before anything
    // about starting, demotions before the rest, promotions last.
    auto after = [&](const char* first, const char* then) {
      if (data.count(first) && data.count(then)) ws.order(data[first].post_done, data[then].pre, kOrderOptional);
    };
    after("stop", "start");
    if (clone->promotable) {
      after("stop", "promote");
      after("start", "promote");
      after("demote", "promote");
      after("demote", "start");
      after("demote", "stop");
    }
    notify_after_fencing(ws, instances);
    for (const std::string& task : tasks) {
      NotifyData& n = data[task];
      collect(clone, instances, n);
      add_keys(ws, clone, n);
      create_notify_actions(ws, instances, n);
      order_after_confirmation(ws, clone, n);
    }
  }
  return Status::Ok();
}

}  // namespace crm::pengine
