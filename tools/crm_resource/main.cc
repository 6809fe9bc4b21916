// crm_resource: resource administration. The by-hand agent actions are in
// force_action.cc; the cluster subcommands (list, locate, move, ban, clear,
// cleanup, parameters, constraints) in cluster_commands.cc.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "agent_commands.h"
#include "cluster_commands.h"
#include "crm/core/duration.h"
#include "force_action.h"

int main(int argc, char** argv) {
  CLI::App app{"crm_resource - display, run or change cluster resources"};
  crm::tools::ForceActionOptions force;
  crm::tools::ClusterCommandOptions cluster;
  app.add_option("-r,--resource", force.resource, "Resource id");
  app.add_flag("-V,--verbose", force.verbose, "Print the agent's output and timing (repeatable)");
  crm::tools::add_force_action_options(app, force);
  crm::tools::add_cluster_options(app, cluster);
  crm::tools::AgentCommandOptions agents;
  crm::tools::add_agent_options(app, agents);
  std::string timeout;
  app.add_option("-T,--timeout", timeout,
                 "Abort if the command does not finish in this time (with --restart, --wait, --force-*; "
                 "a bare number is seconds, as the peer's)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!timeout.empty()) {
    auto ms = crm::parse_duration(timeout);
    if (!ms.ok() || ms->count() <= 0) {
      std::fprintf(stderr, "crm_resource: Invalid value for --timeout: %s\n", timeout.c_str());
      return 64;  // CRM_EX_USAGE
    }
    force.timeout_ms = static_cast<int>(ms->count());
    cluster.timeout_ms = static_cast<long>(ms->count());
  }
  if (crm::tools::agent_command_requested(agents)) return crm::tools::run_agent_command(agents);
  if (!force.action.empty()) return crm::tools::run_force_action(force);
  if (!cluster.command.empty()) {
    cluster.resource = force.resource;
    return crm::tools::run_cluster_command(cluster);
  }
  std::fprintf(stderr, "crm_resource: nothing to do (see --help)\n");
  return 2;
}
