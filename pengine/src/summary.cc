// What a transition means for people: the Transition Summary lines (one per
// resource that changes, one per fenced node), the cluster status before and
// after, and the crm_mon-style status text.
#include <algorithm>
#include <cstring>
#include <sstream>

#include "summary.h"
#include "working_set.h"

namespace crm::pengine {
namespace {

Action* find_task(Resource* r, const std::string& task, Node* node) {
  for (Action* a : r->actions)
    if (a->task == task && a->interval_ms == 0 && !a->is_probe && (node == nullptr || a->node == node) && a->node) return a;
  return nullptr;
}

// Collects the Transition Summary items, then prints them with the peer's
// column widths: they only grow while items are seen, and the peer logs every
// item once before printing them, so the printed lines all use the final widths.
struct ItemPrinter {
  struct Item { std::string change, rsc, details, reason; };
  std::vector<Item> items;
  int rsc_width = 5;
  int detail_width = 5;

  void item(const std::string& change, Resource* rsc, Node* origin, Node* dest, Action* action, Action* source) {
    if (!source) source = action;
    int len = static_cast<int>(rsc->id.size());
    if (len > rsc_width) rsc_width = len + 2;
    bool need_role = rsc->role > Role::kStarted || rsc->next_role > Role::kUnpromoted;
    bool same_host = origin && dest && origin == dest;
    bool same_role = rsc->role == rsc->next_role;
    std::string details;
    auto rn = [](Role r) { return std::string(role_text(r)); };
    if (need_role && !origin) details = rn(rsc->role) + " -> " + rn(rsc->next_role) + " " + dest->uname;
    else if (!origin) details = dest->uname;
    else if (need_role && !dest) details = rn(rsc->role) + " " + origin->uname;
    else if (!dest) details = origin->uname;
    else if (need_role && same_role && same_host) details = rn(rsc->role) + " " + origin->uname;
    else if (same_role && same_host) details = origin->uname;
    else if (need_role && same_role) details = origin->uname + " -> " + dest->uname + " " + rn(rsc->role);
    else if (same_role) details = origin->uname + " -> " + dest->uname;
    else if (same_host) details = rn(rsc->role) + " -> " + rn(rsc->next_role) + " " + origin->uname;
    else details = rn(rsc->role) + " " + origin->uname + " -> " + rn(rsc->next_role) + " " + dest->uname;
    if (static_cast<int>(details.size()) > detail_width) detail_width = static_cast<int>(details.size());
    std::string reason;
    bool runnable = action ? action->runnable : true;
    if (source && !source->reason.empty() && !runnable) reason = "due to " + source->reason + " (blocked)";
    else if (source && !source->reason.empty()) reason = "due to " + source->reason;
    else if (!runnable) reason = "blocked";
    items.push_back({change, rsc->id, details, reason});
  }

