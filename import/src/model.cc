#include "model.h"

#include <arpa/inet.h>
#include <glob.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "crm/cib/cib.h"

namespace crm::import {

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kTranslated:
      return "translated";
    case Outcome::kApproximated:
      return "approximated";
    case Outcome::kNoEquivalent:
      return "no-equivalent";
    case Outcome::kToDo:
      return "to-do";
    case Outcome::kWarning:
      return "warning";
  }
  return "?";
}

std::string format_report(const std::vector<Note>& report) {
  std::string out;
  for (const Note& n : report) {
    std::string name = outcome_name(n.outcome);
    name.resize(std::max<size_t>(name.size(), 13), ' ');
    out += name + " " + n.where + ": " + n.what + "\n";
  }
  return out;
}

std::string Ids::unique(const std::string& base) {
  std::string id = xml::make_id(base);
  std::string candidate = id;
  for (int n = 2; used_.count(candidate); ++n) candidate = id + "-" + std::to_string(n);
  used_.insert(candidate);
  return candidate;
}

void Config::add_node(const std::string& name) {
  if (!has_node(name)) nodes.push_back(name);
}
bool Config::has_node(const std::string& name) const {
  return std::find(nodes.begin(), nodes.end(), name) != nodes.end();
}
void Config::set_property(const std::string& name, const std::string& value) {
  for (auto& [k, v] : properties) {
    if (k == name) {
      v = value;
      return;
    }
  }
  properties.emplace_back(name, value);
}

