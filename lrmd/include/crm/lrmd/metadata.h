// Resource/fence agent meta-data (the OCF <resource-agent> XML): parameters,
// which are required, default action timeouts. Used by the executor to refuse
// a configuration lacking a required parameter before running the agent, and
// by `crm ra info`.
//
//   ASSIGN_OR_RETURN(AgentMetadata md, parse_metadata(xml_text, "ocf:heartbeat:IPaddr2"));
//   for (const std::string& p : md.missing_required(params)) ...
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crm/core/status.h"

namespace crm::lrmd {

struct AgentParameter {
  std::string name;
  bool required = false;
  bool unique = false;
  std::string type;           // content type: string, integer, boolean, ...
  std::optional<std::string> default_value;
  std::string shortdesc;
  std::string longdesc;
};

struct AgentAction {
  std::string name;           // start, monitor, ...
  uint32_t timeout_ms = 0;    // 0 = not given
  uint32_t interval_ms = 0;
  std::string depth;          // OCF_CHECK_LEVEL
  std::string role;           // Promoted/Unpromoted (or legacy Master/Slave)
};

struct AgentMetadata {
  std::string name;
  std::string version;
  std::string shortdesc;
  std::string longdesc;
  std::vector<AgentParameter> parameters;
  std::vector<AgentAction> actions;

  const AgentParameter* parameter(const std::string& param_name) const;
  // First action of that name (for monitor: the one with the smallest interval
  // when `interval_ms` is 0, else the one with that interval).
  const AgentAction* action(const std::string& action_name, uint32_t interval_ms = 0) const;
  // The advertised timeout for an action, if any.
  std::optional<uint32_t> default_timeout_ms(const std::string& action_name) const;
  // Required parameters absent (or empty) in `params`, in meta-data order.
  // Names in `ignore` are never reported (the fencer supplies port/action).
  std::vector<std::string> missing_required(const std::map<std::string, std::string>& params,
                                            const std::vector<std::string>& ignore = {}) const;
};

// Parses the XML an agent prints for meta-data/metadata. `source` names the
// agent in errors ("ocf:heartbeat:IPaddr2: line 3: ...").
Result<AgentMetadata> parse_metadata(const std::string& xml_text, const std::string& source);

}  // namespace crm::lrmd
