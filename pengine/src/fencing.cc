// Fencing and shutdowns: unclean nodes are fenced (when stonith-enabled)
// before their resources are recovered elsewhere; nodes asked to shut down get
// a do_shutdown once everything on them has stopped.
#include "working_set.h"

namespace crm::pengine {

Status create_fencing(WorkingSet& ws) {
  Action* last_fence = nullptr;
  for (Node& node : ws.nodes) {
    // Without quorum only members of our partition can be fenced (unless
    // no-quorum-policy=ignore).
    bool can_fence = ws.stonith_enabled && (ws.have_quorum || ws.no_quorum_policy == "ignore" || node.online);
    bool fence = node.unclean && can_fence;
    if (fence) {
      Action* st = ws.new_action(nullptr, "stonith", 0, &node, false);
      st->key = "stonith-" + node.uname + "-" + ws.stonith_action;
      st->fence_action = ws.stonith_action;
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
      for (Resource* r : node.running) {
        for (Action* a : r->actions)
          if (a->node == &node && a->task == "stop") ws.order(a, sd, kOrderOptional);
      }
    }
  }
  return Status::Ok();
}

}  // namespace crm::pengine
