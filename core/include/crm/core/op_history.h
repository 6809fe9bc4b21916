// Resource operation history records (<lrm_rsc_op>) in the peer's CIB status
// format, which the policy engine reads; the one writer (the controller, the
// simulators) and the one plain reader (tools, the controller's status view):
//
//   <node_state id="1" uname="n1" ...><lrm id="1"><lrm_resources>
//     <lrm_resource id="ip" class="ocf" provider="heartbeat" type="IPaddr2">
//       <lrm_rsc_op id="ip_last_0" operation_key="ip_start_0" operation="start"
//         transition-key="5:3:0:1" transition-magic="0:0;5:3:0:1" call-id="4"
//         rc-code="0" op-status="0" interval="0" last-rc-change="1700000000"
//         exec-time="12" queue-time="0" op-digest="..." on_node="n1"/>
//
// Ids follow the peer: "<rsc>_last_0" for the latest non-recurring operation,
// "<rsc>_last_failure_0" for the latest failure, "<rsc>_<op>_<interval>" for a
// recurring one.
#pragma once

#include <libxml/tree.h>

#include <ctime>
#include <map>
#include <string>
#include <string_view>

namespace crm {

// The ids of a resource's history entries (the peer's): "<rsc>_last_0",
// "<rsc>_last_failure_0", and whether an entry's id is the one or the other.
inline std::string last_op_id(const std::string& rsc) { return rsc + "_last_0"; }
inline std::string last_failure_id(const std::string& rsc) { return rsc + "_last_failure_0"; }
inline bool is_last_op_id(std::string_view id) { return id.ends_with("_last_0"); }
inline bool is_last_failure_id(std::string_view id) { return id.ends_with("_last_failure_0"); }

// Started, no result yet (op-status -1, or call-id -1 as the peer writes it).
inline bool op_pending(int op_status, int call_id) { return op_status == -1 || call_id == -1; }

struct OpRecord {
  std::string id;  // read_op_record: the record's id; record_op chooses its own
  std::string rsc_id, rsc_class, rsc_provider, rsc_type;
  std::string operation;  // "start", "stop", "monitor", "promote", "demote", ...
  long interval_ms = 0;
  int call_id = 0;
  int rc = 0;
  int op_status = 0;  // an ExecStatus number; -1 = pending (rc-code 193)
  int target_rc = 0;
  long exec_time_ms = 0;
  long queue_time_ms = 0;
  std::time_t last_rc_change = 0;
  std::string transition_key;  // "" for operations outside a transition
  std::string op_digest;
  std::string on_node;
  std::string exit_reason;
  // A live migration's two nodes (migrate_to and migrate_from records): the
  // scheduler reads how far a migration got from them.
  std::string migrate_source, migrate_target;

  // "<rsc>_<operation>_<interval>"
  std::string operation_key() const;
  // True when the result is not what was expected (counts as a failure).
  bool failed() const;
  bool pending() const { return op_pending(op_status, call_id); }
};

// Records `op` under `lrm_resources` (creating the lrm_resource), replacing
// the entry with the same id. A successful stop or start also drops the
// resource's recurring-operation entries (they were cancelled).
void record_op(xmlNode* lrm_resources, const OpRecord& op);

// Reads one <lrm_rsc_op>, the resource's class/provider/type from its parent
// <lrm_resource> when it has one. A number that is missing or unreadable is
// 0; last_rc_change falls back to last-run; target_rc is the transition
// key's (0 without a key); operation_key and transition-magic are not read.
OpRecord read_op_record(const xmlNode* lrm_rsc_op);

}  // namespace crm
