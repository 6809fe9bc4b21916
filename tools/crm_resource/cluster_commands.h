// crm_resource's cluster subcommands: list, locate, move/ban/clear (cli-*
// location constraints), cleanup/refresh (operation history and fail
// counts), resource parameters and meta attributes, the resource's XML and
// its constraints. All through the cib client (cibd, or $CIB_file).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace crm::tools {

struct ClusterCommandOptions {
  std::string command;      // "list", "locate", ... ("" = none requested)
  std::string resource;     // -r (shared with the force actions)
  std::string node;         // -N
  std::string lifetime;     // -u ISO 8601 duration
  std::string parameter;    // -p/-g/-d NAME
  std::string value;        // -v
  bool meta = false;        // --meta
  bool utilization = false; // -z
  std::string set_name;     // -s: the instance_attributes/meta_attributes set id
  bool force = false;       // -f
  bool promoted = false;    // --promoted: move/ban/clear the promoted role only
  bool quiet = false;       // -Q
  bool recursive = false;   // -A (--stack): recursive constraints
  long timeout_ms = 0;      // -T: --wait and --restart (0: their defaults)
};

// Adds the cluster commands' options to `app`.
void add_cluster_options(CLI::App& app, ClusterCommandOptions& opts);

// Runs the requested command; prints the outcome; returns the exit status
// (the peer's crm_exit_t values: 0, 64 usage, 105 no such object, ...).
int run_cluster_command(const ClusterCommandOptions& opts);

}  // namespace crm::tools
