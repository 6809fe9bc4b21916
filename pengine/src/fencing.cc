// Fencing and shutdowns: unclean nodes are fenced (when stonith-enabled)
// before their resources are recovered elsewhere; nodes asked to shut down get
// a do_shutdown once everything on them has stopped.
#include "working_set.h"

namespace crm::pengine {
namespace {

// A node's priority for priority-fencing-delay, as the peer's: the sum of the
// priorities of the resources active there (a promoted instance counts one
// more), failed ones left out.
int node_priority(const Node& node) {
  int total = 0;
  for (const Resource* r : node.running) {
    if (r->priority == 0 || r->failed) continue;
    total += r->priority + (r->role == Role::kPromoted ? 1 : 0);
  }
  return total;
}

// The peer's rule: the delay applies to a lost cluster member (not one of our
// partition) when our partition holds at most half the members and the
// members' priorities differ and the target's is the highest: the side that
// runs what matters most gets fenced last, so it survives the race.
long priority_fencing_delay(const WorkingSet& ws, const Node& target) {
  if (ws.priority_fencing_delay_s <= 0 || target.remote || target.type != "member" || target.online) return 0;
  int members = 0, online = 0, top = 0, lowest = 0;
  for (const Node& n : ws.nodes) {
    if (n.remote || n.type != "member") continue;
    ++members;
    if (n.online) ++online;
    int p = node_priority(n);
    if (members == 1 || p > top) top = p;
    if (members == 1 || p < lowest) lowest = p;
  }
  if (online > members / 2) return 0;
  if (lowest == top) return 0;  // equal priorities: pcmk_delay_base/max decide
  if (node_priority(target) < top) return 0;
  return ws.priority_fencing_delay_s;
}

// What waits for the fencing `st` of its target, for one resource and its
// members (the peer's rsc_stonith_ordering). Starts and promotions of a
// resource that requires fencing come after it, wherever they are; a
// resource that requires only quorum starts after it when it may run on the
// target and its state there is unknown (it may be active there). Stops and
// demotions on the target become pseudo actions the fencing completes; for
// resources that require fencing they are ordered after it, and so is the
// stop of the resource's top-level parent.
void order_vs_fencing(WorkingSet& ws, Resource* r, Action* st) {
  if (!r->is_primitive()) {
    for (Resource* c : r->children) order_vs_fencing(ws, c, st);
    return;
  }
  if (!r->is_managed()) return;
  Node* target = st->node;
  for (Action* a : r->actions) {
    if (a->task != "start" && a->task != "promote") continue;
    if (r->needs_fencing) {
      ws.order(st, a, kOrderOptional);
    } else if (r->requires_ != "nothing" && a->task == "start" && r->allowed.count(target) && !r->known_on(target)) {
      ws.order(st, a, kRunnableLeft);
    }
  }
  // Stops on a guest node come after its (pseudo) fencing whatever the
  // resource requires: that fencing is its container's stop.
  const bool order_implicit = r->needs_fencing || target->is_guest();
  Action* parent_stop = nullptr;
  if (order_implicit) {
    for (Action* a : r->top()->actions)
      if (a->task == "stop") { parent_stop = a; break; }
  }
  for (Action* a : r->actions) {
    if (a->node != target || a->task != "stop") continue;
    a->pseudo = true;
    a->runnable = true;
    a->optional = false;
    if (order_implicit) {
      ws.order(st, a, kImpliesThen);
      if (parent_stop && parent_stop != a) ws.order(st, parent_stop, kOrderOptional);
    }
  }
  for (Action* a : r->actions) {
    if (a->node != target || a->task != "demote") continue;
    if (target->online && !target->unclean && !r->failed) continue;
    a->pseudo = true;
    a->runnable = true;
    a->optional = false;
    if (r->needs_fencing) ws.order(st, a, kImpliesThen);
  }
}

// The fencing of `node` (WorkingSet::fencing: made once).
Action* make_fencing(WorkingSet& ws, Node& node, const std::string& how) {
  if (Action* st = ws.fencing_of(&node)) return st;
  Action* st = ws.new_action(nullptr, "stonith", 0, &node, false);
  st->key = "stonith-" + node.uname + "-" + how;
  st->fence_action = how;
  st->runnable = true;
  ws.fencing[&node] = st;
  return st;
}

// The pseudo fencing of a guest node (the peer's pcmk__fence_guest):
// "reboot" when its container starts again, else "off"; after the
// container's stop (or its host's fencing that implies it, or else the
// connection's stop).
void fence_guest(WorkingSet& ws, Node& node) {
  Resource* container = node.remote_rsc->container;
  Action* stop = nullptr;
  bool restarts = false;
  for (Action* a : container->actions) {
    if (a->task == "stop" && !stop) stop = a;
    if (a->task == "start") restarts = true;
  }
  Action* st = make_fencing(ws, node, restarts ? "reboot" : "off");
  st->pseudo = true;
  st->reason = "guest is unclean";  // what it ran is known to be gone, whatever made it unclean
  ws.fenced.push_back(&node);
  if (stop && stop->pseudo && stop->node) {
    ws.order(make_fencing(ws, *stop->node, ws.stonith_action), st, kRunnableLeft | kImpliesThen);
  } else if (stop) {
    ws.order(stop, st, kRunnableLeft | kImpliesThen);
  } else {
    for (Action* a : node.remote_rsc->actions)
      if (a->task == "stop") {
        ws.order(a, st, kOrderOptional);
        break;
      }
  }
  for (Resource* r : ws.resources) order_vs_fencing(ws, r, st);
}

}  // namespace

void fence_node(Node& node, const std::string& reason) {
  if (node.is_guest()) {
    // Not unclean: the node may run resources again in this transition
    // once its container is back.
    Resource* container = node.remote_rsc->container;
    if (container->failed || !container->is_managed()) return;
    node.remote_requires_reset = true;
    container->failed = true;
    if (node.fence_reason.empty()) node.fence_reason = reason;
    return;
  }
  if (node.remote) {
    // An unmanaged connection makes no fencing, but the node stays unclean.
    if (!node.remote_rsc || node.remote_rsc->is_managed()) node.remote_requires_reset = true;
    node.unclean = true;
    if (node.fence_reason.empty()) node.fence_reason = reason;
    return;
  }
  if (node.unclean) return;  // already, for its own reason
  node.unclean = true;
  if (node.fence_reason.empty()) node.fence_reason = reason;
}

// Fencing and shutdowns, ordered as the peer's schedule_fencing_and_shutdowns:
// without concurrent-fencing the fencing of nodes other than the DC runs in a
// chain; the DC's fencing or shutdown comes after the others' fencing (and
// its shutdown after their shutdowns), so that the DC role moves only once.
Status create_fencing(WorkingSet& ws) {
  Action* dc_down = nullptr;
  std::vector<Action*> fencing_ops, shutdown_ops;
  bool have_managed = false;
  for (Resource& r : ws.resource_store) have_managed = have_managed || (r.is_primitive() && r.is_managed());
  for (Node& node : ws.nodes) {
    if (node.is_guest()) {
      // "Fenced" by recovering its container: a pseudo fencing to order the
      // implied stops of what ran there after the container's stop.
      if (node.remote_requires_reset && have_managed && ws.can_fence(node)) fence_guest(ws, node);
      continue;
    }
    bool is_dc = !ws.dc_uuid.empty() && node.id == ws.dc_uuid;
    bool fence = node.unclean && ws.can_fence(node);
    if (fence) {
      Action* st = make_fencing(ws, node, ws.stonith_action);
      st->optional = false;
      st->fence_delay_s = priority_fencing_delay(ws, node);
      st->reason = node.fence_reason;
      ws.fenced.push_back(&node);
      for (Resource* r : ws.resources) order_vs_fencing(ws, r, st);
      if (is_dc) {
        dc_down = st;
      } else {
        if (!ws.concurrent_fencing && !fencing_ops.empty()) ws.order(fencing_ops.back(), st, kOrderOptional);
        fencing_ops.push_back(st);
      }
      continue;
    }
    if (node.unclean) {
      // Cannot fence: the resources there cannot be stopped.
      for (Resource* r : node.running) {
        for (Action* a : r->actions) {
          if (a->node == &node && (a->task == "stop" || a->task == "demote")) a->runnable = false;
        }
      }
    }
    if (node.online && node.shutdown && !node.unclean && !node.remote) {  // no do_shutdown for remote nodes
      Action* sd = ws.new_action(nullptr, "do_shutdown", 0, &node, false);
      sd->key = "do_shutdown-" + node.uname;
      if (is_dc) dc_down = sd;
      else shutdown_ops.push_back(sd);
      for (Resource* r : node.running) {
        for (Action* a : r->actions)
          if (a->node == &node && a->task == "stop") ws.order(a, sd, kOrderOptional);
      }
    }
  }
  if (dc_down) {
    if (dc_down->task == "do_shutdown")
      for (Action* sd : shutdown_ops) ws.order(sd, dc_down, kOrderOptional);
    if (ws.concurrent_fencing) {
      for (Action* st : fencing_ops) ws.order(st, dc_down, kOrderOptional);
    } else if (!fencing_ops.empty()) {
      ws.order(fencing_ops.back(), dc_down, kOrderOptional);
    }
  }
  return Status::Ok();
}

}  // namespace crm::pengine
