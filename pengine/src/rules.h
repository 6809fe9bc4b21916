// Rule evaluation: node attribute expressions (#uname, #id, #kind and any
// node attribute), date expressions against "now", nested rules joined by
// boolean-op and/or, and score / score-attribute of a rule.
#pragma once

#include <libxml/tree.h>

#include <ctime>
#include <map>
#include <optional>
#include <string>

#include "crm/core/score.h"

namespace crm::pengine {

struct RuleContext {
  const std::map<std::string, std::string>* node_attrs = nullptr;  // null: no node
  std::time_t now = 0;
  std::string rsc_role;  // for role= on rules ("" when not known)
};

// Evaluates a <rule> element. Unknown expression kinds evaluate to false.
bool evaluate_rule(xmlNode* rule, const RuleContext& ctx);

// The score a location rule contributes: score=, or score-attribute= looked
// up in the node's attributes (missing attribute: nullopt, the rule is skipped).
std::optional<Score> rule_score(xmlNode* rule, const RuleContext& ctx);

// Parses an ISO 8601 date/time ("2005-020", "2019-11-05T10:00:00Z",
// "2014-04-02 18:00:00") to seconds since the epoch (UTC).
std::optional<std::time_t> parse_iso8601(const std::string& text);

// Compares two attribute values the way expressions do for operation op
// ("lt", "gt", "lte", "gte", "eq", "ne") with type ("string", "integer",
// "number", "version" or "" for automatic).
bool compare_values(const std::string& lhs, const std::string& rhs, const std::string& op,
                    const std::string& type);

}  // namespace crm::pengine
