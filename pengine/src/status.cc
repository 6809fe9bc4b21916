// Unpacking the status section: node membership states, transient node
// attributes (fail counts, standby, promotion scores) and each resource's
// current role on each node from its operation history.
#include <algorithm>
#include <cstring>

#include "crm/core/transition_key.h"
#include "crm/core/xml.h"
#include "working_set.h"

namespace crm::pengine {
namespace {

int to_int(const std::string& s, int def) {
  if (s.empty()) return def;
  char* end = nullptr;
  long v = strtol(s.c_str(), &end, 10);
  return end == s.c_str() ? def : static_cast<int>(v);
}

void unpack_node_state(WorkingSet& ws, Node& node, xmlNode* state) {
  node.unseen = false;
  std::string in_ccm = xml::attr_or(state, "in_ccm", "false");
  std::string crmd = xml::attr_or(state, "crmd", "offline");
  std::string join = xml::attr_or(state, "join", "down");
  std::string expected = xml::attr_or(state, "expected", "");
  bool in_cluster = is_true(in_ccm) || (!in_ccm.empty() && isdigit(static_cast<unsigned char>(in_ccm[0])) && in_ccm != "0");
  bool crmd_online = crmd == "online" || (!crmd.empty() && isdigit(static_cast<unsigned char>(crmd[0])) && crmd != "0");
  node.expected_up = expected == "member";
  node.feature_set = xml::attr_or(state, "feature_set");

  // Transient attributes.
  if (xmlNode* ta = xml::first_child(state, "transient_attributes")) {
    for (auto& [k, v] : unpack_nvpairs(ws, ta, "instance_attributes", &node)) node.attrs[k] = v;
  }
  auto attr = [&](const char* n) { return node_attr(&node, n); };
  node.shutdown = node.shutdown_requested();
  if (is_true(attr("standby"))) node.standby = true;
  if (is_true(attr("maintenance"))) node.maintenance = true;
  bool terminate = is_true(attr("terminate")) || (!attr("terminate").empty() && attr("terminate") != "0" &&
                                                   isdigit(static_cast<unsigned char>(attr("terminate")[0])));

  if (!ws.stonith_enabled) {
    // Without fencing, a node is online only when fully joined; otherwise it is
    // assumed cleanly down.
    node.unclean = false;
    if (in_cluster && crmd_online && join == "member") node.online = true;
    else if (in_cluster && crmd_online && (join == "pending" || join == "welcomed" || join == "integrated")) {
      node.pending = true;
    } else {
      node.online = false;
    }
    if (join == "banned") node.online = false;
    return;
  }
  // With fencing (the peer's criteria, in this order).
  node.unclean = false;
  bool has_in_ccm = xml::attr(state, "in_ccm").has_value();
  std::string exp_state = expected.empty() ? "down" : expected;
  auto fence = [&](const char* why) {
    node.unclean = true;
    node.fence_reason = why;
  };
  if (node.shutdown) {
    node.online = crmd_online;  // a dead peer cannot be shut down
  } else if (!has_in_ccm) {
    fence("peer has not been seen by the cluster");
  } else if (join == "banned") {
    node.online = in_cluster;  // online as corosync sees it, but to be fenced
    fence("peer failed Pacemaker membership criteria");
  } else if (!terminate && exp_state == "down") {
    if (in_cluster || crmd_online) {
      node.pending = true;
      node.online = in_cluster;
    }
  } else if (terminate && join == "down" && !in_cluster && !crmd_online) {
    node.online = false;  // just shot
  } else if (!in_cluster) {
    fence("peer is no longer part of the cluster");
  } else if (!crmd_online) {
    node.online = true;
    fence("peer process is no longer available");
  } else if (terminate) {
    node.online = true;
    fence("termination was requested");
  } else if (join == "member") {
    node.online = true;
  } else if (join == "pending" || join == "down") {
    node.online = true;
    node.pending = true;
  } else {
    node.online = true;
    fence("peer was in an unknown state");
  }
  if (node.pending) {
    node.pending_in_cluster = node.online && !node.unclean;
    node.online = false;
  }
}

// An attribute's text (as xml::attr() reads it, without a copy through libxml2
// for the usual single text child).
std::string attr_text(const xmlNode* x, const xmlAttr* a) {
  const xmlNode* c = a->children;
  if (!c) return "";
  if (c->type == XML_TEXT_NODE && !c->next && c->content) return reinterpret_cast<const char*>(c->content);
  xmlChar* v = xmlNodeListGetString(x->doc, c, 1);
  std::string out = v ? reinterpret_cast<char*>(v) : "";
  xmlFree(v);
  return out;
}

enum OpField { kId, kOperation, kInterval, kCallId, kRc, kOpStatus, kLastRcChange, kLastRun, kDigest, kKey, kFields };
constexpr const char* kOpFieldNames[kFields] = {"id",        "operation",      "interval", "call-id",   "rc-code",
                                                "op-status", "last-rc-change", "last-run", "op-digest", "transition-key"};

// The attribute names of an operation record as the document's dictionary
// holds them: libxml2 stores each element and attribute name once per
// document, so a name matches by pointer (no dictionary: by text).
struct OpFieldNames {
  const xmlChar* interned[kFields] = {};
  bool by_pointer = false;
  explicit OpFieldNames(const xmlDoc* doc) {
    if (!doc || !doc->dict) return;
    by_pointer = true;
    for (int f = 0; f < kFields; ++f) interned[f] = xmlDictExists(doc->dict, BAD_CAST kOpFieldNames[f], -1);
  }
  int field_of(const xmlChar* name) const {
    for (int f = 0; f < kFields; ++f) {
      if (by_pointer ? name == interned[f] : xmlStrEqual(name, BAD_CAST kOpFieldNames[f])) return f;
    }
    return -1;
  }
};

// One pass over the record's attributes: a status section holds tens of
// thousands of records, and looking each name up separately scans them all.
OpRecord read_op(WorkingSet& ws, xmlNode* x, const OpFieldNames& names) {
  // Values point into the document (the usual single text child) or, for
  // attributes libxml2 keeps as several nodes, into the working set's
  // joined_attribute_values.
  const char* v[kFields] = {};
  for (const xmlAttr* a = x->type == XML_ELEMENT_NODE ? x->properties : nullptr; a; a = a->next) {
    int f = names.field_of(a->name);
    if (f < 0 || v[f]) continue;
    const xmlNode* c = a->children;
    if (!c) {
      v[f] = "";
    } else if (c->type == XML_TEXT_NODE && !c->next && c->content) {
      v[f] = reinterpret_cast<const char*>(c->content);
    } else {
      v[f] = ws.joined_attribute_values.emplace_back(attr_text(x, a)).c_str();
    }
  }
  auto number = [&](int f) -> int {
    if (!v[f] || !*v[f]) return 0;
    char* end = nullptr;
    long n = strtol(v[f], &end, 10);
    return end == v[f] ? 0 : static_cast<int>(n);
  };
  OpRecord op;
  op.xml = x;
  if (v[kId]) op.id = v[kId];
  if (v[kOperation]) op.operation = v[kOperation];
  op.interval_ms = number(kInterval);
  op.call_id = number(kCallId);
  op.rc = number(kRc);
  op.op_status = number(kOpStatus);
  op.last_rc_change = number(v[kLastRcChange] ? kLastRcChange : kLastRun);
  if (v[kDigest]) op.op_digest = v[kDigest];
  op.target_rc = 0;
  // transition-key: action:transition:target_rc:uuid
  if (const char* key = v[kKey]) op.target_rc = transition_key_target_rc(key).value_or(0);
  return op;
}

const OpConfig* find_op_config(const Resource* r, const std::string& task, long interval) {
  for (const OpConfig& c : r->ops)
    if (c.name == task && c.interval_ms == interval) return &c;
  return nullptr;
}

std::string effective_on_fail(WorkingSet& ws, Resource* r, const OpRecord& op) {
  std::string task(op.operation);
  long interval = op.interval_ms;
  if (task == "monitor" && interval == 0) {
    // Probes use the on-fail of the first recurring monitor? The peer uses defaults.
  }
  std::string configured;
  if (const OpConfig* c = find_op_config(r, task, interval); c && !c->on_fail.empty()) configured = c->on_fail;
  else if (auto it = ws.op_defaults.find("on-fail"); it != ws.op_defaults.end()) configured = it->second;
  // A remote connection's failure that drops a live connection fences its
  // node by default (not a probe's, which is expected, nor a start's, after
  // which no connection existed); an unmanaged connection is just stopped.
  // In a container (a guest's connection, a filler): the container restarts.
  if (configured == "restart-container" && !r->container) configured.clear();
  if (configured.empty() && r->container) return "restart-container";
  if ((configured.empty() || !r->is_managed()) && r->is_remote_node && !r->container && task != "start" &&
      !(task == "monitor" && interval == 0)) {
    return r->is_managed() ? "reset-remote" : "stop";
  }
  if (!configured.empty()) return configured;
  if (task == "stop") return ws.stonith_enabled ? "fence" : "block";
  if (task == "demote") {
    // Default for demote failure is to use the promote/monitor's restart behaviour.
    return "restart";
  }
  return "restart";
}

int on_fail_rank(const std::string& f) {
  // Which on-fail wins when several failures are recorded (peer's enum order).
  if (f == "ignore") return 0;
  if (f == "demote") return 1;
  if (f == "restart") return 2;
  // Above restart, below the rest (the peer's cmp_on_fail).
  if (f == "reset-remote") return 3;
  if (f == "restart-container") return 4;
  if (f == "stop") return 5;
  if (f == "standby") return 6;
  if (f == "block") return 7;
  if (f == "fence") return 8;
  return 2;
}

// Orders a history by call id, pending calls (-1) last. Histories are
// usually written in call order already: std::stable_sort would allocate a
// temporary buffer of records for each of the hundred thousand histories of
// a large status section, so it runs only when the order is not right yet.
void sort_history(std::vector<OpRecord>& ops) {
  auto by_call = [](const OpRecord& a, const OpRecord& b) {
    int ca = a.call_id < 0 ? INT32_MAX : a.call_id;
    int cb = b.call_id < 0 ? INT32_MAX : b.call_id;
    return ca < cb;
  };
  if (!std::is_sorted(ops.begin(), ops.end(), by_call)) std::stable_sort(ops.begin(), ops.end(), by_call);
}

// Applies the operation history of one resource on one node; `ops` is
// sorted by sort_history().
void unpack_history(WorkingSet& ws, Resource* r, Node* node, const std::vector<OpRecord>& ops) {
  Role role = Role::kUnknown;
  std::string on_fail = "ignore";
  bool failed = false;
  bool pending = false;
  const OpRecord* last_failure = nullptr;
  for (const OpRecord& op : ops) {
    if (op.op_status == 1) continue;  // cancelled
    if (op.pending()) {
      // A migrate_to in flight: still active on the source (its record replaced the start's).
      if (op.operation == "start" || op.operation == "migrate_from" || op.operation == "migrate_to") role = Role::kStarted;
      else if (op.operation == "promote") role = Role::kPromoted;
      else if (op.operation == "demote") role = Role::kPromoted;
      else if (op.operation == "stop" && role == Role::kUnknown) role = Role::kStarted;
      else if (op.operation == "monitor" && op.interval_ms == 0) { /* pending probe: unknown */ }
      // A pending probe says nothing about where the resource is (the peer
      // neither shows it nor ties an instance number to the node for it).
      if (!(op.operation == "monitor" && op.interval_ms == 0)) {
        pending = true;
        if (r->pending_task.empty()) r->pending_task = std::string(op.operation);
      }
      continue;
    }
    bool probe = op.operation == "monitor" && op.interval_ms == 0;
    int expected = op.target_rc;
    if (probe) expected = 7;
    // Expired failures (failure-timeout) are ignored for recurring monitors.
    bool expired = false;
    if (r->failure_timeout_s > 0 && op.rc != expected && op.last_rc_change > 0 &&
        op.last_rc_change + r->failure_timeout_s <= ws.now) {
      expired = true;
    }
    // A remote connection's monitor failure (reconnect_interval) does not
    // expire before its node was fenced: the monitor reports only changes,
    // so a connection still failing would go unnoticed (the peer's
    // should_ignore_failure_timeout).
    if (expired && r->remote_reconnect_ms > 0 && ws.stonith_enabled && op.interval_ms > 0 &&
        op.operation == "monitor" && r->remote_node && !r->remote_node->remote_was_fenced)
      expired = false;
    bool success;
    int rc = op.rc;
    int status = op.op_status;
    if (status == 0 || status == 4) {
      if (probe) {
        success = rc == 7 || rc == 0 || rc == 8;
      } else if (rc == 7 && op.operation == "monitor") {
        // Not running: expected, or an unmanaged resource simply stopped.
        success = expected == 7 || !r->is_managed();
      } else {
        success = rc == expected || (rc == 0 && expected == 0) || (op.operation == "monitor" && rc == 8 && expected == 0) ||
                  (op.operation == "monitor" && rc == 0 && expected == 8);
      }
    } else {
      success = false;
    }
    if (rc == 190) { success = true; rc = 0; }
    if (rc == 191) { success = true; rc = 8; }
    if (success) {
      if (op.operation == "start") { role = Role::kStarted; if (on_fail != "stop" && on_fail != "fence" && on_fail != "standby") { on_fail = "ignore"; failed = false; } }
      else if (op.operation == "stop") { role = Role::kStopped; if (on_fail != "fence" && on_fail != "standby") { on_fail = "ignore"; failed = false; } }
      else if (op.operation == "promote") { role = Role::kPromoted; if (on_fail == "restart" || on_fail == "block" || on_fail == "demote") { on_fail = "ignore"; failed = false; } }
      else if (op.operation == "demote") { role = Role::kUnpromoted; if (on_fail == "restart" || on_fail == "block" || on_fail == "demote") { on_fail = "ignore"; failed = false; } }
      else if (op.operation == "migrate_from") { role = Role::kStarted; }
      else if (op.operation == "migrate_to") { role = Role::kStarted; }
      else if (op.operation == "monitor") {
        if (rc == 7) {
          role = Role::kStopped;
          on_fail = "ignore";
          failed = false;
        } else if (rc == 8) {
          role = Role::kPromoted;
        } else if (role == Role::kUnknown || role == Role::kStopped || (role == Role::kPromoted && !probe && op.interval_ms > 0 && rc == 0 && expected == 0)) {
          role = (role == Role::kPromoted) ? Role::kUnpromoted : Role::kStarted;
        }
      }
      continue;
    }
    // A failure.
    // Expired monitor failures are ignored, except those that blocked the resource.
    if (expired && op.operation == "monitor" && effective_on_fail(ws, r, op) != "block") continue;
    // A stop that found the agent missing, on a node that cannot be fenced:
    // nothing more can be done; the peer takes the resource as not running.
    if (rc == 5 && (probe || (op.operation == "stop" && !ws.can_fence(*node)))) {
      // Not installed: the resource cannot run here; it is not active.
      r->hard_banned.insert(node);
      if (role == Role::kUnknown) role = Role::kStopped;
      r->failed_ops.push_back({node, std::string(op.id)});
      continue;
    }
    last_failure = &op;
    r->failed_ops.push_back({node, std::string(op.id)});
    std::string f = effective_on_fail(ws, r, op);
    if (status == 7 && f == "ignore") f = "restart";  // a missing agent cannot be ignored
    if (f == "restart-container" && op.operation == "stop") {
      // A failed stop inside a container is taken as done: restarting the
      // container stops it for sure (the peer pretends the stop succeeded).
      role = Role::kStopped;
      r->failure_ignored = true;
      r->failed = true;
      if (on_fail_rank(on_fail) <= on_fail_rank("restart")) on_fail = f;
      failed = true;
      continue;
    }
    // Hard errors: by execution status, or by agent result when the
    // operation completed (an execution error keeps the result as is).
    bool done = status == 0;
    if (status == 3 || status == 5 || status == 7 ||
        (done && (rc == 2 || rc == 4 || rc == 5 || (rc == 3 && op.interval_ms == 0)))) {
      r->hard_banned.insert(node);
    }
    if (status == 6 || (done && rc == 6)) r->unrunnable_everywhere = true;
    if (on_fail_rank(f) > on_fail_rank(on_fail) || on_fail == "ignore") on_fail = f;
    if (f == "ignore") {
      if (op.operation == "start" || (op.operation == "monitor" && rc != 7)) role = rc == 8 || rc == 9 ? Role::kPromoted : Role::kStarted;
      continue;
    }
    failed = true;
    if (op.operation == "stop") { role = Role::kStarted; r->stop_failed = true; r->banned.insert(node); }
    else if (op.operation == "promote") role = Role::kPromoted;
    else if (op.operation == "demote") role = (f == "block") ? Role::kPromoted : Role::kUnpromoted;
    else if (op.operation == "monitor" && (rc == 8 || rc == 9)) role = Role::kPromoted;
    else if (role == Role::kUnknown || role == Role::kStopped) role = Role::kStarted;
  }
  (void)last_failure;
  if (pending) r->pending_on.push_back(node);
  if (role == Role::kUnknown) role = Role::kStopped;
  bool active = role != Role::kStopped;
  if (active && !node->online && !node->maintenance && r->is_managed()) {
    // Active on a node that is down: it must be fenced (a guest node by
    // recovering its container, whatever stonith-enabled says). A remote
    // node's fencing is revoked if its connection comes up elsewhere in
    // this transition (unseen: see assign.cc), unless the connection failed.
    if (node->is_guest()) {
      r->failed = true;
      fence_node(*node, r->id + " is thought to be active there");
    } else if (ws.stonith_enabled) {
      std::string why = r->id + " is thought to be active there";
      if (node->remote && node->remote_rsc && !node->remote_rsc->failed) {
        node->unseen = true;
        why = r->id + " is active there (fencing will be revoked if remote connection can be re-established elsewhere)";
      }
      fence_node(*node, why);
    }
  }
  if (active) {
    r->running_on.push_back(node);
    node->running.push_back(r);
    if (node->maintenance) r->maintenance = true;  // left alone on a node in maintenance
    if (r->role == Role::kStopped || role > r->role) r->role = role;
  }
  if (failed && on_fail == "ignore") r->failure_ignored = true;
  if (failed && on_fail != "ignore") {
    r->on_fail_node[node] = on_fail;
    // On a node that will be fenced anyway, failures need no extra handling
    // (this also lets the resource start elsewhere once the node is shot).
    std::string f = node->unclean ? "ignore" : on_fail;
    if (f == "block") {
      r->blocked = true;
      r->managed = false;
    } else if (f == "fence") {
      fence_node(*node, r->id + " failed there");
    } else if (f == "restart-container") {
      if (r->container) r->container->restart_required = true;
    } else if (f == "reset-remote") {
      // A remote connection that failed other than by starting: its node is
      // fenced (once since it last connected), and with reconnect_interval
      // the connection stays down until the failure expires.
      r->failed = true;
      if (ws.stonith_enabled && r->remote_node && !r->remote_node->is_guest() && !r->remote_node->remote_was_fenced)
        fence_node(*r->remote_node, "remote connection is unrecoverable");
      if (r->remote_reconnect_ms > 0) r->target_role = Role::kStopped;
    } else if (f == "standby") {
      node->standby = true;
      node->standby_onfail = true;
    } else if (f == "stop") {
      r->target_role = Role::kStopped;
    }
    if (active && f != "ignore") r->failed = true;
  }
  // A failed connection of an unclean remote node: that node is fenced even
  // if the connection comes back elsewhere in this transition.
  if (r->failed && r->is_remote_node && r->remote_node && r->remote_node->unclean) r->remote_node->unseen = false;
}

// The peer's instance matching for anonymous clones: reuse the instance
// already active on this node, else the first instance inactive everywhere.
Resource* find_anonymous_instance(WorkingSet& ws, Resource* clone, Node* node, const std::string& base) {
  Resource* inactive = nullptr;
  bool skip_inactive = false;  // a second history of an active instance: it is an orphan
  for (Resource* inst : clone->children) {
    std::vector<Resource*> prims = primitives_of(inst);
    bool active_somewhere = false;
    bool here = false;
    for (Resource* p : prims) {
      for (Node* n : p->running_on) { active_somewhere = true; if (n == node) here = true; }
      for (Node* n : p->pending_on) { active_somewhere = true; if (n == node) here = true; }
    }
    Resource* match = nullptr;
    for (Resource* p : prims) if (p->base_id == base) match = p;
    if (active_somewhere) {
      if (here && match) {
        // Its history here was already read from another entry: this entry
        // is a second active copy on the node (an orphan instance).
        if (std::find(match->running_on.begin(), match->running_on.end(), node) != match->running_on.end() &&
            match->known_on(node)) {
          skip_inactive = true;
          continue;
        }
        return match;
      }
    } else if (!skip_inactive && !inactive && match && !match->blocked) {
      inactive = match;
    }
  }
  return skip_inactive ? nullptr : inactive;
}

Resource* make_orphan(WorkingSet& ws, const std::string& id, xmlNode* lrm_rsc) {
  Resource* r = ws.new_resource();
  r->id = r->base_id = id;
  r->kind = Kind::kPrimitive;
  r->orphan = true;
  r->cls = xml::attr_or(lrm_rsc, "class");
  r->provider = xml::attr_or(lrm_rsc, "provider");
  r->type = xml::attr_or(lrm_rsc, "type");
  r->meta = ws.rsc_defaults;
  r->managed = ws.stop_orphans && !ws.maintenance_mode;
  r->target_role = Role::kStopped;
  ws.rsc_by_id[id] = r;
  ws.resources.push_back(r);
  return r;
}

Resource* find_for_history(WorkingSet& ws, Node* node, const std::string& id, xmlNode* lrm_rsc) {
  Resource* r = ws.find_rsc(id);
  std::string base = id;
  if (auto colon = id.rfind(':'); colon != std::string::npos) base = id.substr(0, colon);
  Resource* clone = nullptr;
  if (r && r->is_primitive()) {
    clone = r->clone_parent();
    if (clone && clone->unique) return r;
    if (!clone) return r;
  } else if (r && r->is_clone()) {
    clone = r;  // plain id of an anonymous clone's primitive
  } else if (r) {
    return nullptr;  // no longer a primitive
  } else {
    Resource* zero = ws.find_rsc(base + ":0");
    if (zero && zero->is_primitive()) {
      clone = zero->clone_parent();
      if (clone && clone->unique) clone = nullptr;
    }
    if (!clone) {
      Resource* b = ws.find_rsc(base);
      if (b && b->is_clone() && !b->unique) clone = b;
    }
  }
  if (clone && !clone->unique) {
    Resource* inst = find_anonymous_instance(ws, clone, node, base);
    // An instance that does not need fencing, seen on a node that is down or
    // unclean, must not use up an instance number that a clean node may need
    // (unless every node gets an instance): it counts as an orphan.
    bool every_node = clone->clone_max == static_cast<int>(ws.nodes.size());
    if (inst && !inst->needs_fencing && (!node->online || node->unclean) && !every_node) inst = nullptr;
    if (inst) return inst;
    // More active instances than configured: an orphan instance.
    // An orphan instance number on this node that does not have this member
    // yet is the same (cloned group) instance; otherwise a new number.
    int number = -1;
    for (auto& o : ws.clone_orphans) {
      if (o.clone == clone && o.node == node && !o.bases.count(base)) {
        number = o.number;
        o.bases.insert(base);
        break;
      }
    }
    if (number < 0) {
      // The clone's next instance number (the peer counts per clone).
      number = static_cast<int>(clone->children.size());
      for (const auto& o : ws.clone_orphans)
        if (o.clone == clone) number = std::max(number, o.number + 1);
      ws.clone_orphans.push_back({clone, node, number, {base}});
    }
    std::string oid = base + ":" + std::to_string(number);
    Resource* o = make_orphan(ws, oid, lrm_rsc);
    // Its graph keys name it as its history does ("db_stop_0" for "db"), its
    // instance number in the internal key, as any anonymous instance's.
    o->base_id = base;
    if (id != oid) o->clone_name = id;
    clone->orphan_instances.push_back(o);
    // An extra instance of a configured clone: managed as the clone is
    // (stop-orphan-resources is about resources no longer configured), and
    // with what its configured instances require (requires=quorum: its stop
    // on a node being fenced does not wait for the fencing).
    o->managed = clone->managed && !ws.maintenance_mode;
    for (Resource* p : primitives_of(clone)) {
      if (p->base_id != base) continue;
      o->requires_ = p->requires_;
      o->needs_fencing = p->needs_fencing;
      break;
    }
    return o;
  }
  if (!r) return make_orphan(ws, id, lrm_rsc);
  return r;
}

}  // namespace

namespace {

// The newest completed operation of a history that is not a monitor: what
// says where the resource is.
const OpRecord* last_state_op(const std::vector<OpRecord>* ops) {
  const OpRecord* last = nullptr;
  if (!ops) return last;
  for (const OpRecord& op : *ops)
    if (op.op_status != 1 && !op.pending() && op.operation != "monitor") last = &op;
  return last;
}

// Whether the history on a node has a newer state than `after` (an operation
// on that node, or on another when `same_node` is false: then compared by
// the time of its result): an operation other than a monitor, or a monitor
// that found the resource stopped (the peer's newer_state_after_migrate).
bool newer_state(const std::vector<OpRecord>* ops, const OpRecord* after, bool same_node) {
  if (!ops || !after) return false;
  // The peer's pe__is_newer_op: by call id on one node; across nodes by the
  // time of the result, when both recorded one.
  auto newer = [&](const OpRecord& op) {
    if (same_node) return op.call_id > after->call_id;
    return op.call_id >= 0 && after->call_id >= 0 && op.last_rc_change > 0 && after->last_rc_change > 0 &&
           op.last_rc_change > after->last_rc_change;
  };
  for (const OpRecord& op : *ops) {
    if (&op == after || op.op_status == 1 || op.pending()) continue;
    bool state_op = op.operation == "start" || op.operation == "stop" || op.operation == "migrate_to" ||
                    op.operation == "migrate_from";
    if ((state_op || (op.operation == "monitor" && op.rc == 7)) && newer(op)) return true;
  }
  return false;
}

std::string op_attr(const OpRecord& op, const char* name) { return xml::attr_or(op.xml, name); }

// Live migrations in the histories (the peer's unpack_migrate_to_success):
// where a migrate_to succeeded on the source and the source did nothing
// since, the migrate_from on the target says how far it got. Completed: the
// resource runs on the target and is stopped on the source for sure (a
// dangling migration, stopped again); failed: it may run on both; not done
// (yet): it runs on both and the migration may go on (a partial migration).
void unpack_migrations(WorkingSet& ws) {
  for (Resource& r : ws.resource_store) {
    if (!r.is_primitive() || r.running_on.empty()) continue;
    const std::vector<Node*> active = r.running_on;
    for (Node* source : active) {
      const OpRecord* mt = last_state_op(r.history_on(source));
      if (!mt || mt->operation != "migrate_to" || mt->rc != 0 || mt->op_status != 0) continue;
      Node* target = ws.find_node(op_attr(*mt, "migrate_target"));
      if (!target || target == source || op_attr(*mt, "migrate_source") != source->uname) continue;
      const std::vector<OpRecord>* on_target = r.history_on(target);
      const OpRecord* mf = nullptr;
      if (on_target)
        for (const OpRecord& op : *on_target)
          if (op.operation == "migrate_from" && op_attr(op, "migrate_source") == source->uname) mf = &op;
      const bool target_newer = mf ? newer_state(on_target, mf, true) : newer_state(on_target, mt, false);
      auto add_running = [&](Node* n) {
        if (std::find(r.running_on.begin(), r.running_on.end(), n) != r.running_on.end()) return;
        r.running_on.push_back(n);
        n->running.push_back(&r);
      };
      if (mf && !mf->pending() && mf->rc == 0 && mf->op_status == 0) {
        // Migrated: stopped on the source (which is told to stop again).
        r.running_on.erase(std::find(r.running_on.begin(), r.running_on.end(), source));
        source->running.erase(std::find(source->running.begin(), source->running.end(), &r));
        r.dangling_migrations.push_back(source);
        if (r.running_on.empty()) r.role = Role::kStopped;
      } else if (mf && !mf->pending()) {
        // migrate_from failed: the resource may be active on the target too.
        if (!target_newer && target->online) {
          add_running(target);
        } else {
          r.failed = true;
          r.allow_migrate = false;
        }
      } else if (!target_newer && target->online) {
        // Under way, or done but its result lost: active on both.
        add_running(target);
        if (source->online) {
          r.partial_source = source;
          r.partial_target = target;
        }
      } else {
        r.failed = true;
        r.allow_migrate = false;
      }
    }
  }
}

// A remote or guest node's online state follows its connection resource
// (and a guest's container), once their histories are read (the peer's
// determine_remote_online_status).
void remote_online_status(Node& node) {
  Resource* rsc = node.remote_rsc;
  if (!rsc) {
    node.online = false;
    return;
  }
  Resource* container = rsc->container;
  Node* host = container && rsc->running_on.size() == 1 ? rsc->running_on.front() : nullptr;
  if (rsc->role == Role::kStarted) node.online = true;
  if (rsc->role == Role::kStarted && rsc->target_role == Role::kStopped) node.shutdown = true;
  if (container && container->failed) {
    node.online = false;
    node.remote_requires_reset = true;
  } else if (rsc->failed) {
    node.online = false;
  } else if (rsc->role == Role::kStopped || (container && container->role == Role::kStopped)) {
    node.online = false;
    node.remote_requires_reset = false;
  } else if (host && !host->online && host->unclean) {
    node.online = false;
    node.remote_requires_reset = true;
  }
}

// A remote or guest node's own state, read once its connection is known
// (the peer's unpack_handle_remote_attrs).
void unpack_remote_node_state(WorkingSet& ws, Node& node, xmlNode* state) {
  if (!node.remote_requires_reset) {
    node.unclean = false;
    node.unseen = false;
  }
  if (xmlNode* ta = xml::first_child(state, "transient_attributes")) {
    for (auto& [k, v] : unpack_nvpairs(ws, ta, "instance_attributes", &node)) node.attrs[k] = v;
  }
  if (node.shutdown_requested()) node.shutdown = true;
  if (is_true(node_attr(&node, "standby"))) node.standby = true;
  if (is_true(node_attr(&node, "maintenance")) || (node.remote_rsc && !node.remote_rsc->is_managed()))
    node.maintenance = true;
  std::string discovery = node_attr(&node, "resource-discovery-enabled");
  if (!discovery.empty() && !is_true(discovery)) {
    // Only where nothing can be left unnoticed: a guest node (fenced by its
    // container's recovery) or a remote node with fencing.
    if (!node.is_guest() && !ws.stonith_enabled) {
      ws.warnings.push_back("ignoring resource-discovery-enabled on Pacemaker Remote node " + node.uname +
                            " because fencing is disabled");
    } else {
      node.rsc_discovery_enabled = false;
    }
  }
}

}  // namespace

Status unpack_status(WorkingSet& ws) {
  xmlNode* status = xml::first_child(xml::root(ws.doc), "status");
  unpack_ticket_states(ws);
  std::vector<std::pair<Node*, xmlNode*>> states;
  for (xmlNode* st : xml::children(status, "node_state")) {
    std::string id = xml::attr_or(st, "id");
    Node* node = ws.node_by_id.count(id) ? ws.node_by_id[id] : ws.find_node(xml::attr_or(st, "uname"));
    if (!node) continue;
    states.push_back({node, st});
    if (node->remote) {
      // Its online state depends on its connection's history, read later.
      std::string fenced = xml::attr_or(st, "node_fenced", "0");
      node->remote_was_fenced = !fenced.empty() && fenced != "0";
      continue;
    }
    unpack_node_state(ws, *node, st);
    if (node->online && !ws.have_quorum && ws.no_quorum_policy == "suicide" && !node->unclean) {
      node->unclean = true;
      node->fence_reason = "cluster does not have quorum";
    }
  }
  for (Node& n : ws.nodes) {
    if (n.remote) continue;  // unclean until seen, from link_remote_nodes
    if (n.unseen) {
      n.online = false;
      if (ws.stonith_enabled && ws.startup_fencing) {
        n.unclean = true;
        n.fence_reason = "node is unclean";
      } else {
        n.unclean = false;
      }
    }
    if (n.unclean && n.fence_reason.empty()) n.fence_reason = "node is unclean";
  }
  // Histories, in passes as the peer's unpack_node_history: a cluster node's
  // at once (an offline one only with fencing: else it is assumed cleanly
  // down), a remote node's once its connection is known to be started (and
  // a guest's container), which another node's history says; with fencing,
  // at last every node not read yet.
  const OpFieldNames field_names(ws.doc);
  auto unpack_lrm = [&](Node* node, xmlNode* st) {
    xmlNode* lrm = xml::first_child(st, "lrm");
    xmlNode* lrm_rscs = xml::first_child(lrm, "lrm_resources");
    for (xmlNode* lr : xml::children(lrm_rscs, "lrm_resource")) {
      std::string id = xml::attr_or(lr, "id");
      // The records are counted first: one allocation per history (this
      // runs for every resource on every node).
      auto is_op = [](const xmlNode* c) {
        return c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "lrm_rsc_op");
      };
      size_t count = 0;
      for (const xmlNode* c = lr->children; c; c = c->next) count += is_op(c);
      std::vector<OpRecord> ops;
      ops.reserve(count);
      for (xmlNode* op = lr->children; op; op = op->next) {
        if (!is_op(op)) continue;
        // Notifications and meta-data calls say nothing about the
        // resource's state: ignored, as the peer's unpack_rsc_op does.
        OpRecord rec = read_op(ws, op, field_names);
        if (rec.operation == "notify" || rec.operation == "meta-data") continue;
        ops.push_back(std::move(rec));
      }
      Resource* r = find_for_history(ws, node, id, lr);
      if (!r) continue;
      sort_history(ops);
      if (r->history.size() < ws.nodes.size()) r->history.resize(ws.nodes.size());
      std::vector<OpRecord>& kept = r->history[node->index].emplace(std::move(ops));
      if (strcasecmp(id.c_str(), r->id.c_str()) != 0 && r->clone_parent()) r->clone_name = id;
      unpack_history(ws, r, node, kept);
      // An old-style numbered name is forgotten where the instance is not
      // active (it would name an orphan).
      bool active_here = std::find(r->running_on.begin(), r->running_on.end(), node) != r->running_on.end();
      if (!active_here && r->clone_name.find(':') != std::string::npos) r->clone_name.clear();
    }
  };
  auto pass = [&](bool fence) {
    bool progress = false;
    for (auto& [node, st] : states) {
      if (node->unpacked) continue;
      if (fence) {
        // every node left
      } else if (node->is_guest()) {
        Resource* rsc = node->remote_rsc;
        if (rsc->role != Role::kStarted || rsc->container->role != Role::kStarted) continue;
      } else if (node->remote) {
        if (!node->remote_rsc || node->remote_rsc->role != Role::kStarted) continue;
      } else if (!ws.stonith_enabled && !node->online) {
        continue;
      }
      if (node->remote) {
        remote_online_status(*node);
        unpack_remote_node_state(ws, *node, st);
      }
      node->unpacked = true;
      unpack_lrm(node, st);
      progress = true;
    }
    return progress;
  };
  while (pass(false)) {
  }
  pass(ws.stonith_enabled);
  // Connections of remote nodes that shut down stop; remote nodes without a
  // history to read get their online state now.
  for (Node& n : ws.nodes) {
    if (!n.remote) continue;
    if (n.shutdown && n.remote_rsc) n.remote_rsc->target_role = Role::kStopped;
    if (!n.unpacked) remote_online_status(n);
  }
  unpack_migrations(ws);
  // Resources active on several nodes: multiple-active=stop_only keeps them
  // off every node; block leaves them (and, for a group configured so, the
  // whole group) alone.
  for (Resource& r : ws.resource_store) {
    if (!r.is_primitive() || r.running_on.size() < 2 || !r.is_managed() || r.partial_source) continue;
    if (r.multiple_active == "stop_only") {
      r.unrunnable_everywhere = true;
    } else if (r.multiple_active == "block") {
      r.managed = false;
      r.blocked = true;
      r.multiply_blocked = true;
      if (r.parent && r.parent->is_group() && r.parent->multiple_active == "block") {
        for (Resource* c : r.parent->children) {
          if (c->is_managed()) c->multiply_blocked = true;
          c->managed = false;
          c->blocked = true;
        }
      }
    }
  }
  // Drop orphans that are not active anywhere.
  std::vector<Resource*> kept;
  for (Resource* r : ws.resources) {
    if (r->orphan && r->running_on.empty()) {
      ws.rsc_by_id.erase(r->id);
      continue;
    }
    kept.push_back(r);
  }
  ws.resources = kept;