  void print(std::vector<std::string>& out) const {
    for (const Item& i : items) {
      char buf[1024];
      snprintf(buf, sizeof buf, "%-8s   %-*s   ( %*s )%s%s", i.change.c_str(), rsc_width, i.rsc.c_str(), detail_width,
               i.details.c_str(), i.reason.empty() ? "" : "  ", i.reason.c_str());
      out.push_back(buf);
    }
  }
};

void log_actions(WorkingSet& ws, Resource* rsc, ItemPrinter& p) {
  if (!rsc->is_primitive()) {
    for (Resource* c : rsc->children) log_actions(ws, c, p);
    return;
  }
  Node* next = rsc->next_role == Role::kStopped ? nullptr : rsc->assigned;
  Node* current = rsc->current_node();
  if (!current && rsc->orphan) return;
  if (!rsc->is_managed() || (!current && !next)) return;
  bool moving = current && next && current != next;
  Action* start = next ? find_task(rsc, "start", next) : nullptr;
  Node* start_node = (start && start->runnable) ? current : nullptr;
  Action* stop = nullptr;
  if (start_node) stop = find_task(rsc, "stop", start_node);
  else stop = find_task(rsc, "stop", nullptr);
  Action* promote = next ? find_task(rsc, "promote", next) : nullptr;
  Action* demote = find_task(rsc, "demote", next);
  if (!demote && current) demote = find_task(rsc, "demote", current);
  bool failed = rsc->failed;
  auto optional = [](Action* a) { return !a || a->optional; };

  if (rsc->role == rsc->next_role) {
    if (!next) return;
    Action* migrate_from = find_task(rsc, "migrate_from", next);
    if (migrate_from && current && migrate_from->runnable) {
      p.item("Migrate", rsc, current, next, start, nullptr);
      return;
    }
    if (!start || start->optional) {
      Action* reload = current ? ws.find_action(op_key(rsc->id, "reload-agent", 0), current) : nullptr;
      if (reload && !reload->optional && reload->runnable) {
        p.item("Reload", rsc, current, next, reload, nullptr);
        return;
      }
      if (demote && promote && !demote->optional && !promote->optional)
        p.item("Re-promote", rsc, current, next, promote, demote);
      return;
    }
    if (!start->runnable) {
      p.item("Stop", rsc, current, nullptr, stop, (stop && !stop->reason.empty()) ? stop : start);
    } else if (moving && current) {
      p.item(failed ? "Recover" : "Move", rsc, current, next, stop, nullptr);
    } else if (failed) {
      p.item("Recover", rsc, current, nullptr, stop, nullptr);
    } else {
      p.item("Restart", rsc, current, next, start, nullptr);
    }
    return;
  }
  if (stop && (rsc->next_role == Role::kStopped || (start && !start->runnable))) {
    for (Node* n : rsc->running_on) {
      Action* s = find_task(rsc, "stop", n);
      if (!s) continue;
      p.item("Stop", rsc, n, nullptr, s, (!s->reason.empty()) ? s : start);
    }
  } else if (stop && failed && !optional(stop)) {
    p.item("Recover", rsc, current, next, stop, start);
  } else if (moving) {
    p.item("Move", rsc, current, next, stop, nullptr);
  } else if (stop && !stop->optional) {
    p.item("Restart", rsc, current, next, start, nullptr);
  } else if (rsc->role == Role::kPromoted) {
    if (demote) p.item("Demote", rsc, current, next, demote, nullptr);
  } else if (rsc->next_role == Role::kPromoted) {
    if (promote) p.item("Promote", rsc, current, next, promote, nullptr);
  } else if (rsc->role == Role::kStopped && rsc->next_role > Role::kStopped) {
    if (start) p.item("Start", rsc, current, next, start, nullptr);
  }
}

std::string agent_of(const Resource* r) {
  std::string s = r->cls;
  if (!r->provider.empty()) s += ":" + r->provider;
  s += ":" + r->type;
  return s;
}

ResourceStatus status_of(WorkingSet& ws, Resource* r, bool after) {
  ResourceStatus s;
  s.id = r->id;
  s.managed = r->is_managed();
  s.blocked = r->blocked;
  s.orphan = r->orphan;
  // Disabled by configuration (target-role), not stopped by a failure's handling.
  if (auto tr = r->meta.find("target-role"); tr != r->meta.end() && !r->orphan) {
    auto role = parse_role(tr->second);
    s.disabled = role.ok() && *role == Role::kStopped;
  }
  s.failure_ignored = r->failure_ignored;
  if (r->is_primitive()) {
    s.kind = ResourceStatus::Kind::kPrimitive;
    s.agent = agent_of(r);
    if (!after) {
      for (Node* n : r->running_on) s.nodes.push_back(n->uname);
      s.role = r->running_on.empty() ? Role::kStopped : r->role;
      s.failed = r->failed;
      s.pending_task = r->pending_task;
    } else {
      s.failed = r->failed && !r->is_managed();
      if (!r->is_managed()) {
        for (Node* n : r->running_on) s.nodes.push_back(n->uname);
        s.role = r->running_on.empty() ? Role::kStopped : r->role;
        s.failed = r->failed;
      } else {
        Role role = r->role;
        std::vector<Node*> nodes;
        for (Node* n : r->running_on) {
          if (std::find(ws.fenced.begin(), ws.fenced.end(), n) != ws.fenced.end()) continue;  // gone with the node
          Action* stop = find_task(r, "stop", n);
          bool stopped = stop && stop->in_graph;
          if (!stopped) nodes.push_back(n);
          else if (stop && !stop->in_graph) nodes.push_back(n);
        }
        if (!nodes.empty() && r->failed) {
          // A failed resource that is not stopped stays failed.
          s.failed = true;
        }
        Node* next = r->next_role == Role::kStopped ? nullptr : r->assigned;
        Action* start = next ? find_task(r, "start", next) : nullptr;
        if (start && start->in_graph) {
          if (std::find(nodes.begin(), nodes.end(), next) == nodes.end()) nodes.push_back(next);
          role = (r->clone_parent() && r->clone_parent()->promotable) ? Role::kUnpromoted : Role::kStarted;
          s.failed = false;
        }
        for (Node* n : r->running_on) {
          Action* demote = find_task(r, "demote", n);
          if (demote && demote->in_graph && role == Role::kPromoted &&
              std::find(nodes.begin(), nodes.end(), n) != nodes.end())
            role = Role::kUnpromoted;
        }
        if (next) {  // a promotion comes after any demotion
          Action* promote = find_task(r, "promote", next);
          if (promote && promote->in_graph) role = Role::kPromoted;
        }
        for (Node* n : r->running_on) {  // a demotion recovers an on-fail=demote failure
          Action* demote = find_task(r, "demote", n);
          auto f = r->on_fail_node.find(n);
          if (demote && demote->in_graph && f != r->on_fail_node.end() && f->second == "demote") s.failed = false;
        }
        if (nodes.empty()) role = Role::kStopped;
        if (role == Role::kStarted && r->clone_parent() && r->clone_parent()->promotable) role = Role::kUnpromoted;
        for (Node* n : nodes) s.nodes.push_back(n->uname);
        s.role = role;
      }
    }
    if (s.role == Role::kStarted && r->clone_parent() && r->clone_parent()->promotable) s.role = Role::kUnpromoted;
    return s;
  }
  s.kind = r->is_group() ? ResourceStatus::Kind::kGroup : ResourceStatus::Kind::kClone;
  s.promotable = r->promotable;
  s.unique = r->unique;
  s.clone_max = r->clone_max;
  if (r->is_clone() && !r->children.empty()) {
    Resource* c = r->children.front();
    s.agent = c->base_id;  // clone's child id, for "Clone Set: id [child]"
  }
  for (Resource* c : r->children) s.children.push_back(status_of(ws, c, after));
  return s;
}

}  // namespace

std::vector<std::string> transition_summary(WorkingSet& ws) {
  std::vector<std::string> out;
  // Newest fencing first, as the peer lists its node actions.
  for (auto it = ws.fenced.rbegin(); it != ws.fenced.rend(); ++it) {
    Node* n = *it;
    std::string how = ws.stonith_action, reason = n->fence_reason;
    if (const Action* st = ws.fencing_of(n)) {
      how = st->fence_action;
      reason = st->reason;
    }
    // A guest node is fenced by its container's recovery, which is named.
    std::string by = n->is_guest() ? " (resource: " + n->remote_rsc->container->id + ")" : "";
    out.push_back("Fence (" + how + ") " + n->uname + by + " '" + reason + "'");
  }
  ItemPrinter p;
  for (Resource* r : ws.resources) log_actions(ws, r, p);
  p.print(out);
  return out;
}

ClusterStatus cluster_status(WorkingSet& ws, bool after) {
  ClusterStatus st;
  for (const auto& [id, t] : ws.tickets)
    if (t.has_state) st.tickets.push_back(t);
  st.maintenance_mode = ws.maintenance_mode;
  for (Resource* top : ws.resources) {
    for (Resource* p : primitives_of(top)) {
      if (p->orphan && p->running_on.empty()) continue;
      ++st.instances;
      Resource* clone = p->clone_parent();
      // (An orphan's own "stopped" target is ours, not configuration.)
      if (!p->orphan && p->target_role && (*p->target_role == Role::kStopped ||
                             (*p->target_role == Role::kUnpromoted && clone && clone->promotable)))
        ++st.disabled;
      if (p->blocked) ++st.blocked;
    }
  }
  for (Node& n : ws.nodes) {
    NodeStatus ns;
    ns.kind = n.is_guest() ? NodeStatus::Kind::kGuest : n.remote ? NodeStatus::Kind::kRemote : NodeStatus::Kind::kCluster;
    if (n.is_guest())
      if (Node* host = n.remote_rsc->container->current_node()) ns.host = host->uname;
    ns.name = n.uname;
    ns.id = n.id;
    bool fenced = after && std::find(ws.fenced.begin(), ws.fenced.end(), &n) != ws.fenced.end();
    ns.online = n.online && !fenced;
    ns.standby = n.standby;
    ns.maintenance = n.maintenance;
    ns.unclean = n.unclean && !fenced;
    ns.pending = n.pending;
    ns.standby_onfail = n.standby_onfail;
    ns.shutdown = n.shutdown;
    ns.expected_up = n.expected_up;
    ns.feature_set = n.feature_set;
    if (fenced) { ns.online = false; ns.unclean = false; }
    if (after && n.remote && n.remote_rsc) {
      // Up once its connection (and a guest's container) runs, fenced or not.
      const Resource* conn = n.remote_rsc;
      ns.online = conn->assigned && conn->next_role != Role::kStopped &&
                  (!conn->container || conn->container->assigned);
      if (fenced) ns.unclean = false;
      if (n.is_guest())
        if (Node* host = conn->container->assigned) ns.host = host->uname;
    }
    if (n.standby && !after) ns.standby_with_resources = !n.running.empty();
    if (n.standby && after) {
      for (Resource* r : n.running) {
        if (!r->is_managed()) { ns.standby_with_resources = true; break; }
        Action* stop = nullptr;
        for (Action* a : r->actions) if (a->task == "stop" && a->node == &n) stop = a;
        if (!stop || !stop->in_graph) { ns.standby_with_resources = true; break; }
      }
    }
    st.nodes.push_back(ns);
  }
  for (Resource* r : ws.resources) {
    // A guest node's implicit connection is not configured: not listed (its
    // node is).
    auto internal = r->meta.find("internal_rsc");
    if (r->is_remote_node && r->container && internal != r->meta.end() && is_true(internal->second)) continue;
    ResourceStatus rs = status_of(ws, r, after);
    if (after && r->orphan && rs.nodes.empty()) continue;  // stopped orphans are gone
    st.resources.push_back(std::move(rs));
  }
  if (!after) {
    for (Resource& r : ws.resource_store) {
      for (auto& [n, id] : r.failed_ops) st.failed_actions.push_back({id, n->uname, ""});
    }
  }
  return st;
}

// ---------------------------------------------------------------------------
// Text formatting (crm_mon layout).

// Natural order for node names ("node2" < "node10"), case-insensitive: the
// peer's pcmk__numeric_strcasecmp (declared in working_set.h).
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (isdigit(static_cast<unsigned char>(a[i])) && isdigit(static_cast<unsigned char>(b[j]))) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      std::string x = a.substr(i, i2 - i), y = b.substr(j, j2 - j);
      while (x.size() > 1 && x[0] == '0') x.erase(0, 1);
      while (y.size() > 1 && y[0] == '0') y.erase(0, 1);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = i2;
      j = j2;
      continue;
    }
    char ca = static_cast<char>(tolower(a[i])), cb = static_cast<char>(tolower(b[j]));
    if (ca != cb) return ca < cb;
    ++i;
    ++j;
  }
  return (a.size() - i) < (b.size() - j);
}

