// The policy engine: a pure function from a CIB document and "now" to a
// transition graph, placement scores and a summary. No files, sockets or
// clocks are touched here; callers (crm_simulate, the controller) do the I/O.
//
//   ASSIGN_OR_RETURN(xml::DocPtr cib, xml::parse_file("cib.xml"));
//   ASSIGN_OR_RETURN(Transition t, pengine::schedule(cib.get(), clock.wall_now()));
//   std::cout << pengine::graph_to_xml(t);                 // what the transition engine runs
//   std::cout << pengine::format_cluster_status(t.after);   // what the cluster will look like
//
// schedule() fails (never crashes, never returns a partial graph) on input it
// cannot act on: an ordering cycle (the error names the constraints in it), a
// constraint naming an unknown resource, or a configuration no placement can
// satisfy in a consistent way. The caller owns the document; schedule() does
// not modify it and keeps no pointer into it after returning.
#pragma once

#include <libxml/tree.h>

#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "crm/core/score.h"
#include "crm/core/status.h"
#include "crm/core/ticket.h"

namespace crm::pengine {

enum class Role { kUnknown, kStopped, kStarted, kUnpromoted, kPromoted };

// "Stopped", "Started", "Unpromoted", "Promoted" ("Unknown" for kUnknown).
const char* role_text(Role role);

struct ScheduleOptions {
  // Compute score lines (costs time on big inputs; crm_simulate -s).
  bool want_scores = false;
  // Node capacities before and after assignment and each assigned
  // resource's utilization (crm_simulate -U), in Transition::utilization.
  bool want_utilization = false;
  // The input's secret parameters are masked (as in saved or simulated CIBs):
  // a recorded op-secure-digest that still matches means only secrets
  // differ, which is not taken as a definition change (the peer's
  // crm_simulate behaves so).
  bool sanitized = false;
  // The process ends right after (crm_simulate): leave the scheduler's
  // working data unfreed, as compilers do at exit; on big inputs freeing
  // its many small allocations is a noticeable share of the run.
  bool skip_teardown = false;
  // Resources whose scores are explained (Transition::explanations): ids of
  // primitives, groups or clones (their members and instances are explained
  // with them); "*" for every resource. Empty: none, at no cost.
  std::vector<std::string> explain;
};

// ---------------------------------------------------------------------------
// Cluster status: nodes and resources as crm_mon shows them. Built from the
// CIB's status section (Transition::before) or from the expected result of a
// transition (Transition::after).
struct NodeStatus {
  // A cluster member, a Pacemaker Remote node, or a guest node (a remote
  // node living in a resource: a VM or container; `host` is where that runs).
  enum class Kind { kCluster, kRemote, kGuest };
  Kind kind = Kind::kCluster;
  std::string host;
  // How a node list names its kind: "Node", "RemoteNode" or "GuestNode".
  const char* kind_label() const {
    return kind == Kind::kGuest ? "GuestNode" : kind == Kind::kRemote ? "RemoteNode" : "Node";
  }
  std::string name;
  std::string id;
  bool online = false;
  bool standby = false;
  bool standby_with_resources = false;
  bool maintenance = false;
  bool unclean = false;
  bool pending = false;
  bool standby_onfail = false;  // in standby because of a failure (on-fail=standby)
  bool shutdown = false;        // a shutdown was requested
  bool expected_up = false;     // the controller expects it to be a member
  std::string feature_set;      // its controller's feature set ("" when not recorded)
};

struct ResourceStatus {
  enum class Kind { kPrimitive, kGroup, kClone };
  Kind kind = Kind::kPrimitive;
  std::string id;
  std::string agent;              // "ocf:heartbeat:Dummy" (primitives)
  Role role = Role::kStopped;     // primitives
  std::vector<std::string> nodes; // where active (primitives)
  bool failed = false;
  bool managed = true;
  bool blocked = false;
  bool orphan = false;
  bool disabled = false;          // target-role=Stopped
  std::string pending_task;       // an operation in flight ("start", ...), before the transition
  bool failure_ignored = false;   // a failure with on-fail=ignore
  int clone_max = 0;              // clones: instances wanted (0: not known)
  bool promotable = false;        // clones
  bool unique = false;            // clones
  std::vector<ResourceStatus> children;
};

struct FailedAction {
  std::string op_key;   // rsc_task_interval
  std::string node;
  std::string text;     // "'error' (1)"
};

// A ticket's state at this site (status/tickets/ticket_state).
using TicketStatus = crm::TicketState;

struct ClusterStatus {
  std::vector<TicketStatus> tickets;       // those with a state, by id
  std::vector<NodeStatus> nodes;           // configuration order
  std::vector<ResourceStatus> resources;   // priority, then configuration order
  std::vector<FailedAction> failed_actions;
  // Counts of resource instances (primitives; orphans only while active).
  int instances = 0;
  int disabled = 0;  // target-role Stopped (or Unpromoted in a promotable clone)
  int blocked = 0;   // blocked from further action by a failure
  bool maintenance_mode = false;
};

// Formats a status in crm_mon's text layout ("  * Node List:", "  * Full List
// of Resources:", ...), as used inside crm_simulate's summary. Never fails.
std::string format_cluster_status(const ClusterStatus& status, bool with_failed_actions = true);
// The node list of that layout, each line starting with `indent` + "* ":
// nodes in an unusual state one per line ("RemoteNode r1: UNCLEAN
// (offline)"), the others in lists (Online, OFFLINE, RemoteOnline,
// RemoteOFFLINE, GuestOnline; an offline guest node is not listed).
std::string format_node_list(const std::vector<NodeStatus>& nodes, const std::string& indent);

// Reads only the status of a CIB (for crm_mon): nodes, each resource's role and
// location from its operation history, failed operations. Errors as schedule().
Result<ClusterStatus> read_cluster_status(xmlDoc* cib, std::time_t now);

// ---------------------------------------------------------------------------
// Transition graph.
struct GraphAction {
  enum class Type { kRscOp, kPseudo, kCrmEvent };
  Type type = Type::kRscOp;
  int id = 0;
  std::string task;          // operation: start, stop, monitor, stonith, ...
  std::string key;           // operation_key: rsc1_start_0, clone:1_start_0, or clone_start_0 (an
                             // anonymous instance its history knows as "clone")
  std::string internal_key;  // the instance's own key when `key` is its history's ("clone:0_start_0")
  std::string node;          // on_node ("" for pseudo actions)
  std::string node_uuid;
  std::string router_node;   // on a remote node: the cluster node holding its connection, which runs it
  std::string rsc_id;        // resource id as the executor knows it (rsc1, clone:0)
  std::string rsc_long_id;   // long-id for anonymous clone instances
  std::string rsc_class, rsc_provider, rsc_type;
  std::map<std::string, std::string> attributes;  // parameters + CRM_meta_*
  std::vector<std::string> downed;                // stonith: nodes brought down
  int priority = 0;                               // synapse priority
  std::vector<int> inputs;                        // ids of actions that must complete first
  std::string summary;                            // "Resource action: rsc1 start on node1"
};

struct ScoreLine {
  std::string stage;      // pcmk__primitive_assign, pcmk__group_assign, ... or "" for promotion
  std::string resource;
  std::string node;
  Score score = 0;
  bool promotion = false;
};

// ---------------------------------------------------------------------------
// Explanations: where a resource's allocation score on each node comes from
// (ScheduleOptions::explain). Applying the contributions in order, each one
// added with score arithmetic (+INFINITY and -INFINITY saturate, -INFINITY
// wins) or, for `sets`, replacing what came before, gives `total`: the score
// crm_simulate -s shows for the resource and node.
enum class ContributionKind {
  kDefault,      // the start: a symmetric cluster allows every node (its node score)
  kOptIn,        // the start on an opt-in cluster: the node's first location constraint
  kLocation,     // an rsc_location constraint (score or rule); cli-prefer/cli-ban ones too
  kStickiness,   // resource-stickiness on the node where it is active
  kUnmanaged,    // not managed (or the node in maintenance): stays where it is
  kFailCount,    // fail count at migration-threshold
  kFailedStop,   // a failed stop or other failure that bans the node
  kHardError,    // a hard error (not installed, not configured) on the node
  kUnrunnable,   // a fatal error: the resource may run nowhere
  kColocation,   // an rsc_colocation (or a group's own chain) with another resource
  kDependents,   // resources colocated with this one pull it towards their nodes
  kTargetRole,   // target-role=Stopped
  kTicket,       // an rsc_ticket whose ticket is not granted (or in standby)
  kClone,        // a clone instance: what the clone allows, clone-max, clone-node-max
  kOther,        // a step the explanation does not break down further
};
const char* contribution_kind_text(ContributionKind kind);  // "location", "stickiness", ...

struct ScoreContribution {
  ContributionKind kind = ContributionKind::kOther;
  std::string source;  // the constraint, resource or option it comes from ("" for none)
  std::string text;    // in plain words
  Score score = 0;
  bool sets = false;   // the score becomes `score` (instead of adding it)
};

struct NodeExplanation {
  std::string node;
  bool allowed = false;  // in the resource's allocation scores (false: never allowed there)
  Score total = 0;       // the allocation score (kMinusInfinity when not allowed)
  std::vector<ScoreContribution> contributions;
  std::string unavailable;  // why the node can run nothing ("offline", "standby", ...), "" if it can
};

struct ResourceExplanation {
  std::string resource;   // a primitive (a group member or clone instance included)
  std::string parent;     // its group or clone ("" for none)
  std::vector<std::string> active_on;  // before the transition
  std::string next_node;  // after it ("" for stopped)
  Role next_role = Role::kStopped;
  std::vector<NodeExplanation> nodes;  // the cluster's node order
  // The one reason that decides, in plain words ("runs on n1: ...", "cannot
  // run anywhere: ...").
  std::string decision;
  // The configuration items behind the decision that an administrator may
  // have left behind (cli-prefer-*/cli-ban-* from move/ban, with lifetimes).
  std::vector<std::string> leftovers;
};

struct Transition {
  std::map<std::string, std::string> graph_attributes;  // cluster-delay, stonith-timeout, ...
  std::vector<GraphAction> actions;   // synapse order; ids in GraphAction::id
  std::vector<int> execution_order;   // indexes into actions, a topological order
  std::vector<std::string> summary;   // Transition Summary lines without the leading "  * "
  std::vector<ScoreLine> scores;      // when ScheduleOptions::want_scores
  // When ScheduleOptions::want_utilization, the peer's lines: "Original: n1
  // capacity: cpu=4 mem=2048", "pcmk__assign_resource: r1 utilization on n1:
  // cpu=1", "Remaining: n1 capacity: cpu=3 mem=2048" (attributes by name).
  std::vector<std::string> utilization;
  std::vector<std::string> warnings;  // configuration problems that did not stop scheduling
  std::vector<ResourceExplanation> explanations;  // ScheduleOptions::explain, resource order
  ClusterStatus before;               // as read from the status section
  ClusterStatus after;                // once every action of the graph succeeded
};

// Parses a date for "now": ISO 8601 ("2005-020", "2019-11-05T10:00:00Z",
// "2014-04-02 18:00:00"), as seconds since the epoch (UTC).
Result<std::time_t> parse_date(const std::string& text);

// Computes the transition for `cib` at time `now` (seconds since the epoch).
// On success the Transition is complete. On failure: kConfigInvalid for
// ordering cycles, unknown resources in constraints and impossible
// configurations; kParseError for a document that is not a CIB.
Result<Transition> schedule(xmlDoc* cib, std::time_t now, const ScheduleOptions& options = {});

// The graph as the transition engine reads it (<transition_graph>).
std::string graph_to_xml(const Transition& t);
// The graph in the dot layout of the peer (sorted action and edge lines).
std::string graph_to_dot(const Transition& t);
// Score lines as crm_simulate -s prints them, sorted.
std::vector<std::string> format_scores(const Transition& t);
// "Transition Summary:" section plus its items, padded like the peer.
std::string format_transition_summary(const Transition& t);
// "Executing Cluster Transition:" items in execution order.
std::string format_execution(const Transition& t);

}  // namespace crm::pengine