  // Fail counts: fail-count-<rsc>[#<op>_<interval>] and last-failure-<rsc>...
  for (Node& n : ws.nodes) {
    for (auto& [k, v] : n.attrs) {
      auto failure = parse_failure_attr(k);
      if (!failure) continue;
      bool is_count = failure->is_count;
      const std::string& rest = failure->rsc;
      std::vector<Resource*> targets;
      if (Resource* r = ws.find_rsc(rest)) {
        if (r->is_clone()) {
          for (Resource* p : primitives_of(r)) if (p->base_id == rest) targets.push_back(p);
        } else if (r->is_primitive()) {
          targets.push_back(r);
        }
      }
      if (targets.empty()) {
        if (Resource* z = ws.find_rsc(rest + ":0")) {
          if (Resource* c = z->clone_parent())
            for (Resource* p : primitives_of(c)) if (p->base_id == rest) targets.push_back(p);
        }
      }
      for (Resource* r : targets) {
        Resource::OpFailure& f = r->op_failures[&n][failure->op_key];
        if (is_count) {
          auto s = parse_score(v);
          if (s.ok()) {
            r->failcount[&n] = score_add(r->failcount[&n], *s);
            f.count = score_add(f.count, *s);
          }
        } else {
          r->last_failure[&n] = std::max<std::time_t>(r->last_failure[&n], to_int(v, 0));
          f.last_failure = std::max<std::time_t>(f.last_failure, to_int(v, 0));
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace crm::pengine
