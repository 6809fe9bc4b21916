#include "attribute.h"

#include <regex.h>
#include <unistd.h>

#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "crm/attrd/attrd.h"
#include "crm/cib/client.h"
#include "crm/core/nvpair.h"
#include "crm/core/xml.h"
#include "crm/tools/admin.h"

namespace crm::tools {
namespace {

struct Options {
  std::string name, value, node, lifetime, type, set_name, id, default_value;
  std::string pattern;  // -P: every attribute whose name matches (POSIX extended regex, unanchored)
  bool query = false, remove = false, quiet = false, utilization = false;
  bool have_value = false, have_default = false;
  bool promotion = false;
};

const char* kProg = "crm_attribute";

int fail(const std::string& msg, int rc) {
  std::fprintf(stderr, "%s: %s\n", kProg, msg.c_str());
  return rc;
}

std::string local_node_name() {
  if (auto c = query_crmd(std::chrono::milliseconds(2000)); c.ok() && !c->name.empty()) return c->name;
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  std::string s = buf;
  if (auto dot = s.find('.'); dot != std::string::npos) s.resize(dot);
  return s;
}

bool literal_ok(const std::string& s) { return s.find('\'') == std::string::npos; }

// Where the attribute lives: the parent element's XPath, the set element's
// tag and default id, and the XML that wraps a new set for a modify call.
struct Scope {
  std::string section;      // crm_config, rsc_defaults, op_defaults, nodes, status
  std::string parent_xpath; // element holding the sets
  std::string set_tag;      // cluster_property_set, meta_attributes, instance_attributes, utilization
  std::string set_id;       // default set id
  std::string node_id, node_name;
};

Result<Scope> resolve_scope(const cib::Cib& cib, const Options& o) {
  Scope s;
  s.section = o.type;
  if (s.section == "crm_config") {
    s.parent_xpath = "/cib/configuration/crm_config";
    s.set_tag = "cluster_property_set";
    s.set_id = "cib-bootstrap-options";
  } else if (s.section == "rsc_defaults" || s.section == "op_defaults") {
    s.parent_xpath = "/cib/configuration/" + s.section;
    s.set_tag = "meta_attributes";
    s.set_id = s.section == "rsc_defaults" ? "rsc-options" : "op-options";
  } else if (s.section == "nodes" || s.section == "status") {
    s.node_name = o.node.empty() ? local_node_name() : o.node;
    auto id = node_id_for(cib, s.node_name);
    if (!id.ok()) return not_found("Could not map name=" + s.node_name + " to a UUID");
    s.node_id = *id;
    if (!literal_ok(s.node_id)) return invalid_argument("invalid node id " + s.node_id);
    if (s.section == "nodes") {
      s.parent_xpath = "/cib/configuration/nodes/node[@id='" + s.node_id + "']";
      s.set_tag = o.utilization ? "utilization" : "instance_attributes";
      s.set_id = "nodes-" + s.node_id + (o.utilization ? "-utilization" : "");
    } else {
      s.parent_xpath = "/cib/status/node_state[@id='" + s.node_id + "']/transient_attributes";
      s.set_tag = o.utilization ? "utilization" : "instance_attributes";
      s.set_id = "status-" + s.node_id + (o.utilization ? "-utilization" : "");
    }
  } else {
    return invalid_argument("unknown --type " + s.section +
                            " (crm_config, rsc_defaults, op_defaults, nodes, status)");
  }
  if (!o.set_name.empty()) s.set_id = o.set_name;
  return s;
}

// The matching nvpair (by -i id, else by name within -s set / any set of the scope).
xmlNode* find_attribute(const cib::Cib& cib, const Scope& s, const Options& o, xmlNode** set_out) {
  auto parents = xml::xpath(cib.doc(), s.parent_xpath);
  if (!parents.ok() || parents->empty()) return nullptr;
  return find_nvpair_in(
      parents->front(), s.set_tag.c_str(), o.set_name,
      [&o](const xmlNode* nv) { return !o.id.empty() ? xml::attr_or(nv, "id") == o.id : xml::attr_or(nv, "name") == o.name; },
      set_out);
}

// The first plain set of the scope (no rules), for a new nvpair.
std::string existing_set(const cib::Cib& cib, const Scope& s, const Options& o) {
  auto parents = xml::xpath(cib.doc(), s.parent_xpath);
  if (!parents.ok() || parents->empty()) return "";
  for (xmlNode* set : xml::children(parents->front(), s.set_tag.c_str())) {
    if (!o.set_name.empty()) {
      if (xml::attr_or(set, "id") == o.set_name) return o.set_name;
      continue;
    }
    if (xml::first_child(set, "rule")) continue;
    return xml::attr_or(set, "id");
  }
  return "";
}

std::string unique_id(const cib::Cib& cib, const std::string& want) {
  std::string id = xml::make_id(want);
  for (int i = 1; i < 1000; ++i) {
    std::string candidate = i == 1 ? id : id + "-" + std::to_string(i);
    auto found = xml::xpath(cib.doc(), "//*[@id='" + candidate + "']");
    if (!found.ok() || found->empty()) return candidate;
  }
  return id;
}

int do_query(const cib::Cib& cib, const Scope& s, const Options& o, AttributeTool tool) {
  xmlNode* nv = find_attribute(cib, s, o, nullptr);
  std::optional<std::string> value;
  if (nv) value = xml::attr_or(nv, "value");
  else if (o.have_default) value = o.default_value;
  else if (tool == AttributeTool::kCrmStandby) value = "off";
  if (!value) {
    return fail("Error performing operation: No such device or address", kExitNoSuch);
  }
  if (o.quiet) std::cout << *value << "\n";
  else std::cout << "scope=" << s.section << "  name=" << o.name << " value=" << *value << "\n";
  return kExitOk;
}

int do_set(cib::CibClient& client, const cib::Cib& cib, const Scope& s, const Options& o) {
  xmlNode* set = nullptr;
  xmlNode* nv = find_attribute(cib, s, o, &set);
  std::string set_id, nv_id;
  if (nv) {
    set_id = xml::attr_or(set, "id");
    nv_id = xml::attr_or(nv, "id");
  } else {
    set_id = existing_set(cib, s, o);
    if (set_id.empty()) set_id = unique_id(cib, s.set_id);
    nv_id = !o.id.empty() ? o.id : unique_id(cib, set_id + "-" + o.name);
  }
  std::ostringstream inner;
  inner << "<" << s.set_tag << " id=\"" << xml::escape(set_id) << "\"><nvpair id=\"" << xml::escape(nv_id)
        << "\" name=\"" << xml::escape(o.name) << "\" value=\"" << xml::escape(o.value) << "\"/></" << s.set_tag << ">";
  Status st;
  if (s.section == "status") {
    std::string x = "<node_state id=\"" + xml::escape(s.node_id) + "\"><transient_attributes id=\"" +
                    xml::escape(s.node_id) + "\">" + inner.str() + "</transient_attributes></node_state>";
    st = client.modify_status(x);
  } else if (s.section == "nodes") {
    std::string x = "<node id=\"" + xml::escape(s.node_id) + "\" uname=\"" + xml::escape(s.node_name) + "\">" +
                    inner.str() + "</node>";
    st = client.modify("nodes", x, true);
  } else {
    st = client.modify(s.section, "<" + s.section + ">" + inner.str() + "</" + s.section + ">", true);
  }
  if (!st.ok()) return fail("Error performing operation: " + st.message(), st.exit_code());
  return kExitOk;
}

int do_delete(cib::CibClient& client, const cib::Cib& cib, const Scope& s, const Options& o) {
  xmlNode* nv = find_attribute(cib, s, o, nullptr);
  if (!nv) return kExitOk;  // nothing to delete is not an error
  std::string id = xml::attr_or(nv, "id");
  if (!literal_ok(id)) return fail("invalid id " + id, kExitInvalidParam);
  Status st = client.remove_xpath(s.parent_xpath + "/" + s.set_tag + "/nvpair[@id='" + id + "']");
  if (!st.ok() && st.code() != StatusCode::kNotFound)
    return fail("Error performing operation: " + st.message(), st.exit_code());
  if (!o.quiet) {
    if (s.section == "nodes" || s.section == "status")
      std::cout << "Deleted " << s.section << " attribute: id=" << id << " name=" << o.name << "\n";
    else
      std::cout << "Deleted " << s.section << " option: id=" << id << " name=" << o.name << "\n";
  }
  return kExitOk;
}

// A node's transient attributes go through attrd, as the peer's crm_attribute
// does for -l reboot (not with CIB_file): attrd holds them on every node and
// writes them. Returns nullopt when attrd cannot be reached, so the caller
// falls back to writing the CIB itself, as the peer does.
std::optional<int> try_attrd(const Scope& s, const Options& o) {
  if (s.section != "status" || o.utilization || cib::source_from_env().is_file()) return std::nullopt;
  auto client = attrd::AttrdClient::connect();
  if (!client.ok()) return std::nullopt;
  attrd::Update u;
  u.name = o.name;
  u.host = s.node_name;
  u.value = o.remove ? "" : o.value;
  u.set_id = o.set_name;
  Status st = (*client)->update(u);
  if (!st.ok()) {
    return fail("Could not update " + o.name + "=" + (o.remove ? "(null)" : o.value) + ": " + st.message(),
                st.exit_code() ? st.exit_code() : kExitError);
  }
  return kExitOk;
}

// Names of the scope's attributes (in -s SET, when given) that match the
// pattern, in document order, each once. invalid-argument for a bad pattern.
Result<std::vector<std::string>> matching_names(const cib::Cib& cib, const Scope& s, const Options& o) {
  regex_t re;
  if (regcomp(&re, o.pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0)
    return invalid_argument("'" + o.pattern + "' is not a valid regular expression");
  std::vector<std::string> names;
  auto parents = xml::xpath(cib.doc(), s.parent_xpath);
  if (parents.ok() && !parents->empty()) {
    for (xmlNode* set : xml::children(parents->front(), s.set_tag.c_str())) {
      if (!o.set_name.empty() && xml::attr_or(set, "id") != o.set_name) continue;
      for (xmlNode* nv : xml::children(set, "nvpair")) {
        std::string name = xml::attr_or(nv, "name");
        if (regexec(&re, name.c_str(), 0, nullptr, 0) != 0) continue;
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
    }
  }
  regfree(&re);
  return names;
}

// -P: the command for every matching attribute, as the peer does. A query
// that matches nothing is "no such"; a change that matches nothing does nothing.
int for_each_match(cib::CibClient& client, const cib::Cib& cib, const Scope& s, Options o, AttributeTool tool) {
  auto names = matching_names(cib, s, o);
  if (!names.ok()) return fail(names.status().message(), kExitInvalidParam);
  if (names->empty() && o.query) return fail("Error performing operation: No such device or address", kExitNoSuch);
  int rc = kExitOk;
  for (const std::string& name : *names) {
    o.name = name;
    int one;
    if (o.query) {
      one = do_query(cib, s, o, tool);
    } else if (auto via_attrd = try_attrd(s, o)) {
      one = *via_attrd;
    } else {
      one = o.remove ? do_delete(client, cib, s, o) : do_set(client, cib, s, o);
    }
    if (one != kExitOk && rc == kExitOk) rc = one;
  }
  return rc;
}

}  // namespace

int attribute_main(int argc, char** argv, AttributeTool tool) {
  bool standby = tool == AttributeTool::kCrmStandby;
  kProg = standby ? "crm_standby" : "crm_attribute";
  CLI::App app{standby ? "crm_standby - query or change a node's standby state"
                       : "crm_attribute - query and change cluster options and node attributes"};
  app.set_version_flag("-$,--version", std::string("crm ") + kProg + " 0.1");
  Options o;
  auto* cmds = app.add_option_group("Commands");
  cmds->add_flag("-G,--query", o.query, "Query the current value of the attribute");
  cmds->add_flag("-D,--delete", o.remove, "Delete the attribute");
  auto* v = cmds->add_option("-v,--update", o.value, "Update the value of the attribute");
  if (!standby) app.add_option("-n,--name", o.name, "Name of the attribute");
  app.add_option("-N,--node", o.node, "Node to use (default: this node, for node attributes)");
  app.add_option("-l,--lifetime", o.lifetime, "forever (nodes section) or reboot (status section)")
      ->check(CLI::IsMember({"forever", "reboot"}))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // crm_master passes a default, then the agent's
  if (!standby) {
    app.add_option("-t,--type", o.type, "Section: crm_config (default), rsc_defaults, op_defaults, nodes, status")
        ->check(CLI::IsMember({"crm_config", "rsc_defaults", "op_defaults", "nodes", "status"}));
    app.add_option("-s,--set-name", o.set_name, "Id of the attribute set to use (created when absent)");
    app.add_option("-i,--id", o.id, "Id of the nvpair to use (instead of matching by name)");
    app.add_option("-P,--pattern", o.pattern,
                   "Operate on all attributes matching this pattern (with -G, or with -v/-D and -l reboot)");
    app.add_option("-d,--default", o.default_value, "Value to show with -G when the attribute is not set");
    app.add_flag("-z,--utilization", o.utilization, "Use the node's utilization attributes");
  }
  app.add_flag("-q,--quiet", o.quiet, "With -G: print just the value");
  std::string promotion_rsc;
  CLI::Option* promotion = nullptr;
  if (!standby) {
    promotion = app.add_option("-p,--promotion", promotion_rsc,
                               "The promotion score of RESOURCE (default: $OCF_RESOURCE_INSTANCE); lifetime reboot "
                               "unless -l says otherwise")
                    ->expected(0, 1);
  }
  int verbose = 0;
  app.add_flag("-V,--verbose", verbose, "More output");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  o.have_value = v->count() > 0;
  if (promotion && promotion->count() > 0) {
    o.promotion = true;
    if (promotion_rsc.empty()) {
      if (const char* env = std::getenv("OCF_RESOURCE_INSTANCE")) promotion_rsc = env;
    }
    if (promotion_rsc.empty())
      return fail("-p/--promotion must be called from an OCF resource agent or with a resource ID specified",
                  kExitUsage);
    o.name = "master-" + promotion_rsc;
  }

  o.have_default = !standby && app.get_option("--default")->count() > 0;
  if (standby) {
    o.name = "standby";
    if (!o.have_value && !o.remove) o.query = true;
  }
  if (!o.pattern.empty() && (!o.name.empty() || !o.id.empty()))
    return fail("-P/--pattern cannot be combined with -n or -i", kExitUsage);
  if (o.name.empty() && o.id.empty() && o.pattern.empty())
    return fail("an attribute name is needed: -n NAME (or -P PATTERN)", kExitUsage);
  if (o.name.empty()) o.name = o.id.empty() ? o.pattern : o.id;
  if ((o.query ? 1 : 0) + (o.remove ? 1 : 0) + (o.have_value ? 1 : 0) > 1)
    return fail("give only one of -G, -D and -v", kExitUsage);
  if (!o.query && !o.remove && !o.have_value) o.query = true;  // as the peer: query by default
  if (o.type.empty() && o.promotion && o.lifetime.empty()) o.lifetime = "reboot";
  if (o.type.empty()) {
    if (!o.node.empty() || standby || o.utilization || !o.lifetime.empty() || o.promotion)
      o.type = o.lifetime == "reboot" ? "status" : "nodes";
    else
      o.type = "crm_config";
  } else if (o.type == "nodes" && o.lifetime == "reboot") {
    o.type = "status";
  }
  // Called by an agent under the cluster: the node the executor runs it for
  // (decided after the section, which only an explicit -N changes).
  if (o.node.empty() || o.node == "auto" || o.node == "localhost") {
    const char* on = std::getenv("OCF_RESKEY_CRM_meta_on_node");
    o.node = on && *on ? on : "";
  }
  if (standby && o.have_value) {
    if (o.value == "true" || o.value == "yes" || o.value == "1") o.value = "on";
    if (o.value == "false" || o.value == "no" || o.value == "0") o.value = "off";
  }

  auto client = cib::connect();
  if (!client.ok()) return fail("Error connecting to the CIB: " + client.status().message(), client.status().exit_code());
  auto cib = (*client)->query_cib();
  if (!cib.ok()) return fail("Error reading the CIB: " + cib.status().message(), cib.status().exit_code());
  auto scope = resolve_scope(*cib, o);
  if (!scope.ok()) return fail(scope.status().message(), scope.status().exit_code());
  if (!o.pattern.empty()) return for_each_match(**client, *cib, *scope, o, tool);
  if (o.query) return do_query(*cib, *scope, o, tool);
  if (auto via_attrd = try_attrd(*scope, o)) return *via_attrd;
  if (o.remove) return do_delete(**client, *cib, *scope, o);
  return do_set(**client, *cib, *scope, o);
}

}  // namespace crm::tools