namespace {

std::string flags_text(const ResourceStatus& r) {
  std::vector<std::string> f;
  if (r.disabled) f.push_back("disabled");
  if (!r.managed && !r.blocked) f.push_back("unmanaged");
  if (r.blocked) f.push_back("blocked");
  if (r.failure_ignored) f.push_back("failure ignored");
  if (f.empty()) return "";
  std::string s = " (";
  for (size_t i = 0; i < f.size(); ++i) s += (i ? ", " : "") + f[i];
  return s + ")";
}

void format_primitive(std::ostringstream& o, const ResourceStatus& r, const std::string& indent,
                      const std::map<std::string, const NodeStatus*>& nodes) {
  o << indent << "* " << r.id << "\t(" << r.agent << "):\t ";
  if (r.orphan) o << "ORPHANED ";
  if (r.nodes.empty()) {
    o << (r.failed ? "FAILED" : "Stopped");
  } else {
    // An operation in flight is shown instead of the role, as crm_mon does.
    static const std::map<std::string, std::string> kPendingText = {
        {"start", "Starting"}, {"stop", "Stopping"}, {"migrate_to", "Migrating"}, {"migrate_from", "Migrating"},
        {"promote", "Promoting"}, {"demote", "Demoting"}, {"monitor", "Monitoring"}};
    auto pending = kPendingText.find(r.pending_task);
    std::string role = r.failed ? "FAILED" : pending != kPendingText.end() ? pending->second : role_text(r.role);
    if (r.failed && r.role == Role::kPromoted) role = "FAILED Promoted";
    o << role << " ";
    if (r.nodes.size() > 1) {
      // Several nodes: the flags come before the node list.
      std::string f = flags_text(r);
      if (!f.empty()) o << f.substr(1) << " ";
      o << "[";
      for (const auto& n : r.nodes) o << " " << n;
      o << " ]\n";
      return;
    } else {
      o << r.nodes.front();
      auto it = nodes.find(r.nodes.front());
      if (it != nodes.end() && it->second->unclean) o << " (UNCLEAN)";
    }
  }
  o << flags_text(r) << "\n";
}

void format_resource(std::ostringstream& o, const ResourceStatus& r, const std::string& indent,
                     const std::vector<std::string>& all_nodes, const std::map<std::string, const NodeStatus*>& nodes) {
  if (r.kind == ResourceStatus::Kind::kPrimitive) {
    format_primitive(o, r, indent, nodes);
    return;
  }
  if (r.kind == ResourceStatus::Kind::kGroup) {
    o << indent << "* Resource Group: " << r.id << flags_text(r) << ":\n";
    for (const auto& c : r.children) format_resource(o, c, indent + "  ", all_nodes, nodes);
    return;
  }
  // The peer's clone header: one list of attributes.
  std::vector<std::string> attrs;
  if (r.promotable) attrs.push_back("promotable");
  if (r.unique) attrs.push_back("unique");
  if (!r.managed) attrs.push_back("unmanaged");
  if (r.disabled) attrs.push_back("disabled");
  std::string f;
  for (const auto& a : attrs) f += (f.empty() ? "" : ", ") + a;
  o << indent << "* Clone Set: " << r.id << " [" << r.agent << "]" << (f.empty() ? "" : " (" + f + ")") << ":\n";
  std::string in = indent + "  ";
  if (r.unique) {
    for (const auto& c : r.children) format_resource(o, c, in, all_nodes, nodes);
    return;
  }
  std::vector<std::string> promoted, started;
  std::set<std::string> active_nodes;
  int active_instances = 0;
  for (const auto& c : r.children) {
    // Summarise an instance when it is on one node, healthy and managed.
    std::vector<const ResourceStatus*> prims;
    if (c.kind == ResourceStatus::Kind::kPrimitive) prims.push_back(&c);
    else for (const auto& m : c.children) prims.push_back(&m);
    bool simple = true;
    std::set<std::string> where;
    Role role = Role::kStopped;
    bool any_active = false, all_active = true;
    for (const auto* p : prims) {
      if (p->failed || !p->managed || p->nodes.size() > 1) simple = false;
      if (p->nodes.empty()) all_active = false;
      else { any_active = true; where.insert(p->nodes.front()); if (p->role > role) role = p->role; }
    }
    if (any_active && !all_active) simple = false;
    if (where.size() > 1) simple = false;
    for (const auto& w : where) active_nodes.insert(w);
    if (!any_active) continue;
    ++active_instances;
    if (!simple) {
      if (c.kind == ResourceStatus::Kind::kPrimitive) {
        format_primitive(o, c, in, nodes);
      } else {
        format_resource(o, c, in, all_nodes, nodes);
      }
      continue;
    }
    if (role == Role::kPromoted) promoted.push_back(*where.begin());
    else started.push_back(*where.begin());
  }
  auto list = [&](const std::string& label, std::vector<std::string> v) {
    if (v.empty()) return;
    std::sort(v.begin(), v.end(), natural_less);
    o << in << "* " << label << ": [";
    for (const auto& n : v) o << " " << n;
    o << " ]\n";
  };
  list("Promoted", promoted);
  list(r.promotable ? "Unpromoted" : "Started", started);
  // Where instances could still run: listed only while fewer than clone-max are active.
  if (r.clone_max > 0 && active_instances >= r.clone_max) return;
  std::vector<std::string> stopped;
  for (const auto& n : all_nodes)
    if (!active_nodes.count(n)) stopped.push_back(n);
  list(r.disabled ? "Stopped (disabled)" : "Stopped", stopped);
}

}  // namespace

