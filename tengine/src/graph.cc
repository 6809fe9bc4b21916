#include "crm/tengine/graph.h"
#include "crm/core/duration.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <charconv>

#include "crm/core/xml.h"
#include "crm/pengine/pengine.h"

namespace crm::tengine {

const char* action_type_name(ActionType type) {
  switch (type) {
    case ActionType::kRscOp: return "rsc_op";
    case ActionType::kPseudo: return "pseudo_event";
    case ActionType::kCrmEvent: return "crm_event";
  }
  return "?";
}

std::map<std::string, std::string> Action::parameters() const {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : attributes) {
    if (k.rfind("CRM_meta_", 0) != 0 && k != "crm_feature_set") out.emplace(k, v);
  }
  return out;
}

std::optional<std::string> Action::meta(const std::string& name) const {
  auto it = attributes.find("CRM_meta_" + name);
  if (it == attributes.end()) return std::nullopt;
  return it->second;
}

namespace {

int to_int(const std::string& s, int fallback) {
  int v = fallback;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() ? v : fallback;
}

// The fields the engine and the executors read, from the CRM_meta_* entries.
void derive_from_attributes(Action& a) {
  if (auto t = a.meta("timeout")) a.timeout = std::chrono::milliseconds(to_int(*t, 0));
  // The peer writes CRM_meta_interval in milliseconds without a unit.
  if (auto i = a.meta("interval")) a.interval_ms = to_int(*i, 0);
  if (auto rc = a.meta("op_target_rc")) a.target_rc = to_int(*rc, 0);
}

Result<Action> parse_action(xmlNode* node) {
  Action a;
  if (xml::is(node, "rsc_op")) a.type = ActionType::kRscOp;
  else if (xml::is(node, "pseudo_event")) a.type = ActionType::kPseudo;
  else if (xml::is(node, "crm_event")) a.type = ActionType::kCrmEvent;
  else return invalid_argument("unknown action element <" + std::string(xml::name(node)) + ">");
  auto id = xml::attr(node, "id");
  if (!id) return invalid_argument("action without id");
  a.id = to_int(*id, -1);
  if (a.id < 0) return invalid_argument("bad action id '" + *id + "'");
  a.operation = xml::attr_or(node, "operation");
  a.operation_key = xml::attr_or(node, "operation_key");
  a.on_node = xml::attr_or(node, "on_node");
  a.on_node_uuid = xml::attr_or(node, "on_node_uuid");
  if (xmlNode* p = xml::first_child(node, "primitive")) {
    a.rsc_id = xml::attr_or(p, "id");
    a.rsc_long_id = xml::attr_or(p, "long-id");
    a.rsc_class = xml::attr_or(p, "class");
    a.rsc_provider = xml::attr_or(p, "provider");
    a.rsc_type = xml::attr_or(p, "type");
  }
  if (xmlNode* attrs = xml::first_child(node, "attributes")) {
    for (xmlAttr* at = attrs->properties; at; at = at->next) {
      std::string k = reinterpret_cast<const char*>(at->name);
      a.attributes[k] = xml::attr_or(attrs, k.c_str());
    }
    // Parameters whose names cannot be XML attribute names ("1" for a
    // heartbeat-class agent's first argument) come as <param> children.
    for (xmlNode* param : xml::children(attrs, "param")) a.attributes[xml::attr_or(param, "name")] = xml::attr_or(param, "value");
  }
  if (xmlNode* downed = xml::first_child(node, "downed")) {
    for (xmlNode* d : xml::children(downed, "node")) a.downed.push_back(xml::attr_or(d, "id"));
  }
  derive_from_attributes(a);
  return a;
}

void set_graph_options(Graph& g, std::optional<std::string> cluster_delay, std::optional<std::string> stonith_timeout) {
  if (cluster_delay) {
    if (auto ms = crm::parse_interval(*cluster_delay); ms.ok()) g.cluster_delay = *ms;
  }
  if (stonith_timeout) {
    if (auto ms = crm::parse_interval(*stonith_timeout); ms.ok()) g.stonith_timeout = *ms;
  }
}

}  // namespace

