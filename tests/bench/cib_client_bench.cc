// cib_client_bench: CIB changes through the local cibd from one persistent
// client (the connection tools and daemons keep), one change per request.
// Prints figures; asserts nothing. Run inside a lab node (docs/bench.md,
// cib-changes-bench.sh --client).
//
//   cib_client_bench [--count N] [--window W] [--kind config|status] [--tag T] [--node-id ID] [--pipelined-only]
//
// The nvpair written is cib-client-bench-<tag> (status-<node>-cib-client-bench-<tag>).
//   config  N x modify of one crm_config nvpair (a configuration change:
//           epoch+1, validated, replicated as a patch)
//   status  N x modify of one transient attribute of this node (a status
//           change: num_updates+1, replicated as the request)
// Two runs per kind: window 1 (each change waits for its reply: the cost of
// one change) and window W (W requests in flight: the pipeline).
// Output, one line per run:
//   client <kind> window <W>: <N> changes in <s> s = <rate> changes/s, <ms> ms per change
// The last value written is "<tag>-<N>" so a caller can wait for it elsewhere.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "crm/cib/client.h"
#include "crm/core/xml.h"

namespace {

using crm::cib::Op;
using crm::cib::Request;

// This node's id in the CIB: the node_state (or node) named like the host.
std::string local_node_id(crm::cib::CibClient& cib) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  for (const char* xpath : {"/cib/status/node_state[@uname='%s']", "/cib/configuration/nodes/node[@uname='%s']"}) {
    auto found = cib.query("", fmt::format(fmt::runtime(xpath), host));
    if (!found.ok()) continue;
    auto doc = crm::xml::parse(*found, "query");
    if (doc.ok()) {
      if (auto id = crm::xml::attr(crm::xml::root(*doc), "id")) return *id;
    }
  }
  return {};
}

Request change(const std::string& kind, const std::string& tag, const std::string& node_id, const std::string& value) {
  Request r;
  r.op = Op::kModify;
  if (kind == "config") {
    r.section = "crm_config";
    r.fragment = fmt::format(R"(<nvpair id="cib-client-bench-{}" value="{}"/>)", tag, value);
  } else {
    r.section = "status";
    r.allow_create = true;
    r.fragment = fmt::format(
        R"(<node_state id="{0}"><transient_attributes id="{0}"><instance_attributes id="status-{0}">)"
        R"(<nvpair id="status-{0}-cib-client-bench-{2}" name="cib-client-bench-{2}" value="{1}"/>)"
        R"(</instance_attributes></transient_attributes></node_state>)",
        node_id, value, tag);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"CIB changes from one persistent client (prints figures)"};
  size_t count = 1000, window = 32;
  std::string kind = "config", tag = "v";
  app.add_option("--count", count, "changes per run");
  app.add_option("--window", window, "requests in flight in the pipelined run");
  app.add_option("--kind", kind, "config or status")->check(CLI::IsMember({"config", "status"}));
  app.add_option("--tag", tag, "prefix of the values written");
  std::string node_id;
  app.add_option("--node-id", node_id, "this node's id in the CIB (status kind; default: the node named like the host)");
  bool pipelined_only = false;
  app.add_flag("--pipelined-only", pipelined_only, "only the run with --window requests in flight");
  CLI11_PARSE(app, argc, argv);

  auto cib = crm::cib::connect();
  if (!cib.ok()) {
    std::fprintf(stderr, "cib_client_bench: %s\n", cib.status().to_string().c_str());
    return 1;
  }
  if (kind == "config") {
    // The nvpair the runs modify.
    (void)(*cib)->create("crm_config", fmt::format(R"(<cluster_property_set id="cib-client-bench-set-{0}">)"
                                                   R"(<nvpair id="cib-client-bench-{0}" name="cib-client-bench-{0}")"
                                                   R"( value="0"/></cluster_property_set>)",
                                                   tag));
  } else if (node_id.empty()) {
    node_id = local_node_id(**cib);
    if (node_id.empty()) {
      std::fprintf(stderr, "cib_client_bench: this host has no node_state in the CIB\n");
      return 1;
    }
  }
  int failures = 0;
  size_t written = 0;
  std::vector<size_t> windows{1, window};
  if (pipelined_only) windows = {window};
  for (size_t w : windows) {
    std::vector<Request> requests;
    for (size_t i = 0; i < count; ++i)
      requests.push_back(change(kind, tag, node_id, fmt::format("{}-{}", tag, ++written)));
    auto t0 = std::chrono::steady_clock::now();
    auto replies = (*cib)->call_pipelined(requests, w);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const auto& r : replies) {
      if (r.ok()) continue;
      if (failures++ < 3) std::fprintf(stderr, "cib_client_bench: %s\n", r.status().to_string().c_str());
    }
    std::printf("client %s window %zu: %zu changes in %.2f s = %.0f changes/s, %.2f ms per change\n", kind.c_str(),
                w, count, s, count / s, s * 1000 / count);
    std::fflush(stdout);
  }
  std::printf("last value %s-%zu\n", tag.c_str(), written);
  return failures == 0 ? 0 : 1;
}