std::string format_node_list(const std::vector<NodeStatus>& nodes_in, const std::string& indent) {
  std::ostringstream o;
  std::vector<const NodeStatus*> nodes;
  for (const auto& n : nodes_in) nodes.push_back(&n);
  std::stable_sort(nodes.begin(), nodes.end(), [](auto* a, auto* b) { return natural_less(a->name, b->name); });
  std::vector<std::string> online, offline, remote_online, remote_offline, guest_online;
  for (const auto* n : nodes) {
    std::string head = indent + "* " + n->kind_label() + " " + n->name + ": ";
    if (n->unclean) {
      o << head << "UNCLEAN (" << (n->online ? "online" : "offline") << ")\n";
    } else if (n->pending) {
      o << head << "pending\n";
    } else if (n->standby) {
      if (n->online) o << head << "standby" << (n->standby_with_resources ? " (with active resources)" : "") << "\n";
      else o << head << "OFFLINE (standby)\n";
    } else if (n->maintenance) {
      o << head << (n->online ? "maintenance" : "OFFLINE (maintenance)") << "\n";
    } else if (n->online) {
      (n->kind == NodeStatus::Kind::kGuest ? guest_online : n->kind == NodeStatus::Kind::kRemote ? remote_online : online)
          .push_back(n->name);
    } else if (n->kind != NodeStatus::Kind::kGuest) {
      (n->kind == NodeStatus::Kind::kRemote ? remote_offline : offline).push_back(n->name);
    }
  }
  auto list = [&](const char* label, const std::vector<std::string>& v) {
    if (v.empty()) return;
    o << indent << "* " << label << ": [";
    for (const auto& n : v) o << " " << n;
    o << " ]\n";
  };
  list("Online", online);
  list("OFFLINE", offline);
  list("RemoteOnline", remote_online);
  list("RemoteOFFLINE", remote_offline);
  list("GuestOnline", guest_online);
  return o.str();
}

std::string format_cluster_status(const ClusterStatus& st, bool with_failed_actions) {
  std::ostringstream o;
  o << "  * Node List:\n";
  o << format_node_list(st.nodes, "    ");
  std::vector<std::string> all;
  std::map<std::string, const NodeStatus*> by_name;
  {
    std::vector<const NodeStatus*> nodes;
    for (const auto& n : st.nodes) nodes.push_back(&n);
    std::stable_sort(nodes.begin(), nodes.end(), [](auto* a, auto* b) { return natural_less(a->name, b->name); });
    for (const auto* n : nodes) {
      all.push_back(n->name);
      by_name[n->name] = n;
    }
  }
  o << "\n  * Full List of Resources:\n";
  if (st.resources.empty()) o << "    * No resources\n";
  for (const auto& r : st.resources) format_resource(o, r, "    ", all, by_name);
  (void)with_failed_actions;
  return o.str();
}

}  // namespace crm::pengine
