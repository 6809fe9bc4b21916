// Status displays (crm_mon, crm_resource -L, crm_shell status): the text layout of the peer's `crm_mon -1` and a
// simple XML form, built from the cluster view (tools/common) and the
// policy engine's reading of the status section, so that the tool and the
// scheduler agree on where each resource is.
#pragma once

#include <ctime>
#include <set>
#include <string>
#include <vector>

#include "crm/core/op_history.h"
#include "crm/pengine/pengine.h"
#include "crm/tools/admin.h"

namespace crm::tools {

struct MonOptions {
  bool inactive = false;    // -r: show inactive resources too
  bool failcounts = false;  // -f: migration summary
  bool attributes = false;  // -A: node attributes
  bool xml = false;         // --output-as=xml
  bool show_nodes = true;   // false: roles without node names (crm_resource -L)
  std::string request;      // the command line, for the XML header
  int fence_history = 1;    // -m LEVEL: crm_mon's fencing sections (tools/crm_mon)
  bool operations = false;  // -o: each node's operation history ("Operations:" instead of the migration summary)
  bool timing = false;      // -t: with -o, each operation's times and result
  bool group_by_node = false;  // -n: each node with the resources active there, then (with -r) the inactive ones
  bool tickets = false;        // -c: this site's tickets
  // crm_mon --include/--exclude: the text sections shown (stack, dc, times,
  // counts, maint-mode, nodes, resources, attributes, failcounts,
  // operations, failures); empty: the defaults and the flags above.
  std::set<std::string> sections;
};
// Whether the text layout shows `section` under `opt`.
bool shows_section(const MonOptions& opt, const std::string& section);

// One failed operation as crm_mon lists it: its history record, the node it
// is recorded on, the resource and the operation key it is shown under.
struct FailedOp : OpRecord {
  std::string rsc, node, op_key;
  bool keyed = true;  // the record names its operation_key (old ones only have an id)
};
// Failed operations recorded in the status section (rc differing from the
// expected one, or an execution status other than done/pending).
std::vector<FailedOp> failed_operations(const cib::Cib& cib);

// A primitive active on a node, and whether it is an instance of an
// anonymous clone (shown by its primitive's name).
struct ActiveResource {
  const pengine::ResourceStatus* rsc;
  bool anonymous;
};
// The primitives active on `node`, in the order its status section lists
// their histories (the peer's order of a node's resources: crm_mon -n,
// crm_resource --why -N).
std::vector<ActiveResource> active_on_node(const cib::Cib& cib, const pengine::ClusterStatus& st,
                                           const std::string& node);

// A failcount entry for the migration summary.
struct FailCount {
  std::string node, rsc;
  long count = 0;  // INFINITY = 1000000
  std::time_t last_failure = 0;
  long threshold = 1000000;
};
std::vector<FailCount> fail_counts(const cib::Cib& cib);

// An interval in ms as the peer shows it ("10s", "1m30s", "500ms").
std::string interval_text(long ms);

// The resource lines of the text layout ("  * rsc\t(agent):\t Started n1"), no header.
std::string format_resources(const ClusterInfo& info, const pengine::ClusterStatus& st, const MonOptions& opt);
// One resource (any level) in the same layout, without the leading "* "; "" when unknown.
std::string format_one_resource(const ClusterInfo& info, const pengine::ClusterStatus& st, const std::string& id,
                                const MonOptions& opt);
// crm_mon's "Tickets:" section (text: with its leading blank line) and its
// <tickets> element; "" when no ticket has a state.
std::string tickets_text(const pengine::ClusterStatus& st);
std::string tickets_xml(const pengine::ClusterStatus& st);
std::string format_text(const ClusterInfo& info, const pengine::ClusterStatus& st, const MonOptions& opt,
                        std::time_t now);
std::string format_xml(const ClusterInfo& info, const pengine::ClusterStatus& st, const MonOptions& opt,
                       std::time_t now);
// A policy-engine explanation (crm_resource --explain, crm_shell explain):
// the decision, then node by node the allocation score and the
// contributions that add up to it, and the cli-* constraints behind it.
std::string format_explanation(const pengine::ResourceExplanation& e);

// One line for monitoring scripts (crm_mon -s): "CLUSTER OK: ...", exit code via `rc`.
std::string format_simple(const ClusterInfo& info, const pengine::ClusterStatus& st, int* rc);

}  // namespace crm::tools
