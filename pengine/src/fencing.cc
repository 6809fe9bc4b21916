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

}  // namespace

Status create_fencing(WorkingSet& ws) {
  Action* last_fence = nullptr;
  Action* dc_shutdown = nullptr;
  std::vector<Action*> other_shutdowns;
  for (Node& node : ws.nodes) {
    bool fence = node.unclean && ws.can_fence(node);
    if (fence) {
      Action* st = ws.new_action(nullptr, "stonith", 0, &node, false);
      st->key = "stonith-" + node.uname + "-" + ws.stonith_action;
      st->fence_action = ws.stonith_action;
      st->fence_delay_s = priority_fencing_delay(ws, node);
      st->runnable = true;
      st->reason = node.fence_reason;
      ws.fenced.push_back(&node);
      if (!ws.concurrent_fencing && last_fence) ws.order(last_fence, st, kOrderOptional);
      last_fence = st;
      for (Resource* r : node.running) {
        for (Action* a : r->actions) {
          if (a->node != &node) continue;
          if (a->task == "stop" || a->task == "demote") {
            a->pseudo = true;
            a->runnable = true;
            a->optional = false;
            ws.order(st, a, kImpliesThen);
          }
        }
      }
      // Resources needing fencing start only after it.
      for (Resource& r : ws.resource_store) {
        if (!r.is_primitive() || r.requires_ == "nothing" || r.requires_ == "quorum") continue;
        if (r.cls == "stonith") continue;
        for (Action* a : r.actions)
          if ((a->task == "start" || a->task == "promote") && a->node && a->node != &node) ws.order(st, a, kOrderOptional);
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
    if (node.online && node.shutdown && !node.unclean) {
      Action* sd = ws.new_action(nullptr, "do_shutdown", 0, &node, false);
      sd->key = "do_shutdown-" + node.uname;
      if (node.id == ws.dc_uuid) {
        dc_shutdown = sd;
      } else {
        other_shutdowns.push_back(sd);
      }
      for (Resource* r : node.running) {
        for (Action* a : r->actions)
          if (a->node == &node && a->task == "stop") ws.order(a, sd, kOrderOptional);
      }
    }
  }
  // The DC shuts down after every other node that does, as the peer's
  // schedule_fencing_and_shutdowns orders them (no repeated DC elections).
  if (dc_shutdown) {
    for (Action* sd : other_shutdowns) ws.order(sd, dc_shutdown, kOrderOptional);
  }
  return Status::Ok();
}

}  // namespace crm::pengine
