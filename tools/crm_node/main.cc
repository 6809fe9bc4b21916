// crm_node: low-level node information (the peer's crm_node): this node's
// name and id, the partition's members, quorum, every known node, and
// removing a node from the configuration. Live: from the controller's status
// socket; with CIB_file: from the file (node_state records, have-quorum).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "crm/cib/client.h"
#include "crm/core/xml.h"
#include "crm/tools/admin.h"

namespace {

using namespace crm;
using namespace crm::tools;

struct Known {
  std::string id, name;
  bool member = false;
};

std::string local_hostname() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  std::string s = buf;
  if (auto dot = s.find('.'); dot != std::string::npos) s.resize(dot);
  return s;
}

bool node_state_member(const xmlNode* ns) {
  return xml::attr_or(ns, "in_ccm") == "true" && xml::attr_or(ns, "crmd", "online") == "online";
}

// Every node the CIB knows (configuration, then status-only ones), membership from node_state.
std::vector<Known> known_from_cib(const cib::Cib& cib) {
  std::vector<Known> out;
  std::map<std::string, size_t> index;
  auto add = [&](const std::string& id, const std::string& name) -> Known& {
    auto it = index.find(id);
    if (it != index.end()) return out[it->second];
    index[id] = out.size();
    out.push_back({id, name, false});
    return out.back();
  };
  if (xmlNode* cfg = cib.configuration())
    if (xmlNode* nodes = xml::first_child(cfg, "nodes"))
      for (xmlNode* n : xml::children(nodes, "node")) {
        if (xml::attr_or(n, "type", "member") != "member") continue;
        add(xml::attr_or(n, "id"), xml::attr_or(n, "uname", xml::attr_or(n, "id")));
      }
  if (xmlNode* st = cib.status())
    for (xmlNode* ns : xml::children(st, "node_state")) {
      Known& k = add(xml::attr_or(ns, "id"), xml::attr_or(ns, "uname", xml::attr_or(ns, "id")));
      k.member = node_state_member(ns);
    }
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool id_less(const Known& a, const Known& b) {
  bool an = !a.id.empty() && std::all_of(a.id.begin(), a.id.end(), is_digit);
  bool bn = !b.id.empty() && std::all_of(b.id.begin(), b.id.end(), is_digit);
  if (an && bn && a.id.size() != b.id.size()) return a.id.size() < b.id.size();
  return a.id < b.id;
}

int fail(const std::string& msg, int rc) {
  std::fprintf(stderr, "crm_node: %s\n", msg.c_str());
  return rc;
}

int remove_node(cib::CibClient& client, const std::string& name, bool force) {
  auto cib = client.query_cib();
  if (!cib.ok()) return fail("cannot read the CIB: " + cib.status().message(), cib.status().exit_code());
  bool online = false, found = false;
  for (const auto& k : known_from_cib(*cib)) {
    if (k.name != name) continue;
    found = true;
    online = online || k.member;
  }
  if (!client.is_file()) {
    if (auto crmd = query_crmd(); crmd.ok())
      for (const auto& m : crmd->members)
        if (m.name == name) online = true;
  }
  if (!found) return fail("No node named '" + name + "' is known to the cluster", kExitNoSuch);
  if (online && !force)
    return fail("node " + name + " is an active member; stop it first, or give --force to remove it anyway",
                kExitUnsafe);
  std::string quoted = "'" + name + "'";
  if (name.find('\'') != std::string::npos) return fail("invalid node name " + name, kExitInvalidParam);
  Status s1 = client.remove_xpath("/cib/configuration/nodes/node[@uname=" + quoted + "]", true);
  if (!s1.ok() && s1.code() != StatusCode::kNotFound)
    return fail("cannot remove node " + name + " from the configuration: " + s1.message(), s1.exit_code());
  Status s2 = client.remove_xpath("/cib/status/node_state[@uname=" + quoted + "]", true);
  if (!s2.ok() && s2.code() != StatusCode::kNotFound)
    return fail("cannot remove node " + name + "'s status: " + s2.message(), s2.exit_code());
  return kExitOk;
}

int run(int argc, char** argv) {
  CLI::App app{"crm_node - display low-level node information"};
  app.set_version_flag("-$,--version", "crm crm_node 0.1");
  bool list = false, name = false, id = false, quorum = false, partition = false, force = false, quiet = false;
  std::string name_for_id, remove;
  int verbose = 0;
  auto* cmds = app.add_option_group("Commands");
  cmds->add_flag("-i,--cluster-id", id, "Display this node's cluster id");
  cmds->add_flag("-l,--list", list, "Display all known members (past and present) of this cluster");
  cmds->add_flag("-n,--name", name, "Display the name used by the cluster for this node");
  cmds->add_flag("-p,--partition", partition, "Display the members of this partition");
  cmds->add_flag("-q,--quorum", quorum, "Display a 1 if our partition has quorum, 0 if not");
  cmds->add_option("-N,--name-for-id", name_for_id, "Display the name used by the cluster for the node with this ID");
  cmds->add_option("-R,--remove", remove, "(Advanced) Remove the (stopped) node with this name from the CIB");
  cmds->require_option(1);
  app.add_flag("-f,--force", force, "With -R: remove even a node that looks active");
  app.add_flag("-Q,--quiet", quiet, "Be less descriptive in output");
  app.add_flag("-V,--verbose", verbose, "Increase debug output");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }

  cib::ClientOptions options = cib::ClientOptions::from_env();
  bool file_mode = !options.file.empty();

  if (!remove.empty()) {
    auto client = cib::connect(options);
    if (!client.ok()) return fail("cannot connect to the CIB: " + client.status().message(), client.status().exit_code());
    return remove_node(**client, remove, force);
  }

  // Live: the controller knows this node, the partition and quorum.
  std::optional<CrmdStatus> crmd;
  if (!file_mode) {
    auto c = query_crmd();
    if (c.ok()) crmd = *c;
  }
  std::optional<cib::Cib> cib;
  auto need_cib = [&]() -> Status {
    if (cib) return Status::Ok();
    auto client = cib::connect(options);
    if (!client.ok()) return client.status();
    auto c = (*client)->query_cib();
    if (!c.ok()) return c.status();
    cib = std::move(*c);
    return Status::Ok();
  };

  if (name) {
    std::cout << (crmd ? crmd->name : local_hostname()) << "\n";
    return kExitOk;
  }
  if (id) {
    if (crmd) {
      std::cout << crmd->node_id << "\n";
      return kExitOk;
    }
    if (Status s = need_cib(); !s.ok()) return fail("cannot reach the controller or the CIB: " + s.message(), kExitUnavailable);
    auto nid = node_id_for(*cib, local_hostname());
    if (!nid.ok()) return fail("this node (" + local_hostname() + ") is not in the CIB", kExitNoSuch);
    std::cout << *nid << "\n";
    return kExitOk;
  }
  if (!crmd) {
    if (Status s = need_cib(); !s.ok())
      return fail("cannot reach the controller or the CIB: " + s.message(), kExitUnavailable);
  }
  if (quorum) {
    bool q = crmd ? crmd->quorate : cluster_info_from_cib(cib->copy()).quorate;
    std::cout << (q ? 1 : 0) << "\n";
    return q ? kExitOk : kExitQuorum;
  }
  std::vector<Known> known;
  if (crmd) {
    for (const auto& m : crmd->members) known.push_back({m.id, m.name, true});
    if (need_cib().ok()) {
      for (const auto& k : known_from_cib(*cib)) {
        bool seen = std::any_of(known.begin(), known.end(), [&](const Known& x) { return x.id == k.id || x.name == k.name; });
        if (!seen) known.push_back({k.id, k.name, false});
      }
    }
  } else {
    known = known_from_cib(*cib);
  }
  std::stable_sort(known.begin(), known.end(), id_less);
  if (!name_for_id.empty()) {
    for (const auto& k : known)
      if (k.id == name_for_id) {
        std::cout << k.name << "\n";
        return kExitOk;
      }
    return fail("Node ID " + name_for_id + " not found", kExitNoSuch);
  }
  if (partition) {
    std::string line;
    std::vector<std::string> names;
    for (const auto& k : known)
      if (k.member) names.push_back(k.name);
    std::sort(names.begin(), names.end(), natural_less);
    for (const auto& n : names) line += (line.empty() ? "" : " ") + n;
    std::cout << line << "\n";
    return kExitOk;
  }
  for (const auto& k : known) {
    if (quiet) std::cout << k.name << "\n";
    else std::cout << k.id << " " << k.name << " " << (k.member ? "member" : "lost") << "\n";
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