Result<Graph> Graph::parse(std::string_view xml_text) {
  ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse(xml_text, "transition graph"));
  xmlNode* root = xml::root(doc);
  if (!xml::is(root, "transition_graph")) return invalid_argument("transition graph: root is not <transition_graph>");
  Graph g;
  g.transition_id = to_int(xml::attr_or(root, "transition_id", "0"), 0);
  set_graph_options(g, xml::attr(root, "cluster-delay"), xml::attr(root, "stonith-timeout"));
  std::vector<std::pair<int, int>> trigger_refs;  // (synapse, action id)
  for (xmlNode* syn : xml::children(root, "synapse")) {
    Synapse s;
    s.id = to_int(xml::attr_or(syn, "id", "-1"), -1);
    s.priority = to_int(xml::attr_or(syn, "priority", "0"), 0);
    if (xmlNode* set = xml::first_child(syn, "action_set")) {
      for (xmlNode* an : xml::children(set)) {
        auto a = parse_action(an);
        if (!a.ok()) return a.status().with_context("transition graph synapse " + std::to_string(s.id));
        if (g.actions.count(a->id)) {
          return invalid_argument("transition graph: action " + std::to_string(a->id) + " appears twice");
        }
        s.actions.push_back(a->id);
        g.actions.emplace(a->id, std::move(a).value());
      }
    }
    if (xmlNode* inputs = xml::first_child(syn, "inputs")) {
      for (xmlNode* trig : xml::children(inputs, "trigger")) {
        for (xmlNode* ref : xml::children(trig)) {
          int id = to_int(xml::attr_or(ref, "id", "-1"), -1);
          s.inputs.push_back(id);
          trigger_refs.emplace_back(s.id, id);
        }
      }
    }
    g.synapses.push_back(std::move(s));
  }
  for (auto [syn, id] : trigger_refs) {
    if (!g.actions.count(id)) {
      return invalid_argument("transition graph: synapse " + std::to_string(syn) + " waits for unknown action " +
                              std::to_string(id));
    }
  }
  return g;
}

Result<Graph> Graph::from(const pengine::Transition& t) {
  Graph g;
  auto option = [&](const char* name) -> std::optional<std::string> {
    auto it = t.graph_attributes.find(name);
    if (it == t.graph_attributes.end()) return std::nullopt;
    return it->second;
  };
  set_graph_options(g, option("cluster-delay"), option("stonith-timeout"));
  int synapse = 0;
  for (const pengine::GraphAction& pa : t.actions) {
    Action a;
    a.id = pa.id;
    a.type = pa.type == pengine::GraphAction::Type::kRscOp    ? ActionType::kRscOp
             : pa.type == pengine::GraphAction::Type::kPseudo ? ActionType::kPseudo
                                                              : ActionType::kCrmEvent;
    a.operation = pa.task;
    a.operation_key = pa.key;
    a.on_node = pa.node;
    a.on_node_uuid = pa.node_uuid;
    if (!pa.rsc_id.empty()) {  // resource operations, and controller events on a resource (clear_failcount)
      a.rsc_id = pa.rsc_id;
      a.rsc_long_id = pa.rsc_long_id;
      a.rsc_class = pa.rsc_class;
      a.rsc_provider = pa.rsc_provider;
      a.rsc_type = pa.rsc_type;
    }
    a.attributes = pa.attributes;
    a.downed = pa.downed;
    derive_from_attributes(a);
    if (g.actions.count(a.id)) {
      return invalid_argument("transition: action " + std::to_string(a.id) + " appears twice");
    }
    g.synapses.push_back(Synapse{.id = synapse++, .priority = pa.priority, .actions = {a.id}, .inputs = pa.inputs});
    g.actions.emplace(a.id, std::move(a));
  }
  for (const Synapse& s : g.synapses) {
    for (int in : s.inputs) {
      if (!g.actions.count(in)) {
        return invalid_argument("transition: synapse " + std::to_string(s.id) + " waits for unknown action " +
                                std::to_string(in));
      }
    }
  }
  return g;
}

std::string Graph::fingerprint() const {
  auto name = [this](int id) {
    auto it = actions.find(id);
    return it == actions.end() ? std::string("?") : it->second.operation_key + "@" + it->second.on_node;
  };
  std::vector<std::string> lines;
  for (const auto& [id, a] : actions) {
    std::string line = std::string(action_type_name(a.type)) + " " + a.operation_key + "@" + a.on_node;
    for (const auto& [k, v] : a.attributes) line += " " + k + "=" + v;
    lines.push_back(std::move(line));
  }
  for (const Synapse& s : synapses)
    for (int then : s.actions)
      for (int first : s.inputs) lines.push_back(name(first) + " -> " + name(then));
  std::sort(lines.begin(), lines.end());
  // FNV-1a, 64 bits: the same on every build and machine.
  uint64_t h = 1469598103934665603ull;
  for (const std::string& l : lines) {
    for (unsigned char c : l) h = (h ^ c) * 1099511628211ull;
    h = (h ^ '\n') * 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace crm::tengine
