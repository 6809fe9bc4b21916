#include "view.h"

#include <map>
#include <set>
#include <vector>

#include "crm/core/boolean.h"
#include "crm/core/nvpair.h"
#include "crm/core/xml.h"
#include "crm/pengine/pengine.h"

namespace crm::web {
namespace {

using nlohmann::json;
using pengine::ResourceStatus;

std::string node_state(const pengine::NodeStatus& n) {
  if (n.unclean) return "unclean";
  if (n.pending) return "pending";
  if (!n.online) return "offline";
  if (n.standby) return "standby";
  if (n.maintenance) return "maintenance";
  return "online";
}

void add_resources(const ResourceStatus& r, const std::string& parent, json& out) {
  if (r.kind != ResourceStatus::Kind::kPrimitive) {
    for (const auto& c : r.children) add_resources(c, parent.empty() ? r.id : parent, out);
    return;
  }
  json j;
  j["agent"] = r.agent;
  j["role"] = r.nodes.empty() ? std::string("Stopped") : std::string(pengine::role_text(r.role));
  j["nodes"] = r.nodes;
  j["failed"] = r.failed;
  j["managed"] = r.managed;
  j["disabled"] = r.disabled;
  j["parent"] = parent;
  out[r.id] = std::move(j);
}

}  // namespace

Result<json> build_view(xmlDoc* cib, std::time_t now) {
  auto st = pengine::read_cluster_status(cib, now);
  if (!st.ok()) return st.status();
  json view;
  xmlNode* root = xml::root(cib);
  std::string dc_uuid = xml::attr_or(root, "dc-uuid");
  json nodes = json::object();
  std::string dc;
  for (const auto& n : st->nodes) {
    json j;
    j["state"] = node_state(n);
    j["resources"] = json::array();
    nodes[n.name] = std::move(j);
    if (!dc_uuid.empty() && (n.id == dc_uuid || n.name == dc_uuid)) dc = n.name;
  }
  json resources = json::object();
  for (const auto& r : st->resources) add_resources(r, "", resources);
  for (auto& [id, r] : resources.items())
    for (const auto& n : r["nodes"])
      if (nodes.contains(n.get<std::string>())) nodes[n.get<std::string>()]["resources"].push_back(id);
  json failures = json::object();
  for (const auto& f : st->failed_actions) {
    json j;
    j["op"] = f.op_key;
    j["node"] = f.node;
    j["text"] = f.text;
    failures[f.op_key + "@" + f.node] = std::move(j);
  }
  xmlNode* config = xml::first_child(root, "configuration");
  xmlNode* props = xml::first_child(config, "crm_config");
  auto prop = [&](const char* name, const char* dflt) {
    xmlNode* nv = find_nvpair(props, "cluster_property_set", name);
    return nv ? xml::attr_or(nv, "value") : std::string(dflt);
  };
  view["cluster"] = {{"dc", dc},
                     {"quorum", is_true(xml::attr_or(root, "have-quorum", "false"))},
                     {"stonith_enabled", is_true(prop("stonith-enabled", "true"))},
                     {"maintenance_mode", st->maintenance_mode},
                     {"epoch", xml::attr_or(root, "epoch")},
                     {"num_updates", xml::attr_or(root, "num_updates")}};
  view["nodes"] = std::move(nodes);
  view["resources"] = std::move(resources);
  view["failures"] = std::move(failures);
  return view;
}

json view_changes(const json& before, const json& after) {
  json set = json::object(), del = json::array();
  for (const char* section : {"cluster", "nodes", "resources", "failures"}) {
    const json empty = json::object();
    const json& a = before.contains(section) ? before[section] : empty;
    const json& b = after.contains(section) ? after[section] : empty;
    for (auto& [k, v] : b.items())
      if (!a.contains(k) || a[k] != v) set[std::string(section) + "/" + k] = v;
    for (auto& [k, v] : a.items())
      if (!b.contains(k)) del.push_back(std::string(section) + "/" + k);
  }
  if (set.empty() && del.empty()) return nullptr;
  return json{{"set", set}, {"del", del}};
}

std::string dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out + "\"";
}

std::string cluster_dot(const json& view) {
  std::string o = "digraph cluster_view {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"sans\"];\n";
  int i = 0;
  for (auto& [name, n] : view["nodes"].items()) {
    std::string state = n["state"];
    std::string color = state == "online" ? "darkgreen" : state == "standby" ? "orange" : "red";
    o += "  subgraph cluster_" + std::to_string(i++) + " {\n    label=" + dot_quote(name + " (" + state + ")") +
         ";\n    color=" + color + ";\n";
    o += "    " + dot_quote("node:" + name) + " [label=" + dot_quote(name) + ", shape=point, style=invis];\n";
    for (const auto& id : n["resources"]) {
      const json& r = view["resources"][id.get<std::string>()];
      std::string label = id.get<std::string>() + "\n" + r["role"].get<std::string>();
      o += "    " + dot_quote(name + "/" + id.get<std::string>()) + " [label=" + dot_quote(label) +
           (r["failed"].get<bool>() ? ", color=red" : "") + "];\n";
    }
    o += "  }\n";
  }
  std::vector<std::string> stopped;
  for (auto& [id, r] : view["resources"].items())
    if (r["nodes"].empty()) stopped.push_back(id);
  if (!stopped.empty()) {
    o += "  subgraph cluster_stopped {\n    label=\"Stopped\";\n    color=gray;\n";
    for (const auto& id : stopped) o += "    " + dot_quote("stopped/" + id) + " [label=" + dot_quote(id) + ", color=gray];\n";
    o += "  }\n";
  }
  return o + "}\n";
}

std::string constraints_dot(xmlDoc* cib) {
  std::string o = "digraph constraints {\n  node [shape=box, style=rounded, fontname=\"sans\"];\n";
  xmlNode* config = xml::first_child(xml::root(cib), "configuration");
  xmlNode* cons = xml::first_child(config, "constraints");
  for (xmlNode* c : xml::children(cons, "rsc_colocation")) {
    if (!xml::attr(c, "rsc") || !xml::attr(c, "with-rsc")) continue;
    o += "  " + dot_quote(xml::attr_or(c, "rsc")) + " -> " + dot_quote(xml::attr_or(c, "with-rsc")) +
         " [label=" + dot_quote("with " + xml::attr_or(c, "score")) + "];\n";
  }
  for (xmlNode* c : xml::children(cons, "rsc_order")) {
    if (!xml::attr(c, "first") || !xml::attr(c, "then")) continue;
    o += "  " + dot_quote(xml::attr_or(c, "first")) + " -> " + dot_quote(xml::attr_or(c, "then")) +
         " [style=dashed, label=" + dot_quote("then") + "];\n";
  }
  for (xmlNode* c : xml::children(cons, "rsc_location")) {
    if (!xml::attr(c, "rsc") || !xml::attr(c, "node")) continue;
    o += "  " + dot_quote("node " + xml::attr_or(c, "node")) + " [shape=ellipse];\n";
    o += "  " + dot_quote(xml::attr_or(c, "rsc")) + " -> " + dot_quote("node " + xml::attr_or(c, "node")) +
         " [style=dotted, label=" + dot_quote(xml::attr_or(c, "score")) + "];\n";
  }
  return o + "}\n";
}

}  // namespace crm::web
