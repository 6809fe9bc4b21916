// Operation digests, the one implementation shared by the policy engine
// (which compares them) and the transition engine / controller (which
// records them as op-digest in <lrm_rsc_op>).
//
// The peer's formula: the MD5 (lowercase hex) of
//   ' <parameters a="1" b="2"/>\n'
// (leading space, parameters sorted by name, values XML-escaped, trailing
// newline). The parameters are the resource's (plus the operation's own
// instance attributes); CRM_meta_* entries and crm_feature_set are left out,
// except CRM_meta_timeout (in milliseconds) for recurring operations.
#pragma once

#include <map>
#include <string>

namespace crm::pengine {

// The digest of exactly these parameters (no filtering).
std::string parameters_digest(const std::map<std::string, std::string>& params);

// The op-digest to record for an operation whose action attributes (as in a
// transition graph's <attributes>: parameters plus CRM_meta_*) are `attributes`.
std::string op_digest(const std::map<std::string, std::string>& attributes, long interval_ms = 0);

}  // namespace crm::pengine
