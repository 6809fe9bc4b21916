// The cluster messaging layer behind a narrow interface: process groups with
// agreed-order delivery and membership (corosync CPG), and quorum (corosync
// votequorum). Only daemons and end-to-end tests link the corosync-backed
// implementation (target crm_cluster); pure code and the deterministic
// simulator use the same interfaces with an in-memory network
// (crm/cluster/simulated.h, target crm_cluster_sim).
//
//   ASSIGN_OR_RETURN(auto group, cluster::join_cpg_group(loop, "crm_cib"));
//   group->on_message = [&](cluster::NodeId from, std::string_view msg) { ... };
//   group->on_membership = [&](const cluster::MembershipChange& c) { ... };
//   RETURN_IF_ERROR(group->send("<cib-update .../>"));
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/event_loop.h"
#include "crm/core/status.h"

namespace crm::cluster {

// A corosync node id (nodelist.node.X.nodeid).
using NodeId = uint32_t;

struct MembershipChange {
  std::vector<NodeId> members;  // the group's members after the change, sorted
  std::vector<NodeId> joined;   // sorted
  std::vector<NodeId> left;     // sorted; includes nodes that failed
};

// One process's membership of one closed process group. Every message sent is
// delivered to every member, the sender included, in the same total order, and
// membership changes are delivered in that same order (virtual synchrony).
// Callbacks run on the event loop the group was joined on.
class GroupTransport {
 public:
  virtual ~GroupTransport() = default;
  virtual NodeId local_node() const = 0;
  // Queues `payload` for agreed-order delivery to all members. Fails when the
  // group is not joined or the messaging layer is gone (the daemon should exit
  // and be respawned).
  virtual Status send(std::string_view payload) = 0;
  // Messages accepted by send() but not yet handed to the messaging layer
  // (corosync said "try again" or flow control is on); 0 when not tracked.
  virtual size_t queued() const { return 0; }

  std::function<void(NodeId from, std::string_view payload)> on_message;
  std::function<void(const MembershipChange&)> on_membership;
  // Called once when the connection to the messaging layer is lost.
  std::function<void(const Status&)> on_lost;
};

// Quorum as corosync computes it.
class QuorumSource {
 public:
  virtual ~QuorumSource() = default;
  virtual bool quorate() const = 0;
  // The nodes in this node's quorum view (sorted), as of the last change
  // delivered; empty when the implementation does not know them.
  virtual std::vector<NodeId> members() const { return {}; }
  std::function<void(bool quorate)> on_change;
  // Called when the members of the quorum view change (after on_change when
  // both changed): the node-level membership, as opposed to a process group's.
  std::function<void(const std::vector<NodeId>& members)> on_members;
  // Called once when the connection to corosync is lost (quorate() then stays false).
  std::function<void(const Status&)> on_lost;
};

// Joins CPG group `group_name` on the local corosync (corosync must be running).
Result<std::unique_ptr<GroupTransport>> join_cpg_group(EventLoop& loop, const std::string& group_name);
// Tracks quorum through libquorum/libvotequorum.
Result<std::unique_ptr<QuorumSource>> watch_quorum(EventLoop& loop);
// The name of a node from corosync's nodelist (cmap nodelist.node.X.name /
// ring0_addr), or not-found.
Result<std::string> node_name(NodeId node);
// Whether votequorum runs with two_node: 1 (quorum.two_node in cmap): one
// node of two keeps quorum, so fencing alone decides a split.
Result<bool> two_node();
// This node's corosync node id (unavailable when corosync is not running).
Result<NodeId> local_node_id();
// This node's name: the nodelist name for the local node id, else uname -n.
std::string local_node_name();

}  // namespace crm::cluster
