// Unpacking the configuration: cluster options, nodes, resources (primitives,
// groups, clones with their instances).
#include <algorithm>
#include <cstring>

#include "crm/core/cluster_options.h"
#include "crm/core/duration.h"
#include "crm/core/nvpair.h"
#include "crm/core/xml.h"
#include "rules.h"
#include "working_set.h"

namespace crm::pengine {

long parse_interval_ms(const std::string& text) {
  auto ms = parse_interval(text);  // the one parser (crm/core/duration.h)
  return ms.ok() ? static_cast<long>(ms->count()) : 0;  // the peer uses 0 for what it cannot read
}

const char* role_text(Role role) {
  switch (role) {
    case Role::kUnknown: return "Unknown";
    case Role::kStopped: return "Stopped";
    case Role::kStarted: return "Started";
    case Role::kUnpromoted: return "Unpromoted";
    case Role::kPromoted: return "Promoted";
  }
  return "Unknown";
}
const char* role_name(Role role) { return role_text(role); }

Result<Role> parse_role(const std::string& text) {
  if (strcasecmp(text.c_str(), "Stopped") == 0) return Role::kStopped;
  if (strcasecmp(text.c_str(), "Started") == 0) return Role::kStarted;
  if (strcasecmp(text.c_str(), "Unpromoted") == 0 || strcasecmp(text.c_str(), "Slave") == 0) return Role::kUnpromoted;
  if (strcasecmp(text.c_str(), "Promoted") == 0 || strcasecmp(text.c_str(), "Master") == 0) return Role::kPromoted;
  if (text.empty() || strcasecmp(text.c_str(), "Unknown") == 0) return Role::kUnknown;
  return invalid_argument("unknown role '" + text + "'");
}

std::string node_attr(const Node* node, const std::string& name) {
  auto it = node->attrs.find(name);
  return it == node->attrs.end() ? std::string() : it->second;
}

// Name/value pairs of every `element` set under `parent` (crm::nvpair_values:
// the peer's precedence), the sets' rules evaluated for `node` (none: no
// node) at ws.now.
Attrs unpack_nvpairs(WorkingSet& ws, xmlNode* parent, const char* element, const Node* node) {
  RuleContext ctx;
  ctx.node_attrs = node ? &node->attrs : nullptr;
  ctx.now = ws.now;
  return nvpair_values(parent, element, [&ctx](xmlNode* rule) { return evaluate_rule(rule, ctx); });
}

Status unpack_config(WorkingSet& ws) {
  xmlNode* cib = xml::root(ws.doc);
  if (!cib || !xml::is(cib, "cib")) return parse_error("document root is not <cib>");
  xmlNode* config = xml::first_child(cib, "configuration");
  if (!config) return parse_error("<cib> has no <configuration>");
  ws.dc_uuid = xml::attr_or(cib, "dc-uuid");
  ws.have_quorum = is_true(xml::attr_or(cib, "have-quorum", "true"));
  xmlNode* crm_config = xml::first_child(config, "crm_config");
  ws.cluster_options = unpack_nvpairs(ws, crm_config, "cluster_property_set", nullptr);
  // Invalid values give way to the defaults, and unset options get them, from
  // the one option table (crm/core/cluster_options.h), as the peer's scheduler does.
  resolve_cluster_options(ws.cluster_options, kScheduler, &ws.warnings);
  auto opt = [&](const char* name, const char* def) {
    auto it = ws.cluster_options.find(name);
    return it == ws.cluster_options.end() ? std::string(def) : it->second;
  };
  ws.symmetric = is_true(opt("symmetric-cluster", "true"));
  ws.stonith_enabled = is_true(opt("stonith-enabled", "true"));
  ws.startup_fencing = is_true(opt("startup-fencing", "true"));
  ws.no_quorum_policy = opt("no-quorum-policy", "stop");
  ws.stonith_action = opt("stonith-action", "reboot");
  if (ws.stonith_action == "poweroff") ws.stonith_action = "off";
  ws.placement_strategy = opt("placement-strategy", "default");
  // Unfencing is in use when a resource or the resource defaults provide or
  // require it (the peer reads this before the resources, by the same path).
  auto unfencing = xml::xpath(ws.doc,
                              "/cib/configuration/resources//meta_attributes/nvpair[(@name='provides' or "
                              "@name='requires') and @value='unfencing'] | /cib/configuration/rsc_defaults/"
                              "meta_attributes/nvpair[(@name='provides' or @name='requires') and @value='unfencing']");
  ws.unfencing = unfencing.ok() && !unfencing->empty();
  ws.maintenance_mode = is_true(opt("maintenance-mode", "false"));
  ws.stop_orphans = is_true(opt("stop-orphan-resources", "true"));
  ws.stop_orphan_actions = is_true(opt("stop-orphan-actions", "true"));
  ws.start_failure_fatal = is_true(opt("start-failure-is-fatal", "true"));
  ws.concurrent_fencing = is_true(opt("concurrent-fencing", "false"));
  ws.priority_fencing_delay_s = parse_interval_ms(opt("priority-fencing-delay", "0")) / 1000;
  ws.stonith_timeout = opt("stonith-timeout", "60s");
  ws.cluster_delay = opt("cluster-delay", "60s");
  if (ws.no_quorum_policy == "suicide") {
    // Only with fencing, and only once the cluster had quorum (or panic is allowed).
    bool panic = is_true(xml::attr_or(cib, "no-quorum-panic", "0")) || xml::attr_or(cib, "no-quorum-panic", "0") == "1";
    if (!ws.stonith_enabled || (!panic && !ws.have_quorum)) ws.no_quorum_policy = "stop";
  }
  if (xmlNode* d = xml::first_child(config, "rsc_defaults")) ws.rsc_defaults = unpack_nvpairs(ws, d, "meta_attributes", nullptr);
  if (xmlNode* d = xml::first_child(config, "op_defaults")) ws.op_defaults = unpack_nvpairs(ws, d, "meta_attributes", nullptr);
  return Status::Ok();
}

namespace {

// A node, indexed, with its built-in attributes (#uname, #id, #kind,
// #is_dc). A remote node's kind becomes "container" once its connection
// turns out to be a guest's.
Node& add_node(WorkingSet& ws, const std::string& id, const std::string& uname, const std::string& type) {
  Node& node = ws.nodes.emplace_back();
  node.id = id;
  node.uname = uname;
  node.type = type;
  node.remote = type == "remote";
  node.index = static_cast<int>(ws.nodes.size()) - 1;
  node.attrs["#uname"] = uname;
  node.attrs["#id"] = id;
  node.attrs["#kind"] = node.remote ? "remote" : "cluster";
  node.attrs["#is_dc"] = (id == ws.dc_uuid) ? "true" : "false";
  ws.node_by_name[uname] = &node;
  ws.node_by_id[id] = &node;
  return node;
}

// An ocf:pacemaker:remote primitive: a Pacemaker Remote connection.
bool is_remote_connection_xml(const xmlNode* x) {
  return xml::is(x, "primitive") && xml::attr_or(x, "class") == "ocf" && xml::attr_or(x, "provider") == "pacemaker" &&
         xml::attr_or(x, "type") == "remote";
}

}  // namespace

Status unpack_nodes(WorkingSet& ws) {
  xmlNode* config = xml::first_child(xml::root(ws.doc), "configuration");
  xmlNode* nodes = xml::first_child(config, "nodes");
  for (xmlNode* n : xml::children(nodes, "node")) {
    std::string type = xml::attr_or(n, "type", "member");
    if (type == "ping") continue;  // deprecated by the peer, never a place for resources
    std::string id = xml::attr_or(n, "id");
    std::string uname = xml::attr_or(n, "uname", id);
    if (id.empty()) return config_invalid("node without id (line " + std::to_string(xml::line(n)) + ")");
    if (ws.node_by_name.count(uname)) continue;
    Node& node = add_node(ws, id, uname, type);
    if (auto score = xml::attr(n, "score")) {
      auto v = parse_score(*score);
      if (!v.ok()) return config_invalid("node '" + uname + "': " + v.status().message());
      node.weight = *v;
    }
    for (auto& [k, v] : unpack_nvpairs(ws, n, "instance_attributes", nullptr)) node.attrs.emplace(k, v);
    node.utilization = unpack_nvpairs(ws, n, "utilization", nullptr);
    // Unclean until seen (startup-fencing); a remote node only once its
    // connection is known to be configured (link_remote_nodes).
    node.unclean = !node.remote && ws.stonith_enabled && ws.startup_fencing;
  }
  return Status::Ok();
}

namespace {

int meta_int(const Attrs& meta, const char* name, int def) {
  auto it = meta.find(name);
  if (it == meta.end()) return def;
  auto s = parse_score(it->second);
  if (s.ok()) return *s;
  // The peer reads the leading integer of values like "2.0".
  const char* text = it->second.c_str();
  char* end = nullptr;
  long v = strtol(text, &end, 10);
  return end == text ? def : static_cast<int>(v);
}

std::string meta_str(const Attrs& meta, const char* name, const std::string& def = "") {
  auto it = meta.find(name);
  return it == meta.end() ? def : it->second;
}

// The <op>s of a resource or template element (its <operations>, or the
// <operations> it references).
std::vector<OpConfig> read_ops(WorkingSet& ws, xmlNode* xml_rsc) {
  std::vector<OpConfig> out;
  xmlNode* ops = xml::first_child(xml_rsc, "operations");
  if (!ops) return out;
  if (auto ref = xml::attr(ops, "id-ref")) {
    auto found = xml::xpath(ws.doc, "//operations[@id='" + *ref + "']");
    if (found.ok() && !found->empty()) ops = found->front();
  }
  for (xmlNode* op : xml::children(ops, "op")) {
    OpConfig c;
    c.xml = op;
    c.name = xml::attr_or(op, "name");
    c.interval_ms = parse_interval_ms(xml::attr_or(op, "interval", "0"));
    std::string timeout = xml::attr_or(op, "timeout");
    Attrs meta = unpack_nvpairs(ws, op, "meta_attributes", nullptr);
    if (timeout.empty()) timeout = meta_str(meta, "timeout");
    if (timeout.empty()) timeout = meta_str(ws.op_defaults, "timeout", "20s");
    c.timeout_ms = parse_interval_ms(timeout);
    c.role = xml::attr_or(op, "role");
    if (c.role == "Master") c.role = "Promoted";
    if (c.role == "Slave") c.role = "Unpromoted";
    c.on_fail = xml::attr_or(op, "on-fail", meta_str(meta, "on-fail"));
    c.enabled = is_true(xml::attr_or(op, "enabled", meta_str(meta, "enabled", "true")));
    for (xmlAttr* a = op->properties; a; a = a->next) {
      std::string n = reinterpret_cast<const char*>(a->name);
      if (n == "id" || n == "name" || n == "interval" || n == "timeout" || n == "role" || n == "on-fail" ||
          n == "enabled" || n == "description")
        continue;
      c.meta[n] = xml::attr_or(op, n.c_str());
    }
    out.push_back(std::move(c));
  }
  return out;
}

// A primitive's operations: its own, then those of its template that it does
// not redefine (an operation of the same name for the same role, whatever the
// interval: the peer's template_op_key).
void unpack_ops(WorkingSet& ws, Resource* r, xmlNode* xml_rsc) {
  r->ops = read_ops(ws, xml_rsc);
  if (r->template_xml) {
    auto key = [](const OpConfig& op) {
      bool any_role = op.role.empty() || op.role == "Started" || op.role == "Unpromoted";
      return op.name + "-" + (any_role ? std::string("Unknown") : op.role);
    };
    std::set<std::string> own;
    for (const OpConfig& op : r->ops) own.insert(key(op));
    for (OpConfig& op : read_ops(ws, r->template_xml))
      if (!own.count(key(op))) r->ops.push_back(std::move(op));
  }
  // An operation configured twice with one name and interval is ambiguous
  // (which timeout, which role?): neither copy recurs, as by the peer.
  for (OpConfig& a : r->ops) {
    if (a.interval_ms <= 0 || a.duplicate) continue;
    for (OpConfig& b : r->ops) {
      if (&a == &b || b.name != a.name || b.interval_ms != a.interval_ms) continue;
      std::string w = "resource " + r->base_id + ": operation " + xml::attr_or(b.xml, "id") + " is a duplicate of " +
                      xml::attr_or(a.xml, "id") + " (name " + a.name + ", interval " + std::to_string(a.interval_ms) +
                      " ms); neither is scheduled";
      // Once per resource, not per clone instance.
      if (!b.duplicate && std::find(ws.warnings.begin(), ws.warnings.end(), w) == ws.warnings.end())
        ws.warnings.push_back(std::move(w));
      a.duplicate = b.duplicate = true;
    }
  }
}

void apply_meta(WorkingSet& ws, Resource* r) {
  const Attrs& m = r->meta;
  r->priority = meta_int(m, "priority", 0);
  r->stickiness = meta_int(m, "resource-stickiness", 0);
  if (m.count("resource-stickiness") == 0 && m.count("default-resource-stickiness"))
    r->stickiness = meta_int(m, "default-resource-stickiness", 0);
  r->allow_migrate = is_true(meta_str(m, "allow-migrate", "false"));
  r->migration_threshold = meta_int(m, "migration-threshold", kInfinity);
  if (r->migration_threshold < 0) r->migration_threshold = 0;
  r->failure_timeout_s = parse_interval_ms(meta_str(m, "failure-timeout", "0")) / 1000;
  if (auto it = m.find("target-role"); it != m.end()) {
    auto role = parse_role(it->second);
    if (role.ok() && *role != Role::kUnknown) r->target_role = *role;
  }
  r->managed = is_true(meta_str(m, "is-managed", "true")) && !ws.maintenance_mode;
  r->maintenance = is_true(meta_str(m, "maintenance", "false"));
  r->critical = is_true(meta_str(m, "critical", "true"));
  r->multiple_active = meta_str(m, "multiple-active", "stop_start");
  r->requires_ = meta_str(m, "requires", "");
  r->needs_fencing = ws.stonith_enabled && (r->requires_.empty() ? r->cls != "stonith" : r->requires_ == "fencing" ||
                                                                                          r->requires_ == "unfencing");
}

// A Pacemaker Remote connection (the peer's is_remote_node): it needs only
// quorum, may migrate unless told otherwise (a remote node's connection,
// not a guest's: the resources behind it need not stop for it to move),
// and its reconnect_interval keeps it down that long after a failure.
void apply_remote_meta(WorkingSet& ws, Resource* r) {
  if (r->parent || !is_remote_connection_xml(r->xml)) return;  // as unpack_remote_nodes saw it
  r->is_remote_node = true;
  bool guest = r->meta.count("container") > 0;
  if (r->requires_.empty()) r->needs_fencing = false;
  if (!guest && !r->meta.count("allow-migrate")) r->allow_migrate = true;
  if (!guest) {
    if (auto it = r->params.find("reconnect_interval"); it != r->params.end()) {
      r->remote_reconnect_ms = parse_interval_ms(it->second);
      r->failure_timeout_s = r->remote_reconnect_ms / 1000;
    }
  }
}

Attrs merged_meta(WorkingSet& ws, Resource* parent, xmlNode* xml_rsc, xmlNode* template_xml = nullptr) {
  Attrs meta = unpack_nvpairs(ws, xml_rsc, "meta_attributes", nullptr);
  if (template_xml)
    for (auto& [k, v] : unpack_nvpairs(ws, template_xml, "meta_attributes", nullptr)) meta.emplace(k, v);
  if (parent) {
    for (auto& [k, v] : parent->meta) meta.emplace(k, v);
  }
  for (auto& [k, v] : ws.rsc_defaults) meta.emplace(k, v);
  return meta;
}

Result<Resource*> unpack_one(WorkingSet& ws, xmlNode* x, Resource* parent);

Resource* new_primitive(WorkingSet& ws, xmlNode* x, Resource* parent, const std::string& id, int clone_index) {
  Resource* r = ws.new_resource();
  r->id = id;
  r->base_id = xml::attr_or(x, "id");
  r->kind = Kind::kPrimitive;
  r->xml = x;
  r->parent = parent;
  r->clone_index = clone_index;
  // The template was checked to exist (check_templates).
  if (auto tmpl = xml::attr(x, "template")) r->template_xml = ws.template_xml.at(*tmpl);
  xmlNode* def = r->template_xml ? r->template_xml : x;
  r->cls = xml::attr_or(def, "class", xml::attr_or(x, "class"));
  r->provider = xml::attr_or(def, "provider", xml::attr_or(x, "provider"));
  r->type = xml::attr_or(def, "type", xml::attr_or(x, "type"));
  r->params = unpack_nvpairs(ws, x, "instance_attributes", nullptr);
  if (def != x) for (auto& [k, v] : unpack_nvpairs(ws, def, "instance_attributes", nullptr)) r->params.emplace(k, v);
  r->meta = merged_meta(ws, parent, x, r->template_xml);
  apply_meta(ws, r);
  apply_remote_meta(ws, r);
  unpack_ops(ws, r, x);
  ws.rsc_by_id[r->id] = r;
  return r;
}

Result<Resource*> unpack_group(WorkingSet& ws, xmlNode* x, Resource* parent, const std::string& suffix, int idx) {
  Resource* g = ws.new_resource();
  g->base_id = xml::attr_or(x, "id");
  g->id = g->base_id + suffix;
  g->kind = Kind::kGroup;
  g->xml = x;
  g->parent = parent;
  g->clone_index = idx;
  g->meta = merged_meta(ws, parent, x);
  apply_meta(ws, g);
  g->members_ordered = is_true(meta_str(g->meta, "ordered", "true"));
  g->members_colocated = is_true(meta_str(g->meta, "collocated", "true"));
  ws.rsc_by_id[g->id] = g;
  for (xmlNode* c : xml::children(x, "primitive")) {
    Resource* p = new_primitive(ws, c, g, xml::attr_or(c, "id") + suffix, idx);
    g->children.push_back(p);
  }
  return g;
}

Result<Resource*> unpack_clone(WorkingSet& ws, xmlNode* x, Resource* parent) {
  Resource* c = ws.new_resource();
  c->id = c->base_id = xml::attr_or(x, "id");
  c->kind = Kind::kClone;
  c->xml = x;
  c->meta = merged_meta(ws, parent, x);
  if (!c->meta.count("resource-stickiness")) c->meta["resource-stickiness"] = "1";
  apply_meta(ws, c);
  const Attrs& m = c->meta;
  c->promotable = xml::is(x, "master") || is_true(meta_str(m, "promotable", "false"));
  c->unique = is_true(meta_str(m, "globally-unique", "false"));
  c->interleave = is_true(meta_str(m, "interleave", "false"));
  c->ordered = is_true(meta_str(m, "ordered", "false"));
  c->notify = is_true(meta_str(m, "notify", "false"));
  int nodes = static_cast<int>(ws.nodes.size());
  c->clone_max = meta_int(m, "clone-max", nodes);
  c->clone_node_max = meta_int(m, "clone-node-max", 1);
  c->clone_min = meta_int(m, "clone-min", 0);
  c->promoted_max = meta_int(m, "promoted-max", meta_int(m, "master-max", 1));
  c->promoted_node_max = meta_int(m, "promoted-node-max", meta_int(m, "master-node-max", 1));
  if (c->clone_max < 0) c->clone_max = 0;
  ws.rsc_by_id[c->id] = c;
  xmlNode* child = nullptr;
  for (xmlNode* k : xml::children(x)) {
    if (xml::is(k, "primitive") || xml::is(k, "group")) { child = k; break; }
  }
  if (!child) return config_invalid("clone " + c->id + " has no primitive or group inside");
  for (int i = 0; i < c->clone_max; ++i) {
    std::string suffix = ":" + std::to_string(i);
    if (xml::is(child, "group")) {
      ASSIGN_OR_RETURN(Resource* g, unpack_group(ws, child, c, suffix, i));
      c->children.push_back(g);
    } else {
      c->children.push_back(new_primitive(ws, child, c, xml::attr_or(child, "id") + suffix, i));
    }
  }
  // Anonymous clones are also known by their primitive's plain id.
  if (!c->children.empty() && !ws.rsc_by_id.count(xml::attr_or(child, "id")))
    ws.rsc_by_id[xml::attr_or(child, "id")] = c;
  return c;
}

Result<Resource*> unpack_one(WorkingSet& ws, xmlNode* x, Resource* parent) {
  std::string id = xml::attr_or(x, "id");
  if (id.empty()) return config_invalid("resource without id at line " + std::to_string(xml::line(x)));
  if (ws.rsc_by_id.count(id)) return config_invalid("duplicate resource id '" + id + "'");
  if (xml::is(x, "primitive")) return new_primitive(ws, x, parent, id, -1);
  if (xml::is(x, "group")) return unpack_group(ws, x, parent, "", -1);
  if (xml::is(x, "clone") || xml::is(x, "master")) return unpack_clone(ws, x, parent);
  return static_cast<Resource*>(nullptr);
}

// Templates (and which primitives use each) and tags, checked before any
// resource is unpacked: a primitive based on a template that does not exist
// is an error, not a primitive without an agent.
Status unpack_templates_and_tags(WorkingSet& ws, xmlNode* config) {
  xmlNode* resources = xml::first_child(config, "resources");
  for (xmlNode* t : xml::children(resources, "template")) {
    std::string id = xml::attr_or(t, "id");
    ws.template_xml[id] = t;
    ws.templates[id];
  }
  auto users = xml::xpath(ws.doc, "/cib/configuration/resources//primitive[@template]");
  if (users.ok()) {
    for (xmlNode* p : *users) {
      std::string id = xml::attr_or(p, "id"), tmpl = xml::attr_or(p, "template");
      if (tmpl == id) return config_invalid("primitive '" + id + "' names itself as its template");
      auto it = ws.templates.find(tmpl);
      if (it == ws.templates.end())
        return config_invalid("primitive '" + id + "' is based on template '" + tmpl + "', which does not exist");
      it->second.push_back(id);
    }
  }
  for (xmlNode* tag : xml::children(xml::first_child(config, "tags"), "tag")) {
    auto& refs = ws.tags[xml::attr_or(tag, "id")];
    for (xmlNode* ref : xml::children(tag, "obj_ref")) refs.push_back(xml::attr_or(ref, "id"));
  }
  return Status::Ok();
}

}  // namespace

std::vector<Resource*> primitives_of(Resource* rsc) {
  std::vector<Resource*> out;
  if (rsc->is_primitive()) {
    out.push_back(rsc);
  } else {
    for (Resource* c : rsc->children) {
      auto sub = primitives_of(c);
      out.insert(out.end(), sub.begin(), sub.end());
    }
  }
  return out;
}

namespace {

// The implicit connection of a guest node: a primitive with the meta
// attribute remote-node gets an ocf:pacemaker:remote primitive named after
// the node, contained in it (the peer's expand_remote_rsc_meta and
// pe_create_remote_xml: monitored every 30 s, its start timeout
// remote-connect-timeout, addr and port from remote-addr and remote-port).
// Returns the node's name, or "" when the primitive makes no guest node.
std::string add_guest_connection(WorkingSet& ws, xmlNode* x, xmlNode* implicit) {
  if (!xml::is(x, "primitive")) return "";
  std::string name, server, port, timeout = "60s", migrate, managed;
  bool have_migrate = false, have_managed = false;
  for (xmlNode* set : xml::children(x, "meta_attributes")) {
    for (xmlNode* nv : xml::children(set, "nvpair")) {
      std::string n = xml::attr_or(nv, "name"), v = xml::attr_or(nv, "value");
      if (n == "remote-node") name = v;
      else if (n == "remote-addr") server = v;
      else if (n == "remote-port") port = v;
      else if (n == "remote-connect-timeout") timeout = v;
      else if (n == "remote-allow-migrate") migrate = v, have_migrate = true;
      else if (n == "is-managed") managed = v, have_managed = true;
    }
  }
  if (name.empty()) return "";
  xmlNode* p = xml::add_child(implicit, "primitive");
  xml::set_attr(p, "id", name);
  xml::set_attr(p, "class", "ocf");
  xml::set_attr(p, "provider", "pacemaker");
  xml::set_attr(p, "type", "remote");
  xmlNode* meta = xml::add_child(p, "meta_attributes");
  xml::set_attr(meta, "id", name + "-meta_attributes");
  auto nvpair = [&](xmlNode* set, const std::string& n, const std::string& v) {
    xmlNode* nv = xml::add_child(set, "nvpair");
    xml::set_attr(nv, "id", xml::attr_or(set, "id") + "-" + n);
    xml::set_attr(nv, "name", n);
    xml::set_attr(nv, "value", v);
  };
  nvpair(meta, "internal_rsc", "true");
  nvpair(meta, "container", xml::attr_or(x, "id"));
  if (have_migrate) nvpair(meta, "allow-migrate", migrate);
  if (have_managed) nvpair(meta, "is-managed", managed);
  if (!server.empty() || !port.empty()) {
    xmlNode* inst = xml::add_child(p, "instance_attributes");
    xml::set_attr(inst, "id", name + "-instance_attributes");
    if (!server.empty()) nvpair(inst, "addr", server);
    if (!port.empty()) nvpair(inst, "port", port);
  }
  xmlNode* ops = xml::add_child(p, "operations");
  auto op = [&](const std::string& task, const std::string& interval, const std::string& t) {
    xmlNode* o = xml::add_child(ops, "op");
    xml::set_attr(o, "id", name + "-" + task + "-interval-" + interval);
    xml::set_attr(o, "name", task);
    xml::set_attr(o, "interval", interval);
    xml::set_attr(o, "timeout", t);
  };
  op("monitor", "30s", "30s");
  op("start", "0", timeout);
  return name;
}

// Nodes made by resources, before any resource is unpacked (a clone's
// default clone-max counts them): a remote node for each top-level
// ocf:pacemaker:remote primitive, a guest node for each primitive (top-level
// or in a group) with remote-node. Returns the implicit connections' XML.
xml::DocPtr unpack_remote_nodes(WorkingSet& ws, xmlNode* resources) {
  xml::DocPtr implicit = xml::new_document("resources");
  auto add = [&](const std::string& name) {
    if (!name.empty() && !ws.find_node(name)) add_node(ws, name, name, "remote");
  };
  for (xmlNode* x : xml::children(resources)) {
    if (is_remote_connection_xml(x)) {
      add(xml::attr_or(x, "id"));
    } else if (xml::is(x, "primitive")) {
      add(add_guest_connection(ws, x, xml::root(implicit)));
    } else if (xml::is(x, "group")) {
      for (xmlNode* m : xml::children(x, "primitive")) add(add_guest_connection(ws, m, xml::root(implicit)));
    }
  }
  return implicit;
}

// Each connection resource to its node, and each resource with the meta
// attribute container to that container (the peer's setup_container and
// link_rsc2remotenode). A remote node is unclean until seen, as a cluster
// node; a guest node is "fenced" by recovering its container instead.
void link_remote_nodes(WorkingSet& ws) {
  for (Resource& rr : ws.resource_store) {
    Resource* r = &rr;
    if (!r->is_primitive()) continue;  // a group's or clone's container= goes to its members
    if (auto it = r->meta.find("container"); it != r->meta.end()) {
      if (Resource* c = ws.find_rsc(it->second); c && c != r) {
        r->container = c;
        c->fillers.push_back(r);
      }
    }
  }
  for (Resource* r : ws.resources) {
    if (!r->is_remote_node) continue;
    Node* node = ws.find_node(r->id);
    if (!node || !node->remote) continue;
    node->remote_rsc = r;
    r->remote_node = node;
    if (!r->container) {
      node->unclean = ws.stonith_enabled && ws.startup_fencing;
    } else {
      node->attrs["#kind"] = "container";
    }
  }
}

}  // namespace

Status unpack_resources(WorkingSet& ws) {
  xmlNode* config = xml::first_child(xml::root(ws.doc), "configuration");
  xmlNode* resources = xml::first_child(config, "resources");
  RETURN_IF_ERROR(unpack_templates_and_tags(ws, config));
  ws.implicit_resources = unpack_remote_nodes(ws, resources);
  std::vector<xmlNode*> all = xml::children(resources);
  for (xmlNode* x : xml::children(xml::root(ws.implicit_resources))) all.push_back(x);
  for (xmlNode* x : all) {
    if (xml::is(x, "template")) continue;
    if (xml::is(x, "bundle")) {
      // A bundle is its container: without one it is no bundle at all (the schema says so too).
      if (!xml::first_child(x, "docker") && !xml::first_child(x, "podman") && !xml::first_child(x, "rkt"))
        return config_invalid("bundle '" + xml::attr_or(x, "id") + "' has no container (docker, podman or rkt)");
      ws.warnings.push_back("bundle " + xml::attr_or(x, "id") + " is not supported yet; ignored");
      continue;
    }
    ASSIGN_OR_RETURN(Resource * r, unpack_one(ws, x, nullptr));
    if (r) ws.resources.push_back(r);
  }
  link_remote_nodes(ws);
  for (Resource& r : ws.resource_store)
    if (r.fence_device()) ws.have_stonith_resource = true;
  if (ws.stonith_enabled && !ws.have_stonith_resource && !ws.resources.empty())
    ws.warnings.push_back(
        "resources are neither started nor stopped: stonith-enabled is true but no fencing (stonith) resource is "
        "configured; configure one or set stonith-enabled=false");
  expand_constraint_references(ws);
  // The peer keeps its resource list by priority (stably): that order is the
  // one of assignment, of the status display and of the Transition Summary.
  std::stable_sort(ws.resources.begin(), ws.resources.end(),
                   [](const Resource* a, const Resource* b) { return a->priority > b->priority; });
  return Status::Ok();
}

}  // namespace crm::pengine
