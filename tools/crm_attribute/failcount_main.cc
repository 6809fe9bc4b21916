// crm_failcount: query or clear a resource's fail counts on a node, with the
// peer's options and output ("scope=status  name=fail-count-web value=2").
// Clearing is crm_resource --cleanup, as the peer's does, so the controller
// forgets the failures and the history together.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "crm/cib/client.h"
#include "crm/core/duration.h"
#include "crm/core/op_key.h"
#include "crm/core/score.h"
#include "crm/core/xml.h"
#include "crm/tools/admin.h"

namespace {

using namespace crm;

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "error: %s\n\nUsage: crm_failcount <command> [<options>]\n", msg.c_str());
  return tools::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"crm_failcount - query or delete resource fail counts"};
  app.set_version_flag("--version", "crm crm_failcount 0.1");
  bool query = false, remove = false, quiet = false;
  int verbose = 0;
  std::string resource, operation, interval = "0", node, attr_value, ignored;
  app.add_flag("-G,--query,--get-value", query, "Query the current value of the resource's fail count");
  app.add_flag("-D,--delete,--delete-attr", remove, "Delete the resource's recorded failures");
  app.add_flag("-q,-Q,--quiet", quiet, "Print only the value (if querying)");
  app.add_flag("-V,--verbose", verbose, "More output");
  app.add_option("-r,--resource,--resource-id", resource, "The resource (required)");
  app.add_option("-n,--operation", operation, "Only this operation's fail count");
  app.add_option("-I,--interval", interval, "With -n: the operation's interval");
  app.add_option("-N,--node,-U,--uname", node, "The node (default: this one)");
  app.add_option("-v,--attr-value", attr_value, "Deprecated: 0 means --delete");
  app.add_option("-i,--attr-id,-l,--lifetime", ignored, "Deprecated, ignored");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : tools::kExitUsage;
  }
  if (!attr_value.empty()) {
    if (attr_value == "0") remove = true;
    else std::fprintf(stderr, "warning: ignoring deprecated option '-v' with nonzero value\n");
  }
  if (!ignored.empty()) std::fprintf(stderr, "warning: ignoring deprecated option '-i/-l'\n");
  if (!query && !remove) return usage_error("must specify a command");
  if (resource.empty()) return usage_error("resource name required");
  if (node.empty()) {
    if (auto c = tools::query_crmd(std::chrono::milliseconds(2000)); c.ok()) node = c->name;
  }
  if (node.empty()) return usage_error("node name required");
  auto interval_ms = parse_interval(interval);
  if (!interval_ms.ok()) {
    std::fprintf(stderr, "warning: Unrecognized interval, using 0\n");
    interval_ms = std::chrono::milliseconds(0);
  }

  if (remove) {
    std::string crm_resource = "crm_resource";
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec && access((self.parent_path() / "crm_resource").c_str(), X_OK) == 0)
      crm_resource = (self.parent_path() / "crm_resource").string();
    std::vector<std::string> args = {crm_resource};
    if (quiet) args.push_back("--quiet");
    args.insert(args.end(), {"--cleanup", "-N", node, "-r", resource});
    if (!operation.empty()) {
      args.insert(args.end(), {"-n", operation, "-I", std::to_string(interval_ms->count()) + "ms"});
    }
    std::vector<char*> argv2;
    for (auto& a : args) argv2.push_back(a.data());
    argv2.push_back(nullptr);
    execvp(argv2[0], argv2.data());
    std::perror("crm_failcount: running crm_resource");
    return tools::kExitError;
  }

  auto client = cib::connect();
  if (!client.ok()) {
    std::fprintf(stderr, "error: could not query CIB for fail counts\n");
    return client.status().exit_code();
  }
  // Only the node's transient nvpairs, not the whole CIB.
  if (node.find('\'') != std::string::npos) return usage_error("invalid node name " + node);
  auto found = (*client)->query("", "/cib/status/node_state[@uname='" + node +
                                        "']/transient_attributes/instance_attributes/nvpair");
  if (!found.ok() && found.status().code() != StatusCode::kNotFound) {
    std::fprintf(stderr, "error: could not query CIB for fail counts\n");
    return found.status().exit_code();
  }
  xml::DocPtr nvpairs;
  if (found.ok()) {
    auto doc = xml::parse(*found, "CIB query");
    if (doc.ok()) nvpairs = std::move(doc).value();
  }
  // The values of the nvpairs whose name matches `want` (or starts with it).
  auto values = [&](const std::string& want, bool prefix) {
    std::vector<std::string> out;
    xmlNode* r = xml::root(nvpairs);
    if (!r) return out;
    std::vector<xmlNode*> all = xml::is(r, "nvpair") ? std::vector<xmlNode*>{r} : xml::children(r, "nvpair");
    for (xmlNode* nv : all) {
      std::string n = xml::attr_or(nv, "name");
      if (prefix ? n.rfind(want, 0) == 0 : n == want) out.push_back(xml::attr_or(nv, "value"));
    }
    return out;
  };
  auto sum = [](const std::vector<std::string>& vs) {
    Score total = 0;
    for (const auto& v : vs) {
      auto s = parse_score(v);
      if (s.ok()) total = score_add(total, *s);
    }
    return total;
  };
  std::string attr = "fail-count-" + resource;
  std::string display = attr;
  Score count;
  if (!operation.empty()) {
    display = failcount_name(resource, operation, interval_ms->count());
    count = sum(values(display, false));
  } else {
    count = sum(values(attr + "#", true));
  }
  if (count == 0) {
    Score legacy = sum(values(attr, false));  // the peer's older, per-resource name
    if (legacy != 0) {
      count = legacy;
      display = attr;
    }
  }
  if (quiet) std::cout << score_to_string(count) << "\n";
  else std::cout << "scope=status  name=" << display << " value=" << score_to_string(count) << "\n";
  return tools::kExitOk;
}
