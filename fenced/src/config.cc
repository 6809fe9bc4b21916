#include "config.h"
#include "crm/core/duration.h"
#include "crm/core/nvpair.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "crm/core/boolean.h"
#include "crm/core/xml.h"

namespace crm::fenced {
namespace {

bool is_delim(char c) { return c == ' ' || c == ',' || c == ';' || c == '\t' || c == '\n' || c == '\r'; }

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

void collect_stonith_primitives(const xmlNode* node, std::vector<xmlNode*>& out) {
  for (xmlNode* c : xml::children(node)) {
    if (xml::is(c, "primitive")) {
      if (xml::attr_or(c, "class") == "stonith") out.push_back(c);
    } else if (xml::is(c, "group") || xml::is(c, "clone") || xml::is(c, "master") || xml::is(c, "bundle")) {
      collect_stonith_primitives(c, out);
    }
  }
}

const std::set<std::string> kActions = {"reboot", "off", "on", "list", "status", "monitor"};

}  // namespace

bool AgentInfo::supports(const std::string& action) const {
  return std::find(actions.begin(), actions.end(), action) != actions.end();
}
bool AgentInfo::has_parameter(const std::string& name) const {
  return std::find(parameters.begin(), parameters.end(), name) != parameters.end();
}

Result<AgentInfo> parse_agent_metadata(const std::string& xml_text) {
  ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse(xml_text, "agent meta-data"));
  xmlNode* root = xml::root(doc);
  if (!xml::is(root, "resource-agent")) return parse_error("agent meta-data: root is not <resource-agent>");
  AgentInfo info;
  info.metadata = xml_text;
  if (xmlNode* params = xml::first_child(root, "parameters")) {
    for (xmlNode* p : xml::children(params, "parameter")) info.parameters.push_back(xml::attr_or(p, "name"));
  }
  if (xmlNode* actions = xml::first_child(root, "actions")) {
    for (xmlNode* a : xml::children(actions, "action")) {
      std::string name = xml::attr_or(a, "name");
      info.actions.push_back(name);
      if (name == "on") {
        info.on_target = is_true(xml::attr_or(a, "on_target"));
        info.automatic_unfence = is_true(xml::attr_or(a, "automatic"));
      }
    }
  }
  return info;
}

const char* host_check_name(HostCheck c) {
  switch (c) {
    case HostCheck::kStaticList: return "static-list";
    case HostCheck::kDynamicList: return "dynamic-list";
    case HostCheck::kStatus: return "status";
    case HostCheck::kNone: return "none";
  }
  return "?";
}

Result<HostCheck> parse_host_check(const std::string& text) {
  if (text == "static-list") return HostCheck::kStaticList;
  if (text == "dynamic-list") return HostCheck::kDynamicList;
  if (text == "status") return HostCheck::kStatus;
  if (text == "none") return HostCheck::kNone;
  return invalid_argument("pcmk_host_check '" + text + "' is not one of static-list, dynamic-list, status, none");
}

