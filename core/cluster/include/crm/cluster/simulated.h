// An in-memory stand-in for corosync (CPG + votequorum) for the deterministic
// cluster simulator and for unit tests of the daemons' logic. Everything runs
// on the caller's thread and moves only when the test calls step() or
// deliver_all(); one seed decides the interleaving, so a run is reproducible.
//
//   SimulatedNetwork net({1, 2, 3}, {.seed = 42});
//   auto a = net.join(1, "crm_cib").value();   // GroupTransport of node 1
//   auto b = net.join(2, "crm_cib").value();
//   a->on_message = [&](NodeId from, std::string_view m) { ... };
//   (void)a->send("hello");
//   net.deliver_all();                          // confchgs, then "hello" to 1 and 2
//   net.partition({{1}, {2, 3}});               // 1 loses quorum, 2+3 keep it
//   net.deliver_all();
//   net.heal();
//
// Model (what the simulator promises, mirroring CPG's virtual synchrony):
//  * A node is "up" (its corosync runs) or down. Up nodes sit on a side of the
//    network; up nodes on the same side form one component (one ring).
//  * Every endpoint (one process's membership of one group) has an inbox. A
//    send() appends the message, at once and atomically, to the inbox of every
//    endpoint of the same group in the sender's component, the sender
//    included. Membership changes are appended the same way. So all members
//    of a component deliver the same events in the same order; what was sent
//    before a partition or a kill is delivered to the survivors before the
//    membership change that reports it.
//  * step() delivers the head of one inbox. Which inbox is chosen is the
//    seeded part: with Options::reorder (default) a pseudo-random non-empty
//    inbox, otherwise the inbox whose head is oldest (global FIFO). Events of
//    different groups, and of the same group on different nodes, therefore
//    interleave in seed-dependent ways; within one inbox order never changes.
//  * Quorum: a node is quorate when its component holds more than half of
//    the configured nodes (votequorum with one vote each, no two_node, no
//    wait_for_all). A QuorumSource reports changes through its inbox too.
//  * A MembershipChange lists node ids. As with the corosync implementation,
//    joined/left are the nodes of processes that joined/left; a node can be in
//    both when one process replaced another in one change.
//
// Callbacks run inside step(); they may send, join, destroy endpoints, or
// inject faults. Endpoints and quorum sources may outlive the network (they
// then report unavailable), but are normally destroyed first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crm/cluster/cluster.h"
#include "crm/core/status.h"

namespace crm::cluster {

class SimulatedNetwork {
 public:
  struct Options {
    uint64_t seed = 1;
    // true: step() picks a pseudo-random non-empty inbox (seeded);
    // false: always the oldest pending event (one global FIFO).
    bool reorder = true;
  };

  // `nodes`: the configured node ids (the nodelist); all start up, on one side.
  explicit SimulatedNetwork(std::vector<NodeId> nodes, Options options);
  explicit SimulatedNetwork(std::vector<NodeId> nodes) : SimulatedNetwork(std::move(nodes), Options{}) {}
  ~SimulatedNetwork();
  SimulatedNetwork(const SimulatedNetwork&) = delete;
  SimulatedNetwork& operator=(const SimulatedNetwork&) = delete;

  // --- endpoints -----------------------------------------------------------
  // A process on `node` joins `group`. The new member (and every member of the
  // group in its component) gets a membership change on the next steps.
  // Fails with not-found for an unconfigured node, unavailable for a down node.
  // Destroying the returned object leaves the group (as a process exit would).
  Result<std::unique_ptr<GroupTransport>> join(NodeId node, const std::string& group);
  // Quorum as seen from `node`; quorate() is the value as of the last change
  // delivered to it (the current value at creation). Same errors as join().
  Result<std::unique_ptr<QuorumSource>> watch_quorum(NodeId node);

  // --- faults --------------------------------------------------------------
  // The node crashes: corosync and all its processes are gone. Its endpoints
  // go silent (no more callbacks, send() fails); the others see it leave.
  // Its messages that no survivor has delivered yet reach every survivor
  // (kDeliver) or none (kDrop): CPG's virtual synchrony allows either, never
  // some survivors only. kSeeded picks one of the two with the seed. A
  // message one survivor has delivered reaches the others whatever is asked.
  enum class InFlight { kDeliver, kDrop, kSeeded };
  void kill(NodeId node, InFlight in_flight = InFlight::kDeliver);
  // Only corosync dies on `node`: each of its endpoints gets on_lost (on a
  // later step), sends fail from now on; the others see the node leave.
  void stop_messaging(NodeId node);
  // The node (its corosync) is up again, on the side it was on. Old endpoints
  // stay dead: the node's daemons must join again (they would be respawned).
  void start(NodeId node);
  // Puts each listed group of nodes on its own side; configured nodes not
  // listed are each isolated on a side of their own.
  void partition(const std::vector<std::vector<NodeId>>& sides);
  // Cuts `node` off from everybody (the others stay together).
  void isolate(NodeId node);
  // Every node back on one side.
  void heal();

  // --- driving -------------------------------------------------------------
  // Delivers one pending event (runs one callback). False when nothing was pending.
  bool step();
  // Steps until nothing is pending or `max_steps` were taken; returns the
  // number of steps. Callbacks that keep sending can make this stop at max.
  size_t deliver_all(size_t max_steps = 1000000);
  // Events waiting in all inboxes.
  size_t pending() const;
  // Messages sent by `node` that some endpoint has not delivered yet (each
  // broadcast counted once).
  size_t pending_from(NodeId node) const;

  // --- observing -----------------------------------------------------------
  const std::vector<NodeId>& nodes() const;
  bool is_up(NodeId node) const;
  // Current truth (not what was delivered yet): the up nodes in `node`'s
  // component, sorted (empty when down); and whether that component is quorate.
  std::vector<NodeId> component_of(NodeId node) const;
  bool quorate(NodeId node) const;
  // "n<id>" unless set otherwise; what daemons under simulation use in place
  // of cluster::node_name().
  std::string node_name(NodeId node) const;
  void set_node_name(NodeId node, std::string name);

  struct State;  // internal; shared with the endpoints

 private:
  std::shared_ptr<State> state_;
};

}  // namespace crm::cluster
