// Shared pieces of the administration tools (crm_mon, crm_node,
// crm_resource, crm_attribute, crm_shell): exit codes, the controller's
// status query, the cluster view a tool prints from, and small CIB editing
// helpers that build the XML fragments the cib client submits.
//
//   ASSIGN_OR_RETURN(auto client, cib::connect());
//   ASSIGN_OR_RETURN(ClusterInfo info, load_cluster_info(*client));
//   std::cout << info.dc_name << (info.quorate ? " with quorum" : "");
#pragma once

#include <chrono>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crm/cib/cib.h"
#include "crm/cib/client.h"
#include "crm/core/nvpair.h"  // find_nvpair, nvpair_values: the CIB lookups of name/value sets
#include "crm/core/status.h"

namespace crm::tools {

// The peer's crm_exit_t values the tools use.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitInvalidParam = 2;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitUnavailable = 69;
inline constexpr int kExitDisconnect = 102;  // no connection to the cluster (CIB)
inline constexpr int kExitNoSuch = 105;
inline constexpr int kExitQuorum = 106;
inline constexpr int kExitUnsafe = 107;
inline constexpr int kExitMultiple = 109;

// What the controller (crmd) answers on its status socket (<crmd_status/>).
struct CrmdMember {
  std::string id, name;
};
struct CrmdStatus {
  std::string node_id, name, state;
  std::string dc_id, dc_name;  // dc_id "0": no DC elected yet
  bool quorate = false;
  std::vector<CrmdMember> members;  // this partition
};
// Parses a <crmd_status> reply.
Result<CrmdStatus> parse_crmd_status(const std::string& xml_text);
// Asks the local controller (ipc::socket_path("crmd")); unavailable when it is not running.
Result<CrmdStatus> query_crmd(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
// The state of node `node`'s controller (S_IDLE, ...), asked through the
// local controller (which relays to `node` over the cluster); unavailable
// when the local controller is not running, not-found when `node` has no
// controller in the cluster, timeout when it does not answer in time.
Result<std::string> ping_controller(const std::string& node, std::chrono::milliseconds timeout);

// Everything a status display needs: the CIB plus DC and quorum, from the
// controller on a live cluster or from the CIB itself (dc-uuid, have-quorum)
// in CIB_file mode or when the controller does not answer.
struct ClusterInfo {
  cib::Cib cib = cib::Cib::empty();
  bool from_file = false;
  std::optional<CrmdStatus> crmd;  // when the controller answered
  bool have_dc = false;
  std::string dc_name, dc_id, dc_version;
  bool quorate = false;
  std::string stack;  // cluster-infrastructure property, "unknown" when unset
};
Result<ClusterInfo> load_cluster_info(cib::CibClient& client);
// Same from a CIB already read (no controller query).
ClusterInfo cluster_info_from_cib(cib::Cib cib);

// ---- CIB lookups ----
// A cluster property (crm_config) value, or "".
std::string cluster_property(const cib::Cib& cib, const std::string& name);
// The configuration element (primitive, group, clone, master, bundle) with this id, or nullptr.
xmlNode* find_resource(const cib::Cib& cib, const std::string& id);
// The clone (clone or master element) a resource belongs to, or nullptr.
xmlNode* enclosing_clone(xmlNode* rsc);
// Whether a clone element is anonymous (globally-unique unset or false).
bool anonymous_clone(xmlNode* clone);
// Node id for a node name (configuration/nodes, then status node_state), or not-found.
Result<std::string> node_id_for(const cib::Cib& cib, const std::string& name);
// Node name for an id, or "".
std::string node_name_for(const cib::Cib& cib, const std::string& id);
// Names of the configured nodes (configuration/nodes), in document order.
std::vector<std::string> configured_nodes(const cib::Cib& cib);

// "node2" < "node10", case-insensitive.
bool natural_less(const std::string& a, const std::string& b);

// "Fri Jul 13 13:51:02 2012" (local time), as the peer prints times.
std::string format_time(std::time_t t);

}  // namespace crm::tools