std::vector<std::string> parse_host_list(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (is_delim(c)) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

Result<std::map<std::string, std::string>> parse_host_map(const std::string& text) {
  // Entries are separated by ';', spaces or tabs; within an entry "node:ports"
  // (or "node=ports"), ports may contain commas ("n2:2,3").
  std::map<std::string, std::string> out;
  std::string entry;
  auto flush = [&]() -> Status {
    std::string e = trim(entry);
    entry.clear();
    if (e.empty()) return Status::Ok();
    size_t sep = e.find_first_of(":=");
    if (sep == std::string::npos || sep == 0 || sep + 1 >= e.size()) {
      return parse_error("pcmk_host_map entry '" + e + "' is not node:port");
    }
    std::string node = trim(e.substr(0, sep));
    std::string port = trim(e.substr(sep + 1));
    if (node.empty() || port.empty() || port.find_first_of(":=") != std::string::npos) {
      return parse_error("pcmk_host_map entry '" + e + "' is not node:port");
    }
    out[node] = port;
    return Status::Ok();
  };
  for (char c : text) {
    if (c == ';' || c == ' ' || c == '\t' || c == '\n') {
      RETURN_IF_ERROR(flush());
    } else {
      entry += c;
    }
  }
  RETURN_IF_ERROR(flush());
  return out;
}

std::string Device::agent_action(const std::string& action) const {
  auto it = overrides.find(action);
  if (it != overrides.end() && !it->second.agent_action.empty()) return it->second.agent_action;
  return action;
}

milliseconds Device::timeout(const std::string& action, milliseconds request_timeout) const {
  auto it = overrides.find(action);
  if (it != overrides.end() && it->second.timeout) return *it->second.timeout;
  return request_timeout;
}

int Device::retries(const std::string& action) const {
  auto it = overrides.find(action);
  if (it != overrides.end() && it->second.retries) return *it->second.retries;
  return 2;
}

std::string Device::port_for(const std::string& target) const {
  auto it = host_map.find(target);
  return it == host_map.end() ? target : it->second;
}

bool Device::static_match(const std::string& target) const {
  return host_map.count(target) > 0 || std::find(host_list.begin(), host_list.end(), target) != host_list.end();
}

std::string Device::agent_stdin(const std::string& agent_action, const std::string& target) const {
  std::string out = "action=" + agent_action + "\n";
  for (const auto& [k, v] : params) {
    if (k.rfind("pcmk_", 0) == 0 || k == "action" || k == "port" || k == "plug" || k == "provides" ||
        k.rfind("crm_feature_set", 0) == 0) {
      continue;
    }
    out += k + "=" + v + "\n";
  }
  if (!target.empty() && host_argument != "none") out += host_argument + "=" + port_for(target) + "\n";
  if (!target.empty() && info.has_parameter("nodename") && host_argument != "nodename") {
    out += "nodename=" + target + "\n";
  }
  return out;
}

Result<Device> make_device(const std::string& id, const std::string& agent,
                           const std::map<std::string, std::string>& params, AgentCatalog& catalog,
                           const std::map<std::string, std::string>& meta) {
  auto fail = [&](const Status& s) { return s.with_context("fence device '" + id + "' (" + agent + ")"); };
  if (id.empty()) return invalid_argument("a fence device needs an id");
  if (agent.empty()) return fail(invalid_argument("no agent given"));
  auto info = catalog.info(agent);
  if (!info.ok()) return fail(info.status());
  Device d;
  d.id = id;
  d.agent = agent;
  d.params = params;
  d.info = *info;
  auto get = [&](const char* k) -> std::optional<std::string> {
    auto it = params.find(k);
    if (it == params.end()) return std::nullopt;
    return it->second;
  };
  if (auto v = get("pcmk_host_list")) d.host_list = parse_host_list(*v);
  if (auto v = get("pcmk_host_map")) {
    auto m = parse_host_map(*v);
    if (!m.ok()) return fail(m.status());
    d.host_map = *m;
  }
  if (auto v = get("pcmk_host_check")) {
    auto c = parse_host_check(*v);
    if (!c.ok()) return fail(c.status());
    d.check = *c;
  } else if (!d.host_list.empty() || !d.host_map.empty()) {
    d.check = HostCheck::kStaticList;
  } else if (d.info.supports("list") || d.info.actions.empty()) {
    d.check = HostCheck::kDynamicList;
  } else if (d.info.supports("status")) {
    d.check = HostCheck::kStatus;
  } else {
    d.check = HostCheck::kNone;
  }
  if (auto v = get("pcmk_host_argument")) {
    d.host_argument = *v;
  } else if (d.info.has_parameter("plug") && !d.info.has_parameter("port")) {
    d.host_argument = "plug";
  } else {
    d.host_argument = "port";
  }
  for (auto [key, field] : {std::pair{"pcmk_delay_base", &d.delay_base}, std::pair{"pcmk_delay_max", &d.delay_max}}) {
    if (auto v = get(key)) {
      auto ms = parse_duration(*v);
      if (!ms.ok()) return fail(ms.status().with_context(key));
      *field = *ms;
    }
  }
  if (d.delay_max.count() > 0 && d.delay_max < d.delay_base) d.delay_max = d.delay_base;
  if (auto v = get("pcmk_action_limit")) {
    try {
      d.action_limit = std::stoi(*v);
    } catch (...) {
      return fail(invalid_argument("pcmk_action_limit '" + *v + "' is not a number"));
    }
    if (d.action_limit == 0 || d.action_limit < -1) d.action_limit = 1;
  }
  for (const std::string& a : kActions) {
    ActionOverride o;
    if (auto v = get(("pcmk_" + a + "_action").c_str())) o.agent_action = *v;
    if (auto v = get(("pcmk_" + a + "_timeout").c_str())) {
      auto ms = parse_duration(*v);
      if (!ms.ok()) return fail(ms.status().with_context("pcmk_" + a + "_timeout"));
      o.timeout = *ms;
    }
    if (auto v = get(("pcmk_" + a + "_retries").c_str())) {
      try {
        o.retries = std::max(1, std::stoi(*v));
      } catch (...) {
        return fail(invalid_argument("pcmk_" + a + "_retries '" + *v + "' is not a number"));
      }
    }
    if (!o.agent_action.empty() || o.timeout || o.retries) d.overrides[a] = o;
  }
  auto prov = meta.find("provides");
  d.provides_unfencing = (prov != meta.end() && prov->second == "unfencing") || d.info.automatic_unfence;
  return d;
}

bool list_output_names(const std::string& list_output, const std::string& port) {
  for (const std::string& tok : parse_host_list(list_output)) {
    if (tok == port) return true;
  }
  return false;
}

std::string Level::key() const {
  switch (kind) {
    case Kind::kTarget: return target;
    case Kind::kPattern: return "@" + target;
    case Kind::kAttribute: return target + "=" + value;
  }
  return target;
}

bool Level::matches(const std::string& node, const std::map<std::string, std::string>& node_attrs) const {
  switch (kind) {
    case Kind::kTarget: return node == target;
    case Kind::kPattern:
      try {
        return std::regex_search(node, std::regex(target, std::regex::extended));
      } catch (const std::regex_error&) {
        return false;
      }
    case Kind::kAttribute: {
      auto it = node_attrs.find(target);
      return it != node_attrs.end() && it->second == value;
    }
  }
  return false;
}

Level level_from_key(const std::string& key, int index, std::vector<std::string> devices) {
  Level l;
  l.index = index;
  l.devices = std::move(devices);
  if (!key.empty() && key[0] == '@') {
    l.kind = Level::Kind::kPattern;
    l.target = key.substr(1);
  } else if (auto eq = key.find('='); eq != std::string::npos) {
    l.kind = Level::Kind::kAttribute;
    l.target = key.substr(0, eq);
    l.value = key.substr(eq + 1);
  } else {
    l.target = key;
  }
  return l;
}

std::vector<Level> levels_for(const std::vector<Level>& levels, const std::string& node,
                              const std::map<std::string, std::map<std::string, std::string>>& node_attrs) {
  static const std::map<std::string, std::string> kNoAttrs;
  auto attrs_it = node_attrs.find(node);
  const auto& attrs = attrs_it == node_attrs.end() ? kNoAttrs : attrs_it->second;
  std::vector<Level> out;
  for (const Level& l : levels) {
    if (l.kind == Level::Kind::kTarget && l.target == node) out.push_back(l);
  }
  if (out.empty()) {
    std::string chosen;
    for (const Level& l : levels) {
      if (l.kind == Level::Kind::kTarget || !l.matches(node, attrs)) continue;
      if (chosen.empty()) chosen = l.key();
      if (l.key() == chosen) out.push_back(l);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Level& a, const Level& b) { return a.index < b.index; });
  return out;
}

FencerConfig config_from_cib(const xmlDoc* cib, AgentCatalog& catalog, const std::string& local_node) {
  FencerConfig cfg;
  xmlNode* root = xml::root(cib);
  xmlNode* conf = xml::first_child(root, "configuration");
  if (!conf) {
    cfg.problems.push_back(config_invalid("CIB without a configuration section"));
    return cfg;
  }
  // crm_config
  if (xmlNode* crm = xml::first_child(conf, "crm_config")) {
    auto props = nvpair_values(crm, "cluster_property_set");
    if (auto it = props.find("stonith-action"); it != props.end()) {
      std::string a = it->second == "poweroff" ? "off" : it->second;
      if (a == "reboot" || a == "off") {
        cfg.options.stonith_action = a;
      } else {
        cfg.problems.push_back(config_invalid("stonith-action '" + it->second + "' is not reboot or off (using reboot)"));
      }
    }
    if (auto it = props.find("stonith-timeout"); it != props.end()) {
      auto ms = parse_duration(it->second);
      if (ms.ok() && ms->count() > 0) cfg.options.stonith_timeout = *ms;
      else cfg.problems.push_back(config_invalid("stonith-timeout '" + it->second + "' is not a duration (using 60s)"));
    }
    if (auto it = props.find("stonith-enabled"); it != props.end()) cfg.options.stonith_enabled = is_true(it->second);
    if (auto it = props.find("stonith-watchdog-timeout"); it != props.end() && it->second != "0") {
      auto ms = parse_duration(it->second);
      if (ms.ok()) cfg.options.stonith_watchdog_timeout = *ms;
      cfg.problems.push_back(not_supported("stonith-watchdog-timeout '" + it->second +
                                           "': watchdog (SBD) self-fencing is not supported (no watchdog device); "
                                           "only fence devices fence"));
    }
  }
  // node attributes (target-attribute levels)
  if (xmlNode* nodes = xml::first_child(conf, "nodes")) {
    for (xmlNode* n : xml::children(nodes, "node")) {
      std::string uname = xml::attr_or(n, "uname", xml::attr_or(n, "id"));
      cfg.node_attrs[uname] = nvpair_values(n, "instance_attributes");
    }
  }
  // devices
  std::set<std::string> banned;
  if (xmlNode* cons = xml::first_child(conf, "constraints"); cons && !local_node.empty()) {
    for (xmlNode* loc : xml::children(cons, "rsc_location")) {
      std::string score = xml::attr_or(loc, "score");
      if (xml::attr_or(loc, "node") == local_node && (score == "-INFINITY" || score == "-inf")) {
        banned.insert(xml::attr_or(loc, "rsc"));
      }
    }
  }
  std::vector<xmlNode*> prims;
  if (xmlNode* rscs = xml::first_child(conf, "resources")) collect_stonith_primitives(rscs, prims);
  for (xmlNode* p : prims) {
    std::string id = xml::attr_or(p, "id");
    auto meta = nvpair_values(p, "meta_attributes");
    if (auto role = meta.find("target-role"); role != meta.end() && role->second == "Stopped") continue;
    if (banned.count(id)) continue;
    auto d = make_device(id, xml::attr_or(p, "type"), nvpair_values(p, "instance_attributes"), catalog, meta);
    if (d.ok()) {
      if (auto pr = meta.find("priority"); pr != meta.end()) {
        try {
          d->priority = std::stoi(pr->second);
        } catch (...) {
          cfg.problems.push_back(config_invalid("fence device '" + id + "': priority '" + pr->second + "' is not a number"));
        }
      }
    }
    if (!d.ok()) {
      cfg.problems.push_back(d.status());
      continue;
    }
    d->from_cib = true;
    cfg.devices[id] = std::move(*d);
  }
  // topology
  if (xmlNode* topo = xml::first_child(conf, "fencing-topology")) {
    for (xmlNode* f : xml::children(topo, "fencing-level")) {
      std::string id = xml::attr_or(f, "id");
      auto where = [&] { return "fencing-level '" + id + "' (line " + std::to_string(xml::line(f)) + ")"; };
      Level l;
      l.id = id;
      l.from_cib = true;
      if (auto t = xml::attr(f, "target")) {
        l.target = *t;
      } else if (auto pat = xml::attr(f, "target-pattern")) {
        l.kind = Level::Kind::kPattern;
        l.target = *pat;
        try {
          std::regex check(l.target, std::regex::extended);
        } catch (const std::regex_error&) {
          cfg.problems.push_back(config_invalid(where() + ": target-pattern '" + l.target + "' is not a regular expression"));
          continue;
        }
      } else if (auto attr = xml::attr(f, "target-attribute")) {
        l.kind = Level::Kind::kAttribute;
        l.target = *attr;
        l.value = xml::attr_or(f, "target-value");
      } else {
        cfg.problems.push_back(config_invalid(where() + ": no target, target-pattern or target-attribute"));
        continue;
      }
      std::string idx = xml::attr_or(f, "index");
      try {
        l.index = std::stoi(idx);
      } catch (...) {
        l.index = 0;
      }
      if (l.index < 1 || l.index > 9) {
        cfg.problems.push_back(config_invalid(where() + ": index '" + idx + "' is not 1..9"));
        continue;
      }
      l.devices = parse_host_list(xml::attr_or(f, "devices"));
      std::vector<std::string> missing;
      for (const auto& dev : l.devices) {
        if (!cfg.devices.count(dev)) missing.push_back(dev);
      }
      if (l.devices.empty()) {
        cfg.problems.push_back(config_invalid(where() + ": no devices"));
        continue;
      }
      if (!missing.empty()) {
        std::string names;
        for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
        // Kept: the level fails at fencing time and the next one is tried, as the peer does.
        cfg.problems.push_back(config_invalid(where() + ": names device(s) that do not exist: " + names));
      }
      cfg.levels.push_back(std::move(l));
    }
  }
  return cfg;
}

}  // namespace crm::fenced
