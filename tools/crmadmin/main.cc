// crmadmin: ask the controller about itself and the cluster, as the peer's
// crmadmin (2.1.5) answers; crmsh's wait4dc parses -D and -S.
//
//   crmadmin -D [-t MS] [-q]   Designated Controller is: n1
//   crmadmin -S NODE [-q]      Controller on n1 in state S_IDLE: ok
//   crmadmin -N [TYPES] [-q|-B] cluster node: n1 (1)  (from the CIB; TYPES: cluster,guest,remote)
//
// -D asks the local controller over its tool socket (<crmd_query/>,
// docs/crmd.md); -S NODE asks it to ping NODE's controller over the cluster
// (<crmd_ping/>). Exit codes as the peer's: 102 when the controller cannot be
// reached, 124 when it does not answer in time, 105 for a node without a
// controller in the cluster.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "crm/cib/client.h"
#include "crm/core/duration.h"
#include "crm/core/xml.h"
#include "crm/tools/admin.h"

namespace {

using namespace crm;
using namespace crm::tools;

constexpr int kExitDisconnect = 102;  // CRM_EX_DISCONNECT
constexpr int kExitTimeout = 124;     // CRM_EX_TIMEOUT

int controller_error(const Status& s, long timeout_ms) {
  if (s.code() == StatusCode::kTimeout) {
    std::fprintf(stderr, "error: No reply received from controller before timeout (%ldms)\n", timeout_ms);
    std::fprintf(stderr, "error: Command failed: Timer expired\n");
    return kExitTimeout;
  }
  if (s.code() != StatusCode::kUnavailable) {
    std::fprintf(stderr, "error: Command failed: %s\n", s.message().c_str());
    return kExitError;
  }
  std::fprintf(stderr, "error: Could not connect to controller: Connection refused\n");
  std::fprintf(stderr, "error: Command failed: Connection refused\n");
  return kExitDisconnect;
}

int list_nodes(std::string types, bool quiet, bool bash_export) {
  auto client = cib::connect();
  if (!client.ok()) {
    std::fprintf(stderr, "error: Command failed: %s\n", client.status().message().c_str());
    return client.status().exit_code();
  }
  auto text = (*client)->query();
  if (!text.ok()) {
    std::fprintf(stderr, "error: Command failed: %s\n", text.status().message().c_str());
    return text.status().exit_code();
  }
  auto doc = xml::parse(*text, "CIB");
  if (!doc.ok()) return doc.status().exit_code();
  if (types.find("all") != std::string::npos) types.clear();
  auto wants = [&](const char* t) { return types.empty() || types.find(t) != std::string::npos; };
  int found = 0;
  auto print = [&](const char* type, const std::string& name, const std::string& id) {
    ++found;
    if (quiet) std::printf("%s\n", name.c_str());
    else if (bash_export) std::printf("export %s=%s\n", name.c_str(), id.c_str());
    else std::printf("%s node: %s (%s)\n", type, name.c_str(), id.c_str());
  };
  struct Kind {
    const char* type;
    const char* xpath;
    const char* id_attr;
  };
  const Kind kinds[] = {
      {"cluster", "/cib/configuration/nodes/node[not(@type) or @type='member']", "id"},
      {"guest", "/cib/configuration//primitive//meta_attributes//nvpair[@name='remote-node']", "value"},
      {"remote", "/cib/configuration//primitive[@type='remote'][@provider='pacemaker']", "id"},
  };
  for (const Kind& k : kinds) {
    if (!wants(k.type)) continue;
    auto nodes = xml::xpath(doc->get(), k.xpath);
    if (!nodes.ok()) continue;
    for (xmlNode* n : *nodes) {
      std::string id = xml::attr_or(n, k.id_attr);
      print(k.type, xml::attr_or(n, "uname", id), id);
    }
  }
  if (found == 0) std::printf("No nodes configured\n");
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"crmadmin - development tool for performing some controller-specific commands"};
  bool dc_lookup = false, quiet = false, bash_export = false;
  std::string status_node, timeout = "30s", node_types;
  int verbose = 0;
  auto* d = app.add_flag("-D,--dc_lookup", dc_lookup, "Display the uname of the node co-ordinating the cluster");
  auto* s = app.add_option("-S,--status", status_node, "Display the status of the specified node");
  auto* n = app.add_option("-N,--nodes", node_types,
                           "Display the uname of all member nodes [optionally filtered by type (comma-separated)]")
                ->expected(0, 1);
  app.add_option("-t,--timeout", timeout, "Time to wait before declaring the operation failed (default 30s)");
  app.add_flag("-B,--bash-export", bash_export, "Display nodes as shell commands of the form 'export uname=uuid' (with -N)");
  app.add_flag("-q,--quiet", quiet, "Display only the essential query information");
  app.add_flag("-V,--verbose", verbose, "Increase debug output");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  int commands = (d->count() > 0) + (s->count() > 0) + (n->count() > 0);
  if (commands != 1) {
    std::fprintf(stderr, "error: Must specify a command option\n%s", app.help().c_str());
    return kExitUsage;
  }
  auto ms = parse_duration(timeout, 1);  // the peer reads -t in milliseconds when bare
  if (!ms.ok() || ms->count() <= 0) {
    std::fprintf(stderr, "error: Invalid value for --timeout: %s\n", timeout.c_str());
    return kExitUsage;
  }
  long timeout_ms = static_cast<long>(ms->count());

  if (n->count() > 0) return list_nodes(node_types, quiet, bash_export);

  if (!dc_lookup) {
    auto state = ping_controller(status_node, std::chrono::milliseconds(timeout_ms));
    if (!state.ok()) {
      if (state.status().code() != StatusCode::kNotFound) return controller_error(state.status(), timeout_ms);
      std::fprintf(stderr, "error: Command failed: %s\n", state.status().message().c_str());
      return kExitNoSuch;
    }
    if (quiet) std::printf("%s\n", state->c_str());
    else std::printf("Controller on %s in state %s: ok\n", status_node.c_str(), state->c_str());
    return kExitOk;
  }
  auto st = query_crmd(std::chrono::milliseconds(timeout_ms));
  if (!st.ok()) return controller_error(st.status(), timeout_ms);
  if (st->dc_id.empty() || st->dc_id == "0" || st->dc_name.empty()) {
    std::fprintf(stderr, "error: Command failed: No DC elected (the controller is in state %s)\n", st->state.c_str());
    return kExitUnavailable;
  }
  if (quiet) std::printf("%s\n", st->dc_name.c_str());
  else std::printf("Designated Controller is: %s\n", st->dc_name.c_str());
  return kExitOk;
}
