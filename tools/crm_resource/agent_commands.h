// crm_resource's questions about installed agents, as the peer answers them
// (front ends such as crmsh's `crm ra` parse the output):
//
//   --list-standards              ocf lsb service systemd stonith, one a line
//   --list-ocf-providers [TYPE]   providers (holding TYPE)
//   --list-agents STD|ocf:PROV    agent names
//   --list-ocf-alternatives TYPE  the providers that hold TYPE
//   --show-metadata SPEC          the agent's metadata XML (ocf:heartbeat:IPaddr2, stonith:fence_xvm)
//
// Listing scans the agent directories (lrmd::list_agents); metadata comes
// from running the agent through the executor and is checked with its reader
// (lrmd::parse_metadata). Nothing found: "crm_resource: No ... found for X", 105.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace crm::tools {

struct AgentCommandOptions {
  std::string command;  // "standards", "providers", "agents", "alternatives", "metadata" ("" = none)
  std::string spec;     // the option's argument
  CLI::Option* providers = nullptr;  // --list-ocf-providers takes an optional TYPE
};

void add_agent_options(CLI::App& app, AgentCommandOptions& opts);

// True when one of these options was given.
inline bool agent_command_requested(const AgentCommandOptions& opts) {
  return !opts.command.empty() || (opts.providers && opts.providers->count() > 0);
}

// Prints the answer; returns the exit status (0, 105 when nothing is found).
int run_agent_command(AgentCommandOptions opts);

}  // namespace crm::tools
