#include "agent_commands.h"

#include <algorithm>
#include <cstdio>

#include "crm/lrmd/lrmd.h"
#include "crm/lrmd/metadata.h"
#include "crm/tools/admin.h"

namespace crm::tools {
namespace {

int nothing_found(const std::string& what, const std::string& spec) {
  if (spec.empty()) {
    std::fprintf(stderr, "crm_resource: No %s found\n", what.c_str());
  } else {
    std::fprintf(stderr, "crm_resource: No %s found for %s\n", what.c_str(), spec.c_str());
  }
  return kExitNoSuch;
}

int print_lines(const std::vector<std::string>& lines) {
  for (const auto& l : lines) std::printf("%s\n", l.c_str());
  return kExitOk;
}

int show_metadata(const std::string& spec) {
  lrmd::ExecRequest req;
  if (Status st = lrmd::parse_agent_spec(spec, &req); !st.ok()) {
    std::fprintf(stderr, "crm_resource: '%s' is not a valid agent specification\n", spec.c_str());
    return kExitNoSuch;
  }
  req.rsc_id = req.type;
  lrmd::AgentPaths paths = lrmd::AgentPaths::defaults();
  if (req.standard == lrmd::kClassLsb) {  // the executor describes any init script; the peer wants it installed
    auto scripts = lrmd::list_agents(paths, lrmd::kClassLsb);
    if (std::find(scripts.begin(), scripts.end(), req.type) == scripts.end()) {
      std::fprintf(stderr, "crm_resource: Metadata query for %s failed: No such device or address\n", spec.c_str());
      return kExitNoSuch;
    }
  }
  req.action = req.standard == lrmd::kClassStonith ? "metadata" : "meta-data";
  req.timeout_ms = 30000;
  lrmd::ExecutorOptions eo;
  lrmd::ExecResult r = lrmd::run_sync(req, eo);
  if (r.op_status != crm::ExecStatus::kDone || r.rc != crm::kOcfOk || r.output.empty() ||
      !lrmd::parse_metadata(r.output, spec).ok()) {
    std::fprintf(stderr, "crm_resource: Metadata query for %s failed: No such device or address\n", spec.c_str());
    return kExitNoSuch;
  }
  std::fwrite(r.output.data(), 1, r.output.size(), stdout);
  if (r.output.back() != '\n') std::fputc('\n', stdout);
  return kExitOk;
}

}  // namespace

void add_agent_options(CLI::App& app, AgentCommandOptions& opts) {
  auto* g = app.add_option_group("Resource agents");
  g->add_flag_callback("--list-standards", [&opts] { opts.command = "standards"; },
                       "List supported standards");
  opts.providers = g->add_option("--list-ocf-providers", opts.spec,
                                 "List all available OCF providers (that hold the given type)")
                       ->expected(0, 1);
  g->add_option("--list-agents", opts.spec, "List all agents of a standard (or ocf:PROVIDER)")
      ->each([&opts](const std::string&) { opts.command = "agents"; });
  g->add_option("--list-ocf-alternatives", opts.spec, "List the OCF providers that hold the given type")
      ->each([&opts](const std::string&) { opts.command = "alternatives"; });
  g->add_option("--show-metadata", opts.spec, "Show the metadata of an agent (STANDARD:[PROVIDER:]TYPE)")
      ->each([&opts](const std::string&) { opts.command = "metadata"; });
}

int run_agent_command(AgentCommandOptions o) {
  if (o.command.empty() && o.providers && o.providers->count() > 0) o.command = "providers";
  lrmd::AgentPaths paths = lrmd::AgentPaths::defaults();
  if (o.command == "standards") return print_lines(lrmd::list_standards());
  if (o.command == "providers" || o.command == "alternatives") {
    auto providers = lrmd::list_ocf_providers(paths, o.spec);
    return providers.empty() ? nothing_found("OCF providers", o.spec) : print_lines(providers);
  }
  if (o.command == "agents") {
    std::string standard = o.spec, provider;
    if (auto colon = standard.find(':'); colon != std::string::npos) {
      provider = standard.substr(colon + 1);
      standard.resize(colon);
    }
    auto agents = lrmd::list_agents(paths, standard, provider);
    if (agents.empty()) {
      if (provider.empty()) {
        std::fprintf(stderr, "crm_resource: No agents found for standard '%s'\n", standard.c_str());
      } else {
        std::fprintf(stderr, "crm_resource: No agents found for standard '%s' and provider '%s'\n",
                     standard.c_str(), provider.c_str());
      }
      return kExitNoSuch;
    }
    return print_lines(agents);
  }
  if (o.command == "metadata") return show_metadata(o.spec);
  return kExitUsage;
}

}  // namespace crm::tools