bool is_ip_address(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

namespace {

void nvset(xmlNode* parent, const char* element, const std::string& id, const NvPairs& pairs) {
  if (pairs.empty()) return;
  xmlNode* set = xml::add_child(parent, element);
  xml::set_attr(set, "id", id);
  for (const auto& [name, value] : pairs) {
    xmlNode* nv = xml::add_child(set, "nvpair");
    xml::set_attr(nv, "id", id + "-" + xml::make_id(name));
    xml::set_attr(nv, "name", name);
    xml::set_attr(nv, "value", value);
  }
}

void write_primitive(xmlNode* parent, const Primitive& p) {
  xmlNode* x = xml::add_child(parent, "primitive");
  xml::set_attr(x, "id", p.id);
  xml::set_attr(x, "class", p.cls);
  if (!p.provider.empty()) xml::set_attr(x, "provider", p.provider);
  xml::set_attr(x, "type", p.type);
  nvset(x, "instance_attributes", p.id + "-instance_attributes", p.params);
  nvset(x, "meta_attributes", p.id + "-meta_attributes", p.meta);
  if (p.ops.empty()) return;
  xmlNode* ops = xml::add_child(x, "operations");
  for (const Op& op : p.ops) {
    xmlNode* o = xml::add_child(ops, "op");
    std::string id = p.id + "-" + op.name + "-" + op.interval;
    if (!op.role.empty()) id += "-" + op.role;
    xml::set_attr(o, "id", xml::make_id(id));
    xml::set_attr(o, "name", op.name);
    xml::set_attr(o, "interval", op.interval);
    if (!op.timeout.empty()) xml::set_attr(o, "timeout", op.timeout);
    if (!op.role.empty()) xml::set_attr(o, "role", op.role);
    if (!op.on_fail.empty()) xml::set_attr(o, "on-fail", op.on_fail);
  }
}

}  // namespace

xml::DocPtr write_configuration(const Config& c) {
  xml::DocPtr doc = xml::new_document("configuration");
  xmlNode* root = xml::root(doc);
  xmlNode* crm_config = xml::add_child(root, "crm_config");
  nvset(crm_config, "cluster_property_set", "cib-bootstrap-options", c.properties);

  xmlNode* nodes = xml::add_child(root, "nodes");
  for (size_t i = 0; i < c.nodes.size(); ++i) {
    xmlNode* n = xml::add_child(nodes, "node");
    auto given = c.node_ids.find(c.nodes[i]);
    xml::set_attr(n, "id", given != c.node_ids.end() ? given->second : std::to_string(i + 1));
    xml::set_attr(n, "uname", c.nodes[i]);
  }

  xmlNode* resources = xml::add_child(root, "resources");
  for (const Primitive& p : c.primitives) write_primitive(resources, p);
  for (const Group& g : c.groups) {
    xmlNode* x = xml::add_child(resources, "group");
    xml::set_attr(x, "id", g.id);
    nvset(x, "meta_attributes", g.id + "-meta_attributes", g.meta);
    for (const Primitive& p : g.members) write_primitive(x, p);
  }
  for (const Clone& cl : c.clones) {
    xmlNode* x = xml::add_child(resources, "clone");
    xml::set_attr(x, "id", cl.id);
    nvset(x, "meta_attributes", cl.id + "-meta_attributes", cl.meta);
    write_primitive(x, cl.child);
  }

  xmlNode* constraints = xml::add_child(root, "constraints");
  for (const Location& l : c.locations) {
    xmlNode* x = xml::add_child(constraints, "rsc_location");
    xml::set_attr(x, "id", l.id);
    xml::set_attr(x, "rsc", l.rsc);
    if (!l.role.empty()) xml::set_attr(x, "role", l.role);
    if (l.rule_attribute.empty()) {
      xml::set_attr(x, "node", l.node);
      xml::set_attr(x, "score", l.score);
      continue;
    }
    xmlNode* rule = xml::add_child(x, "rule");
    xml::set_attr(rule, "id", l.id + "-rule");
    xml::set_attr(rule, "score", l.score);
    xmlNode* e = xml::add_child(rule, "expression");
    xml::set_attr(e, "id", l.id + "-rule-expression");
    xml::set_attr(e, "attribute", l.rule_attribute);
    xml::set_attr(e, "operation", l.rule_operation);
    if (!l.rule_value.empty()) xml::set_attr(e, "value", l.rule_value);
  }
  for (const Colocation& co : c.colocations) {
    xmlNode* x = xml::add_child(constraints, "rsc_colocation");
    xml::set_attr(x, "id", co.id);
    xml::set_attr(x, "score", co.score);
    xml::set_attr(x, "rsc", co.rsc);
    xml::set_attr(x, "with-rsc", co.with_rsc);
    if (!co.with_rsc_role.empty()) xml::set_attr(x, "with-rsc-role", co.with_rsc_role);
  }
  for (const Order& o : c.orders) {
    xmlNode* x = xml::add_child(constraints, "rsc_order");
    xml::set_attr(x, "id", o.id);
    xml::set_attr(x, "first", o.first);
    if (!o.first_action.empty()) xml::set_attr(x, "first-action", o.first_action);
    xml::set_attr(x, "then", o.then);
    if (!o.then_action.empty()) xml::set_attr(x, "then-action", o.then_action);
  }

  if (!c.levels.empty()) {
    xmlNode* topology = xml::add_child(root, "fencing-topology");
    for (const FencingLevel& l : c.levels) {
      xmlNode* x = xml::add_child(topology, "fencing-level");
      xml::set_attr(x, "id", xml::make_id("fl-" + l.target + "-" + std::to_string(l.index)));
      xml::set_attr(x, "target", l.target);
      xml::set_attr(x, "index", std::to_string(l.index));
      std::string devices;
      for (const auto& d : l.devices) devices += (devices.empty() ? "" : ",") + d;
      xml::set_attr(x, "devices", devices);
    }
  }
  if (!c.alerts.empty()) {
    xmlNode* alerts = xml::add_child(root, "alerts");
    for (const Alert& a : c.alerts) {
      xmlNode* x = xml::add_child(alerts, "alert");
      xml::set_attr(x, "id", a.id);
      xml::set_attr(x, "path", a.path);
      xml::add_child(xml::add_child(x, "select"), "select_resources");
      nvset(x, "instance_attributes", a.id + "-instance_attributes", a.env);
    }
  }
  if (!c.rsc_defaults.empty()) {
    xmlNode* defaults = xml::add_child(root, "rsc_defaults");
    nvset(defaults, "meta_attributes", "rsc-options", c.rsc_defaults);
  }
  return doc;
}

void apply_fencing_policy(Config& config, Report& report, const std::string& where, bool source_has_fencing) {
  config.set_property("stonith-enabled", "true");
  if (!source_has_fencing) {
    report.add(Outcome::kToDo, where,
               "the source configures no fencing: stonith-enabled stays true and nothing can be recovered from a "
               "failed node until a fence device is configured (stonith primitives, e.g. fence_ipmilan, one per "
               "node)");
  }
  if (config.nodes.size() == 2) {
    config.set_property("priority-fencing-delay", "15s");
    bool has_priority = false;
    for (const auto& [k, v] : config.rsc_defaults) has_priority |= k == "priority";
    if (!has_priority) config.rsc_defaults.emplace_back("priority", "1");
    report.add(Outcome::kToDo, where,
               "two nodes: corosync.conf needs quorum { provider: corosync_votequorum; two_node: 1 }; a split is "
               "decided by priority-fencing-delay=15s (the node running more resources, rsc_defaults priority=1, "
               "is fenced last)");
  }
}

std::string as_cib(const Imported& imported) {
  cib::Cib cib = cib::Cib::empty();
  xmlNode* root = xml::root(cib.doc());
  xmlNode* empty = xml::first_child(root, "configuration");
  xmlNode* mine = xmlDocCopyNode(xml::root(imported.configuration), cib.doc(), 1);
  xmlReplaceNode(empty, mine);
  xmlFreeNode(empty);
  xml::set_attr(root, "epoch", "1");
  return xml::to_string(cib.doc());
}

namespace {

class RealFiles : public FileReader {
 public:
  Result<std::vector<std::string>> glob(const std::string& pattern) override {
    glob_t g{};
    int rc = ::glob(pattern.c_str(), GLOB_ERR, nullptr, &g);
    std::vector<std::string> out;
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
    if (rc != 0 && rc != GLOB_NOMATCH) return io_error("include " + pattern + ": cannot read the directory");
    std::sort(out.begin(), out.end());
    return out;
  }
  Result<std::string> read(const std::string& path) override {
    std::ifstream in(path, std::ios::binary);
    if (!in) return errno_error("open " + path, errno);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

}  // namespace

FileReader& real_files() {
  static RealFiles files;
  return files;
}

}  // namespace crm::import
