// Alerts: the CIB's <alerts> section names external programs (alert agents)
// that the cluster runs on node, fencing, resource and attribute events, with
// the event in CRM_alert_* environment variables, so the peer's sample
// agents (alert_file.sh.sample, alert_smtp.sh.sample, alert_snmp.sh.sample)
// and administrators' own scripts work unchanged.
//
//   <alerts>
//     <alert id="file" path="/usr/local/bin/alert_file.sh">
//       <select><select_nodes/><select_fencing/></select>      (default: nodes, fencing, resources)
//       <meta_attributes id="file-meta">                        timeout (30s), timestamp-format
//         <nvpair id="file-ts" name="timestamp-format" value="%H:%M:%S.%06N"/>
//       </meta_attributes>
//       <instance_attributes id="file-env"> ... </instance_attributes>   (extra environment)
//       <recipient id="file-log" value="/var/log/cluster-alerts.log"/>
//     </alert>
//   </alerts>
//
// Pure: the controller reads the agents from its CIB copy, turns each event
// into executor requests (class "alert", lrmd runs them) and feeds nothing
// back. Who sends what, as the peer's controller and attribute manager do:
// every node's controller alerts on the nodes corosync sees come and go, on
// every fencing its fencer reports, and on the results of its own resource
// operations (but not a probe that found what it expected); the DC alerts on
// node attribute changes it sees in the CIB.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <libxml/tree.h>

#include "crm/lrmd/lrmd.h"

namespace crm::crmd::alerts {

enum Kind : unsigned { kNode = 1, kFencing = 2, kResource = 4, kAttribute = 8 };
const char* kind_name(Kind k);  // "node", "fencing", "resource", "attribute"

// One alert agent with one recipient (an <alert> with N recipients is N
// agents; with none, one agent without CRM_alert_recipient).
struct Agent {
  std::string id;    // the <alert>'s id
  std::string path;  // the program
  std::optional<std::string> recipient;
  std::chrono::milliseconds timeout{30000};
  std::string timestamp_format = "%H:%M:%S.%06N";
  unsigned kinds = kNode | kFencing | kResource;
  std::set<std::string> attributes;            // select_attributes names; empty = every attribute
  std::map<std::string, std::string> env;      // instance attributes (the recipient's win)
};

// The agents of an <alerts> section (nullptr: none). A bad timeout is
// reported in *warnings and the default kept, as the peer does.
std::vector<Agent> read_agents(const xmlNode* alerts, std::vector<std::string>* warnings = nullptr);

// One event: its kind, its CRM_alert_<key> values (key without the prefix:
// "node", "desc", ...), and for an attribute event the attribute's name.
struct Event {
  Kind kind = kNode;
  std::map<std::string, std::string> values;
  std::string attribute;
};

// Node `name` (corosync id `id`) is now "member" or "lost".
Event node_event(const std::string& name, uint32_t id, const std::string& state);
// A fencing operation ended: `description` is the peer's one-line summary
// ("Operation reboot of n3 by n1 for crmd.42@n1: OK (ref=n1:7)"), rc 0 when
// it succeeded, else the peer's negative error number.
Event fencing_event(const std::string& target, const std::string& action, const std::string& description, int rc);
// The result of an operation executed on `node`, with the rc the scheduler
// expected. None for a probe that found what it expected, and for meta-data.
std::optional<Event> resource_event(const std::string& node, const lrmd::ExecResult& result, int target_rc);
// Node attribute `attribute` of `node` (`id`) was set to `value` ("" = removed).
Event attribute_event(const std::string& node, const std::string& id, const std::string& attribute,
                      const std::string& value);

// Formats `at` (microseconds since the epoch, local time) with an strftime
// format where %N (or %<digits>N) is the fraction of the second, to that many
// digits (9 by default), as the peer's timestamp-format.
std::string format_timestamp(const std::string& format, std::chrono::microseconds at);

// The executor requests that deliver `event` to every agent that selects it.
// `sequence` numbers the deliveries of this controller
// (CRM_alert_node_sequence) and is advanced for each.
std::vector<lrmd::ExecRequest> requests(const std::vector<Agent>& agents, const Event& event,
                                        std::chrono::microseconds now, uint64_t* sequence);

// The node attributes of a CIB status section: (uname, id) -> name -> value,
// for finding the changes between two copies. A node without a
// <transient_attributes> element (wiped when it left) is not listed, so
// the wipe alerts nothing; its attributes written again later do.
using NodeAttributes = std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>>;
NodeAttributes node_attributes(const xmlNode* status);
// The attribute events between two readings, in node and name order.
std::vector<Event> attribute_changes(const NodeAttributes& before, const NodeAttributes& after);

}  // namespace crm::crmd::alerts
