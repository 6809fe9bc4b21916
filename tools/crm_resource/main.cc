// crm_resource: resource administration. For now the by-hand agent actions
// (force_action.cc); cluster subcommands (locate/move/clear/cleanup) go in
// their own files and register their options here.
#include <CLI/CLI.hpp>

#include "force_action.h"

int main(int argc, char** argv) {
  CLI::App app{"crm_resource - display, run or change cluster resources"};
  crm::tools::ForceActionOptions force;
  app.add_option("-r,--resource", force.resource, "Resource id");
  app.add_flag("-V,--verbose", force.verbose, "Print the agent's output and timing (repeatable)");
  crm::tools::add_force_action_options(app, force);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!force.action.empty()) return crm::tools::run_force_action(force);
  std::fprintf(stderr, "crm_resource: nothing to do (see --help)\n");
  return 2;
}
