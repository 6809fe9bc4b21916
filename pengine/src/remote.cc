// Pacemaker Remote and guest nodes: a remote node is reached through its
// connection resource (ocf:pacemaker:remote) running on a cluster node; a
// guest node's connection is implicit and lives in a container resource (a
// VM, a container). Actions on such nodes are routed through the cluster node
// that holds the connection and ordered against the connection's start and
// stop; a remote node that cannot be reached while resources may be active
// there is fenced, a guest node "fenced" by recovering its container. After
// the peer's pcmk_sched_remote.c and its documentation (Pacemaker Remote).
#include <algorithm>

#include "working_set.h"

namespace crm::pengine {
namespace {

// What the connection of a remote node does in this transition (the peer's
// remote_connection_state).
enum class ConnectionState { kUnknown, kAlive, kResting, kFailed, kStopped };

ConnectionState connection_state(const Node& node) {
  const Resource* conn = node.remote_rsc;
  Node* host = conn->current_node();
  if (conn->next_role == Role::kStopped || !conn->assigned) {
    // Not going to run anywhere.
    if (host && host->unclean) return ConnectionState::kFailed;  // on a failed node, never recovered
    if (!conn->failed) return ConnectionState::kStopped;         // cleanly stopped
    if (conn->target_role == Role::kStopped && conn->remote_reconnect_ms > 0 && node.remote_was_fenced &&
        !node.shutdown_requested())
      return ConnectionState::kUnknown;  // known only once the reconnect interval expires
    return ConnectionState::kFailed;
  }
  if (!host) return ConnectionState::kUnknown;                        // recoverable, not running yet
  if (host->unclean || !host->online) return ConnectionState::kResting;  // on a dead node, recovered first
  if (conn->running_on.size() > 1 && conn->partial_source && conn->partial_target)
    return ConnectionState::kResting;  // in the middle of a migration
  return ConnectionState::kAlive;
}

// Orders the connection's start before `then` (the peer's
// order_start_then_action, with pe_order_preserve).
void order_start_then(WorkingSet& ws, Resource* first, Action* then, uint32_t flags) {
  for (Action* a : first->actions)
    if (a->task == "start" && a->node) ws.order(a, then, kRunnableLeft | flags);
}

// Orders `first` before the connection's stop (order_action_then_stop).
void order_then_stop(WorkingSet& ws, Action* first, Resource* then, uint32_t flags) {
  for (Action* a : then->actions)
    if (a->task == "stop" && a->node) ws.order(first, a, flags);
}

// The peer orders these with pe_order_implies_first, which its 2.1 series
// applies only when the first action is a collective's (its flags then
// differ from what its instances say); the first here is always a
// primitive's action, so it is a plain ordering.
constexpr uint32_t kFirstOfPrimitive = kOrderOptional;

bool is_recurring(const Action* a) { return a->interval_ms > 0 && a->task != "cancel"; }

// An action on a remote node, against its connection (apply_remote_ordering).
void order_remote_action(WorkingSet& ws, Action* action) {
  Node& node = *action->node;
  Resource* conn = node.remote_rsc;
  ConnectionState state = connection_state(node);
  std::string task = action->task;
  if (task == "migrate_to" || task == "migrate_from") task = "stop";  // before the connection moves
  if (task == "start" || task == "promote") {
    // The connection first; its failure forces the action's recovery.
    order_start_then(ws, conn, action, state == ConnectionState::kFailed ? kImpliesThen : 0);
  } else if (task == "stop") {
    if (state == ConnectionState::kAlive) {
      order_then_stop(ws, action, conn, kFirstOfPrimitive);
    } else if (state == ConnectionState::kFailed) {
      // The only way to stop it now is fencing, which implies the stop.
      fence_node(node, "resources are active but connection is unrecoverable");
    } else if (conn->next_role == Role::kStopped) {
      order_then_stop(ws, action, conn, kFirstOfPrimitive);  // not coming back: stop first
    } else {
      order_start_then(ws, conn, action, 0);  // comes back elsewhere: stop after that
    }
  } else if (task == "demote") {
    // Ordered after the connection's start only when it is not torn down
    // (the stop ordering covers that case).
    if (state == ConnectionState::kResting || state == ConnectionState::kUnknown) order_start_then(ws, conn, action, 0);
  } else if (is_recurring(action)) {
    // Restarted whenever the connection is, in case recovery missed it.
    order_start_then(ws, conn, action, kImpliesThen);
  } else {
    if (task == "monitor" && state == ConnectionState::kFailed) {
      // The state there is unknown and cannot be found out.
      fence_node(node, "resources are in unknown state and connection is unrecoverable");
    }
    if (conn->current_node() && state == ConnectionState::kStopped) {
      order_then_stop(ws, action, conn, kRunnableLeft);  // checked before the connection closes for good
    } else {
      order_start_then(ws, conn, action, 0);
    }
  }
}

// An action on a guest node, against its connection and container
// (apply_container_ordering).
void order_guest_action(WorkingSet& ws, Action* action) {
  Node& node = *action->node;
  Resource* conn = node.remote_rsc;
  Resource* container = conn->container;
  if (container->failed) fence_node(node, "container failed");
  std::string task = action->task;
  if (task == "migrate_to" || task == "migrate_from") task = "stop";
  if (task == "start" || task == "promote") {
    order_start_then(ws, container, action, kImpliesThen);  // recovered with its container
    order_start_then(ws, conn, action, 0);
  } else if (task == "stop" || task == "demote") {
    // A failed container's stop implies these (as fencing would).
    if (!container->failed) order_then_stop(ws, action, conn, kOrderOptional);
  } else if (is_recurring(action)) {
    order_start_then(ws, conn, action, kImpliesThen);
  } else {
    order_start_then(ws, conn, action, 0);
  }
}

}  // namespace

void ban_remote_nodes(WorkingSet& ws) {
  // Remote connections and fencing devices never run on remote or guest
  // nodes, nor does a guest's container (no nesting); managed ones only, as
  // the peer's internal constraints. In an asymmetric cluster a guest's
  // connection may go wherever its container goes.
  auto avoid = [&](Resource* r) {
    for (auto& [n, score] : r->allowed)
      if (n->remote_rsc) score = kMinusInfinity;
  };
  for (Resource& r : ws.resource_store) {
    if (!r.is_primitive()) continue;
    if (!ws.symmetric && r.is_remote_node && r.container) {
      for (Node& n : ws.nodes) r.allowed.emplace(&n, 0);
    }
    if (!r.is_managed()) continue;
    if (r.is_remote_node && r.container) avoid(r.container);
    if (r.container && !r.is_remote_node) {
      // container=NODE: a resource placed on that remote node itself.
      if (Resource* remote = contained_connection(r.container)) {
        for (auto& [n, score] : r.allowed)
          if (n->remote_rsc != remote) score = kMinusInfinity;
      }
    }
    if (r.is_remote_node || r.fence_device()) avoid(&r);
  }
}

Resource* contained_connection(Resource* container) {
  if (container->is_remote_node) return container;
  for (Resource* f : container->fillers)
    if (f->is_remote_node) return f;
  return nullptr;
}

bool follows_container(Resource& r) {
  if (!r.is_primitive() || !r.container || !r.is_managed()) return false;
  return r.is_remote_node || !contained_connection(r.container);
}

void remote_connection_assigned(Resource* conn) {
  Node* node = conn->remote_node;
  if (!node) return;
  if (conn->assigned && conn->next_role != Role::kStopped) {
    node->online = true;
    if (node->unseen) node->unclean = false;  // it will be connected to: no need to fence
  } else {
    node->shutdown = true;
  }
}

bool is_failed_remote_node(const Node& node) {
  return node.remote && !node.is_guest() && node.remote_rsc && connection_state(node) == ConnectionState::kFailed;
}

Status order_remote_actions(WorkingSet& ws) {
  // A resource in a container (a guest's connection, a filler) starts after
  // the container and stops before it; a guest's connection stops only after
  // its container was probed (found running, the connection is kept).
  for (Resource& r : ws.resource_store) {
    if (!follows_container(r)) continue;
    for (Action* cs : r.container->actions) {
      if (cs->task != "start" || !cs->node) continue;
      for (Action* a : r.actions)
        if (a->task == "start" && a->node) ws.order(cs, a, kImpliesThen | kRunnableLeft);
    }
    for (Action* a : r.actions) {
      if (a->task != "stop" || !a->node) continue;
      for (Action* cs : r.container->actions)
        if (cs->task == "stop" && cs->node) ws.order(a, cs, kFirstOfPrimitive);
    }
    if (r.is_remote_node) {
      for (Action* probe : r.container->actions) {
        if (!probe->is_probe) continue;
        for (Action* a : r.actions)
          if (a->task == "stop" && a->node) ws.order(probe, a, kOrderOptional);
      }
    }
  }
  bool any = false;
  for (const Node& n : ws.nodes) any = any || n.remote;
  if (!any) return Status::Ok();
  const size_t count = ws.action_store.size();  // what is ordered here creates no actions
  for (size_t i = 0; i < count; ++i) {
    Action* action = &ws.action_store[i];
    Resource* r = action->rsc;
    if (!r || !r->is_primitive()) continue;
    // Clearing a connection's fail count comes before its start.
    if (r->is_remote_node && action->task == "clear_failcount") {
      for (Action* a : r->actions)
        if (a->task == "start" && a->node) ws.order(action, a, kOrderOptional);
      continue;
    }
    if (!action->node || !action->node->remote || action->pseudo) continue;
    Resource* conn = action->node->remote_rsc;
    if (!conn) continue;  // an orphaned node entry
    // A resource moving onto a remote node stays where it was until the
    // connection is up.
    if (action->task == "start") {
      for (Action* a : r->actions)
        if (a->task == "stop" && a->node && a->node != action->node) order_start_then(ws, conn, a, 0);
    }
    if (conn->container) order_guest_action(ws, action);
    else order_remote_action(ws, action);
  }
  return Status::Ok();
}

Node* connection_host(const Action* action) {
  if (action->task == "stonith" || !action->node || !action->node->remote || !action->node->remote_rsc) return nullptr;
  const Resource* conn = action->node->remote_rsc;
  Node* began_on = conn->current_node();
  Node* ended_on = conn->assigned;
  bool partial_migration = !conn->container && conn->partial_target;
  if (!began_on) return ended_on;
  if (!ended_on || began_on == ended_on) return began_on;
  // The connection moves: what must happen before it does goes through where
  // it is (unless a partial migration already put it on its target), the
  // rest through where it goes.
  std::string task = action->task;
  if (task == "notify") {
    auto it = action->meta.find("CRM_meta_notify_operation");
    if (it != action->meta.end()) task = it->second;
  }
  bool down = task == "cancel" || task == "stop" || task == "demote" || task == "migrate_from" || task == "migrate_to";
  return down && !partial_migration ? began_on : ended_on;
}

}  // namespace crm::pengine
