// crm_simulate's CIB edits, kept out of main() so that they can be tested:
//  - what-if injections applied to the status section before scheduling
//    (node up/down/fail, injected operation results, quorum), as the peer's
//    crm_simulate does them;
//  - simulated execution of a transition: every graph action's result is
//    recorded in the status section (lrm_rsc_op records, fencing takes the
//    node down), with optional forced failures (--op-fail) that stop the
//    transition at the failed action, like the peer's.
//
//   ASSIGN_OR_RETURN(auto lines, simulate::apply_injections(doc, inj, now));
//   ASSIGN_OR_RETURN(pengine::Transition t, pengine::schedule(doc, now));
//   ASSIGN_OR_RETURN(auto run, simulate::execute(doc, t, failures, now));
#pragma once

#include <libxml/tree.h>

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "crm/core/status.h"
#include "crm/pengine/pengine.h"

namespace crm::simulate {

// ${resource}_${task}_${interval_in_ms}@${node}=${rc}
struct OpSpec {
  std::string rsc;   // as given (may be "clone:0")
  std::string task;  // start, stop, monitor, promote, demote, ...
  long interval_ms = 0;
  std::string node;
  int rc = 0;
  std::string text;  // the spec as given
};

// Parses an OPSPEC; invalid-argument with the reason on malformed text.
Result<OpSpec> parse_op_spec(const std::string& text);

struct Injections {
  std::vector<std::string> node_up, node_down, node_fail;
  std::vector<std::string> op_inject;  // OPSPECs
  std::optional<bool> quorum;
};

// Applies the injections to `cib` (in this order: quorum, nodes up, down,
// failed, operations). Returns the "Performing Requested Modifications" items
// (without the leading "  * "). Errors: invalid-argument for a malformed
// OPSPEC, not-found for an unknown node or resource; the document may then be
// partly modified.
Result<std::vector<std::string>> apply_injections(xmlDoc* cib, const Injections& injections, std::time_t now);

struct Execution {
  std::vector<std::string> lines;  // "Executing Cluster Transition" items and messages, in order
  bool failed = false;             // an --op-fail spec matched; the transition stopped there
};

// Runs `t` through the transition engine (tengine::Transition) with an
// executor that pretends every action succeeds, recording the results in
// `cib`'s status section; lines follow t.execution_order. An action matching
// one of `failures` gets that rc and its fail-count is incremented; the engine
// then fires nothing new (actions already fired still complete).
Result<Execution> execute(xmlDoc* cib, const pengine::Transition& t, const std::vector<OpSpec>& failures,
                          std::time_t now);

}  // namespace crm::simulate
