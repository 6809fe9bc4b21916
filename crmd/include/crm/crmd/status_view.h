// A read-only summary of a CIB's status section as the controller, the tools
// (crm_mon, crm_resource -W) and the simulator's invariant checks need it:
// which nodes are online, their attributes, and where each resource is active
// according to its operation history.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "crm/cib/cib.h"

namespace crm::crmd {

struct NodeView {
  std::string id, uname;
  bool in_config = false;   // listed in configuration/nodes
  bool online = false;      // node_state in_ccm=true, crmd=online, join=member
  bool standby = false;     // "standby" in the node's instance or transient attributes
  bool shutdown = false;    // transient attribute "shutdown" set (non-zero)
  bool expected_down = false;  // node_state expected="down": its leaving is a clean shutdown
  bool expected_member = false;  // expected="member": lost without a shutdown, it is unclean
  std::map<std::string, std::string> attributes;  // transient attributes
  std::set<std::string> active;                   // resources active per lrm history
  std::set<std::string> promoted;                 // ... of which in the promoted role
  // Its leaving is a clean shutdown: it was told to go (expected="down"), or
  // it asked to shut down and runs nothing (what a DC releases it on; a DC
  // that released itself may be gone before its expected="down" arrives).
  bool leaves_cleanly() const { return expected_down || (shutdown && active.empty()); }
  std::vector<std::string> failed_ops;            // "rsc_monitor_10000 (rc=7)" lines
};

struct StatusView {
  std::map<std::string, NodeView> nodes;  // by uname
  bool have_quorum = false;
  std::string dc_uuid;

  // Nodes where `rsc` is active.
  std::vector<std::string> where(const std::string& rsc) const;
  const NodeView* by_id(const std::string& id) const;
};

StatusView read_status(const cib::Cib& cib);

// True when an lrm_resource's history says the resource is active (last
// non-recurring op a successful start/promote/..., a pending one, or a failed
// stop; or a recurring monitor reporting running). `promoted` is set for the promoted role.
bool history_active(const xmlNode* lrm_resource, bool* promoted = nullptr);

}  // namespace crm::crmd
