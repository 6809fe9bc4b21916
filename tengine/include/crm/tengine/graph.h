// The transition graph as the policy engine writes it (Pacemaker's graph.xml
// format): synapses, each with an action set (rsc_op, pseudo_event, crm_event)
// and inputs (triggers naming other actions by id).
//
//   ASSIGN_OR_RETURN(tengine::Graph graph, tengine::Graph::parse(graph_xml));
//   for (const auto& s : graph.synapses) { ... graph.actions.at(s.actions[0]) ... }
//
// A synapse fires when every action named in its inputs is confirmed; firing it
// starts every action in its action set; it is confirmed when they all are.
// Inside the cluster the graph travels as this structure (Graph::from the
// policy engine's Transition); parse() reads the peer's graph.xml files.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/status.h"

namespace crm::pengine {
struct Transition;
}

namespace crm::tengine {

enum class ActionType { kRscOp, kPseudo, kCrmEvent };
const char* action_type_name(ActionType type);  // "rsc_op", "pseudo_event", "crm_event"

// One action of a graph.
struct Action {
  int id = 0;
  ActionType type = ActionType::kPseudo;
  std::string operation;      // "start", "stop", "monitor", "do_shutdown", "clear_failcount", ...
  std::string operation_key;  // "rsc1_start_0"
  std::string on_node;        // target node name ("" for pseudo events)
  std::string on_node_uuid;
  // From <primitive> (rsc_op only); rsc_long_id is "long-id" when present (clone instances).
  std::string rsc_id, rsc_long_id, rsc_class, rsc_provider, rsc_type;
  // <attributes>: resource parameters plus CRM_meta_* entries.
  std::map<std::string, std::string> attributes;
  std::chrono::milliseconds timeout{0};  // CRM_meta_timeout (0 when absent)
  long interval_ms = 0;                  // CRM_meta_interval
  int target_rc = 0;                     // CRM_meta_op_target_rc (7 for probes), else 0
  std::vector<std::string> downed;       // stonith: the nodes this fencing brings down

  // Resource parameters only (no CRM_meta_*), as the agent receives them.
  std::map<std::string, std::string> parameters() const;
  // A CRM_meta_<name> attribute.
  std::optional<std::string> meta(const std::string& name) const;
};

struct Synapse {
  int id = 0;
  int priority = 0;
  std::vector<int> actions;  // action ids in the action set
  std::vector<int> inputs;   // action ids that must be confirmed first
};

struct Graph {
  int transition_id = 0;
  std::chrono::milliseconds cluster_delay{60000};
  std::chrono::milliseconds stonith_timeout{60000};
  std::vector<Synapse> synapses;
  std::map<int, Action> actions;  // by action id

  // Parses a <transition_graph>. parse-error for malformed XML, invalid-argument
  // for a graph naming an action id twice in action sets or a trigger with no
  // matching action (a graph we could never finish).
  static Result<Graph> parse(std::string_view xml_text);
  // The policy engine's result as a graph, without a trip through XML: one
  // synapse per action, in the engine's order. invalid-argument for an input
  // naming an action the transition does not have.
  static Result<Graph> from(const pengine::Transition& transition);
  bool empty() const { return synapses.empty(); }
  // What the graph does, whatever its ids and order: a hash (16 hex digits)
  // of every action (type, operation key, node, attributes) and every input
  // ("first -> then"), sorted. Two graphs that do the same have the same
  // fingerprint: the DC logs it beside each kept scheduler input, and
  // crm_simulate --graph-fingerprint prints it for a replay of that input.
  std::string fingerprint() const;
};

}  // namespace crm::tengine
