// crm_resource's by-hand agent actions (the peer's --force-start,
// --force-stop, --force-check, --force-promote, --force-demote and
// --validate): run one action of one resource's agent in-process through
// lrmd::Executor, bypassing the cluster, and print the result.
//
// The agent comes from --class/--provider/--agent/--option, or from the
// resource's definition in the CIB file named by $CIB_file (class, provider,
// type, instance attributes, meta attributes as CRM_meta_*).
#pragma once

#include <CLI/CLI.hpp>

#include <map>
#include <string>
#include <vector>

#include "crm/core/status.h"
#include "crm/lrmd/lrmd.h"

namespace crm::tools {

struct ForceActionOptions {
  std::string resource;  // -r
  std::string action;    // start, stop, monitor, promote, demote, validate-all ("" = none requested)
  std::string agent_class, provider, agent;
  std::vector<std::string> options;  // name=value
  int timeout_ms = 0;                // 0: the agent's advertised timeout, else 20 s
  int verbose = 0;
};

// Adds the --force-* / --validate and agent options to `app`.
void add_force_action_options(CLI::App& app, ForceActionOptions& opts);

// Builds the request from the options and/or $CIB_file.
Result<lrmd::ExecRequest> build_force_request(const ForceActionOptions& opts);

// Runs the requested action; prints the outcome; returns the exit status
// (the agent's OCF rc when it ran; 1 for errors, 124 for a timeout, 2 for usage).
int run_force_action(const ForceActionOptions& opts);

}  // namespace crm::tools
