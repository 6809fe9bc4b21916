// schedule(): the table of contents of the policy engine.
#include "crm/pengine/pengine.h"

#include <algorithm>
#include <memory>

#include "crm/core/xml.h"
#include "rules.h"
#include "summary.h"
#include "working_set.h"

namespace crm::pengine {
namespace {

// The id the executor knows a resource by: anonymous clone instances drop the suffix.
std::string exec_id(const Resource* r) {
  Resource* c = const_cast<Resource*>(r)->clone_parent();
  if (c && !c->unique) return r->base_id;
  return r->id;
}

// The graph key of a notification (or of the pseudo actions framing one)
// of an instance that its history knows by another name: that name, as the
// peer's clone_op_key ("db_post_notify_stop_0", "db_notified_0").
std::string notification_key(const Action* a) {
  const Resource* r = a->rsc;
  if (!r || !r->is_primitive() || r->clone_name.empty()) return a->key;
  if (a->task == "notified") return op_key(r->clone_name, a->task, 0);
  auto type = a->meta.find("CRM_meta_notify_type"), operation = a->meta.find("CRM_meta_notify_operation");
  if (type == a->meta.end() || operation == a->meta.end()) return a->key;
  return notify_key(r->clone_name, type->second, operation->second);
}

// The meta attributes a clone passes to the actions of everything in it
// (the peer's clone_append_meta), with the pre-2.0 names of the promotion
// limits that older agents read.
void add_clone_meta(const Resource* clone, std::map<std::string, std::string>& attributes) {
  attributes["CRM_meta_clone_max"] = std::to_string(clone->clone_max);
  attributes["CRM_meta_clone_node_max"] = std::to_string(clone->clone_node_max);
  attributes["CRM_meta_globally_unique"] = clone->unique ? "true" : "false";
  attributes["CRM_meta_notify"] = clone->notify ? "true" : "false";
  if (clone->promotable) {
    attributes["CRM_meta_promoted_max"] = std::to_string(clone->promoted_max);
    attributes["CRM_meta_promoted_node_max"] = std::to_string(clone->promoted_node_max);
    attributes["CRM_meta_master_max"] = std::to_string(clone->promoted_max);
    attributes["CRM_meta_master_node_max"] = std::to_string(clone->promoted_node_max);
  }
}

// The configured <op> an action runs, with its settings as CRM_meta_*
// attributes (name, on-fail, enabled=false and the op's other attributes),
// as the peer's graph carries them.
void add_op_meta(WorkingSet& ws, const Action* a, std::map<std::string, std::string>& attributes) {
  const std::string& task = a->task == "cancel" ? a->cancel_task : a->task;
  for (const OpConfig& op : a->rsc->ops) {
    if (op.name != task || op.interval_ms != a->interval_ms) continue;
    attributes["CRM_meta_name"] = op.name;
    if (!op.on_fail.empty()) attributes["CRM_meta_on_fail"] = op.on_fail;
    if (!op.enabled) attributes["CRM_meta_enabled"] = "false";
    for (const auto& [k, v] : op.meta) {
      std::string name = "CRM_meta_" + k;
      std::replace(name.begin(), name.end(), '-', '_');
      // A delay is passed on in milliseconds.
      attributes.emplace(name, k == "start-delay" ? std::to_string(parse_interval_ms(v)) : v);
    }
    // The op's own parameters (trace_ra=1, ...) go to the agent, and into
    // the digest the recorded result is compared with.
    if (op.xml)
      for (auto& [k, v] : unpack_nvpairs(ws, op.xml, "instance_attributes", nullptr)) attributes[k] = v;
    if (a->task == "cancel") attributes["CRM_meta_timeout"] = std::to_string(op.timeout_ms);
    return;
  }
}

void build_graph(WorkingSet& ws, Transition& t) {
  t.graph_attributes = {{"cluster-delay", ws.cluster_delay},
                        {"stonith-timeout", ws.stonith_timeout},
                        {"failed-stop-offset", "INFINITY"},
                        {"failed-start-offset", "INFINITY"},
                        {"transition_id", "0"}};
  // Ids in creation order; synapses in creation order.
  std::vector<Action*> in;
  for (Action& a : ws.action_store)
    if (a.in_graph) in.push_back(&a);
  // Graph ids by Action::seq (the action's position in action_store).
  std::vector<int> id_by_seq(ws.action_store.size(), -1);
  for (size_t i = 0; i < in.size(); ++i) id_by_seq[in[i]->seq] = static_cast<int>(i);
  auto id = [&](const Action* a) { return id_by_seq[a->seq]; };
  t.actions.reserve(in.size());
  for (Action* a : in) {
    GraphAction g;
    g.id = id(a);
    g.task = a->task;
    g.key = a->key;
    if ((a->task == "stonith" && !a->pseudo) || a->task == "do_shutdown" || a->task == "clear_failcount") {
      g.type = GraphAction::Type::kCrmEvent;
      g.key = a->key;
    } else if (a->pseudo) {
      g.type = GraphAction::Type::kPseudo;
    } else {
      g.type = GraphAction::Type::kRscOp;
    }
    // A pseudo fencing (a guest node's) keeps its target.
    if (a->node && (g.type != GraphAction::Type::kPseudo || a->task == "stonith")) {
      g.node = a->node->uname;
      g.node_uuid = a->node->id;
      g.attributes["CRM_meta_on_node"] = a->node->uname;
      g.attributes["CRM_meta_on_node_uuid"] = a->node->id;
      if (Node* host = connection_host(a)) g.router_node = host->uname;
    }
    for (auto& [k, v] : a->meta) g.attributes[k] = v;
    // A collective's pseudo actions carry the default timeout, and inside a
    // clone the clone's settings.
    if (a->pseudo && a->rsc && !a->rsc->is_primitive()) {
      g.attributes.emplace("CRM_meta_timeout", std::to_string(action_timeout_ms(ws, a->rsc, a->task)));
      const Resource* clone = a->rsc->is_clone() ? a->rsc : a->rsc->clone_parent();
      if (clone) add_clone_meta(clone, g.attributes);
    }
    // A primitive's action carries its op's settings, also when it is a
    // pseudo action (a stop the fencing of its node implies).
    if (a->rsc && a->rsc->is_primitive() && g.type != GraphAction::Type::kCrmEvent) add_op_meta(ws, a, g.attributes);
    if (a->rsc && a->rsc->is_primitive() && g.type == GraphAction::Type::kPseudo) {
      // Keyed, as its real actions, by the name the instance's history knows it by.
      if (!a->rsc->clone_name.empty() && a->task != "notify" && a->task != "notified")
        g.key = op_key(a->rsc->clone_name, a->task, a->interval_ms);
      for (auto& [k, v] : a->rsc->params) g.attributes.emplace(k, v);
      g.attributes.emplace("CRM_meta_timeout", std::to_string(action_timeout_ms(ws, a->rsc, a->task)));
    }
    if (a->rsc && a->rsc->is_primitive() && (g.type == GraphAction::Type::kRscOp || a->task == "clear_failcount")) {
      g.rsc_id = exec_id(a->rsc);
      // The long id names the instance, or the name its history knows it by.
      if (g.rsc_id != a->rsc->id) g.rsc_long_id = a->rsc->id;
      if (!a->rsc->clone_name.empty() && a->rsc->clone_name != g.rsc_id) g.rsc_long_id = a->rsc->clone_name;
      g.rsc_class = a->rsc->cls;
      g.rsc_provider = a->rsc->provider;
      g.rsc_type = a->rsc->type;
      for (auto& [k, v] : a->rsc->params) g.attributes[k] = v;
      if (a->interval_ms > 0) {
        g.attributes["CRM_meta_interval"] = std::to_string(a->interval_ms);
        g.attributes["CRM_meta_name"] = a->task == "cancel" ? a->cancel_task : a->task;
      }
      if (a->target_rc >= 0) g.attributes["CRM_meta_op_target_rc"] = std::to_string(a->target_rc);
      if (Resource* c = a->rsc->clone_parent()) {
        g.attributes["CRM_meta_clone"] = std::to_string(a->rsc->clone_index >= 0 ? a->rsc->clone_index : 0);
        add_clone_meta(c, g.attributes);
      }
      // An action is keyed by its instance ("clone:1_start_0"), or by the
      // name the instance's history knows it by ("clone_start_0" for an
      // anonymous instance found in the status under the clone's name), as
      // the peer's graph: its internal key then names the instance.
      if (!a->rsc->clone_name.empty()) {
        const std::string& task = a->task == "cancel" ? a->cancel_task : a->task;
        g.key = a->task == "notify" ? notification_key(a) : op_key(a->rsc->clone_name, task, a->interval_ms);
        g.internal_key = a->key;
      }
      std::string name = a->interval_ms > 0 ? a->task + "=" + std::to_string(a->interval_ms) : a->task;
      g.summary = "Resource action: " + std::string(a->rsc->id) + std::string(a->rsc->id.size() < 15 ? 15 - a->rsc->id.size() : 0, ' ') +
                  " " + name + " on " + a->node->uname;
      if (a->task == "clear_failcount") g.summary = "Cluster action:  clear_failcount for " + a->rsc->id + " on " + a->node->uname;
    } else if (a->task == "stonith") {
      g.attributes["CRM_meta_stonith_action"] = a->fence_action;
      if (a->fence_delay_s > 0) g.attributes["CRM_meta_priority_fencing_delay"] = std::to_string(a->fence_delay_s);
      g.downed.push_back(a->node->id);
      g.summary = "Fencing " + a->node->uname + " (" + a->fence_action + ")";
    } else if (a->task == "do_shutdown") {
      g.attributes["CRM_meta_op_no_wait"] = "true";
      g.summary = "Cluster action: do_shutdown on " + a->node->uname;
    } else {
      if (a->task == "notify" || a->task == "notified") g.key = notification_key(a);
      g.summary = "Pseudo action:   " + g.key;
    }
    if (a->rsc && a->rsc->priority) g.priority = a->rsc->priority;
    if (a->priority > g.priority) g.priority = a->priority;
    for (auto& [f, flags] : a->before)
      if (f->in_graph && graph_edge(f, a, flags)) g.inputs.push_back(id(f));
    std::sort(g.inputs.begin(), g.inputs.end());
    t.actions.push_back(std::move(g));
  }
  for (Action* a : ws.topo) t.execution_order.push_back(id(a));
}

}  // namespace

Result<Transition> schedule(xmlDoc* cib, std::time_t now, const ScheduleOptions& options) {
  if (!cib) return invalid_argument("no CIB document");
  auto owned = std::make_unique<WorkingSet>();
  struct Teardown {
    std::unique_ptr<WorkingSet>& ws;
    bool skip;
    ~Teardown() {
      if (skip) (void)ws.release();  // deliberately not freed: see ScheduleOptions::skip_teardown
    }
  } teardown{owned, options.skip_teardown};
  WorkingSet& ws = *owned;
  ws.doc = cib;
  ws.now = now;  // the caller decides "now" (crm_simulate passes execution-date)
  ws.options = options;
  ws.explain_any = !options.explain.empty();
  RETURN_IF_ERROR(unpack_config(ws));
  RETURN_IF_ERROR(unpack_nodes(ws));
  RETURN_IF_ERROR(unpack_resources(ws));
  RETURN_IF_ERROR(unpack_status(ws));
  Transition t;
  t.before = cluster_status(ws, false);
  RETURN_IF_ERROR(apply_locations(ws));      // node criteria
  RETURN_IF_ERROR(unpack_colocations(ws));   // internal + configured constraints
  RETURN_IF_ERROR(assign_resources(ws));     // assign
  RETURN_IF_ERROR(create_actions(ws));       // create actions
  RETURN_IF_ERROR(order_remote_actions(ws)); // actions on remote nodes vs their connections
  RETURN_IF_ERROR(create_fencing(ws));       // fencing / shutdowns
  RETURN_IF_ERROR(unpack_orderings(ws));     // orderings
  RETURN_IF_ERROR(propagate_flags(ws));         // required / runnable to a fixed point
  RETURN_IF_ERROR(create_notifications(ws));    // clone notifications, from the final flags
  RETURN_IF_ERROR(check_graph(ws));             // graph membership, cycles, order
  build_graph(ws, t);
  t.summary = transition_summary(ws);
  t.after = cluster_status(ws, true);
  t.warnings = ws.warnings;
  t.explanations = explain_resources(ws);
  t.utilization = std::move(ws.utilization_lines);
  for (const ScoreRecord& s : ws.score_records)
    t.scores.push_back({s.stage, s.rsc, s.node, s.score, s.promotion});
  return t;
}

Result<std::time_t> parse_date(const std::string& text) {
  auto t = parse_iso8601(text);
  if (!t) return invalid_argument("cannot parse date '" + text + "'");
  return *t;
}

Result<ClusterStatus> read_cluster_status(xmlDoc* cib, std::time_t now) {
  if (!cib) return invalid_argument("no CIB document");
  WorkingSet ws;
  ws.doc = cib;
  ws.now = now;
  RETURN_IF_ERROR(unpack_config(ws));
  RETURN_IF_ERROR(unpack_nodes(ws));
  RETURN_IF_ERROR(unpack_resources(ws));
  RETURN_IF_ERROR(unpack_status(ws));
  return cluster_status(ws, false);
}

namespace {

// ` name="value"` with the value escaped, appended to a graph being written.
void append_attribute(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  xml::append_escaped(out, value);
  out += '"';
}

}  // namespace

std::string graph_to_xml(const Transition& t) {
  // A cold start of a large cluster has a graph of a hundred thousand
  // synapses (about 100 MB of XML): the text is appended to one string,
  // reserved once, and each action's element head, repeated in every synapse
  // it triggers, is made once.
  auto tag_of = [](const GraphAction& a) {
    return a.type == GraphAction::Type::kRscOp ? "rsc_op" : a.type == GraphAction::Type::kPseudo ? "pseudo_event" : "crm_event";
  };
  std::vector<std::string> heads(t.actions.size());  // by id
  size_t size = 256;
  for (const auto& a : t.actions) {
    std::string& s = heads[a.id];
    s = "<";
    s += tag_of(a);
    s += " id=\"" + std::to_string(a.id) + "\"";
    append_attribute(s, "operation", a.task);
    append_attribute(s, "operation_key", a.key);
    if (!a.internal_key.empty()) append_attribute(s, "internal_operation_key", a.internal_key);
    if (!a.node.empty()) {
      append_attribute(s, "on_node", a.node);
      append_attribute(s, "on_node_uuid", a.node_uuid);
      if (!a.router_node.empty()) append_attribute(s, "router_node", a.router_node);
    }
    size += 300 + 2 * s.size() + a.internal_key.size() + a.rsc_id.size() + a.rsc_long_id.size() + a.rsc_class.size() + a.rsc_provider.size() +
            a.rsc_type.size();
    for (const auto& [k, v] : a.attributes) size += k.size() + v.size() + 4;
    for (const auto& d : a.downed) size += d.size() + 40;
  }
  for (const auto& a : t.actions)
    for (int in : a.inputs) size += heads[in].size() + 40;

  std::string o;
  o.reserve(size);
  o += "<transition_graph";
  for (const char* k : {"cluster-delay", "stonith-timeout", "failed-stop-offset", "failed-start-offset", "transition_id"}) {
    auto it = t.graph_attributes.find(k);
    if (it != t.graph_attributes.end()) append_attribute(o, k, it->second);
  }
  o += ">\n";
  int synapse = 0;
  for (const auto& a : t.actions) {
    o += "  <synapse id=\"" + std::to_string(synapse++) + "\"";
    if (a.priority) o += " priority=\"" + std::to_string(a.priority) + "\"";
    o += ">\n    <action_set>\n      ";
    o += heads[a.id];
    o += ">\n";
    if (!a.rsc_id.empty()) {
      o += "        <primitive";
      append_attribute(o, "id", a.rsc_id);
      if (!a.rsc_long_id.empty()) append_attribute(o, "long-id", a.rsc_long_id);
      append_attribute(o, "class", a.rsc_class);
      if (!a.rsc_provider.empty()) append_attribute(o, "provider", a.rsc_provider);
      append_attribute(o, "type", a.rsc_type);
      o += "/>\n";
    }
    // A name that is not an XML name ("1", a heartbeat-class agent's first
    // argument) is written as a <param> child, as the peer does.
    o += "        <attributes";
    bool params = false;
    for (const auto& [k, v] : a.attributes) {
      if (xml::is_name(k)) append_attribute(o, k, v);
      else params = true;
    }
    if (!params) {
      o += "/>\n";
    } else {
      o += ">\n";
      for (const auto& [k, v] : a.attributes) {
        if (xml::is_name(k)) continue;
        o += "          <param";
        append_attribute(o, "name", k);
        append_attribute(o, "value", v);
        o += "/>\n";
      }
      o += "        </attributes>\n";
    }
    if (!a.downed.empty()) {
      o += "        <downed>\n";
      for (const auto& d : a.downed) {
        o += "          <node";
        append_attribute(o, "id", d);
        o += "/>\n";
      }
      o += "        </downed>\n";
    }
    o += "      </";
    o += tag_of(a);
    o += ">\n    </action_set>\n";
    if (a.inputs.empty()) {
      o += "    <inputs/>\n";
    } else {
      o += "    <inputs>\n";
      for (int in : a.inputs) {
        o += "      <trigger>\n        ";
        o += heads[in];
        o += "/>\n      </trigger>\n";
      }
      o += "    </inputs>\n";
    }
    o += "  </synapse>\n";
  }
  o += "</transition_graph>\n";
  return o;
}

std::string graph_to_dot(const Transition& t) {
  std::vector<std::string> lines;
  // Actions named as the peer's crm_simulate names them.
  auto name = [](const GraphAction& a) {
    if (a.task == "stonith") {
      auto how = a.attributes.find("CRM_meta_stonith_action");
      return "stonith '" + (how == a.attributes.end() ? std::string("reboot") : how->second) + "' " + a.node;
    }
    if (a.task == "do_shutdown") return "do_shutdown " + a.node;
    std::string n = a.node.empty() ? a.key : a.key + " " + a.node;
    return a.task == "cancel" ? "Cancel " + n : n;
  };
  for (const auto& a : t.actions) {
    lines.push_back("\"" + name(a) + "\" [ style=bold color=\"green\" fontcolor=\"" +
                    (a.type == GraphAction::Type::kPseudo ? "orange" : "black") + "\"]");
    for (int in : a.inputs) lines.push_back("\"" + name(t.actions[in]) + "\" -> \"" + name(a) + "\" [ style = bold]");
  }
  std::sort(lines.begin(), lines.end());
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  std::string out = "digraph \"g\" {\n";
  for (const auto& l : lines) out += l + "\n";
  out += "}\n";
  return out;
}

std::vector<std::string> format_scores(const Transition& t) {
  std::vector<std::string> out;
  out.reserve(t.scores.size());
  for (const auto& s : t.scores) {
    if (s.promotion) out.push_back(s.resource + " promotion score on " + s.node + ": " + score_to_string(s.score));
    else out.push_back(s.stage + ": " + s.resource + " allocation score on " + s.node + ": " + score_to_string(s.score));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string format_transition_summary(const Transition& t) {
  std::string o = "Transition Summary:\n";
  for (const auto& l : t.summary) o += "  * " + l + "\n";
  return o;
}

std::string format_execution(const Transition& t) {
  std::string o = "Executing Cluster Transition:\n";
  for (int i : t.execution_order) o += "  * " + t.actions[i].summary + "\n";
  return o;
}

}  // namespace crm::pengine
