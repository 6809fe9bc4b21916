// The attribute daemon's core: one per node, all of them in the CPG group
// "crm_attrd", holding the cluster's transient node attributes in memory.
//
//  * Agreement: a client's update is broadcast; every member applies it when
//    CPG delivers it (one total order, so "value++" expands the same
//    everywhere), and the origin acknowledges the client on its own delivery:
//    an acknowledged value is held by every member, so losing any one of
//    them (the writer included) loses nothing.
//  * Joining: after a membership change with joiners, the senior member (the
//    lowest id among those already in sync) broadcasts its whole state; a
//    joiner adopts the first one it gets, members in sync ignore it, and its
//    delivery puts every current member in sync. Every member also
//    re-announces the values of its own node, which win, on the members it
//    was apart from, over what they held (after a partition heals each side
//    knows its own nodes best).
//  * Writing: the writer is the lowest node id among the members in sync, so
//    every member agrees without an election round. It writes changed
//    attributes to the CIB status section in one request per batch (values
//    changed while a write is in flight go in the next batch); an attribute
//    with a dampening delay is written when the delay has passed since its
//    first unwritten change, however many changes came meanwhile (a fixed
//    window, so a value that keeps changing is still written). A new writer
//    writes everything. Private attributes are never written.
//  * Leaving: when a node leaves the cluster (node_left(), from quorum
//    membership, not when only its attrd restarts) its values are dropped
//    everywhere and the writer deletes them from the CIB.
//
// Fail counts (fail-count-*, last-failure-*) are the controller's: it writes
// them into the CIB itself, and attrd never writes or deletes those names.
//
// All I/O goes through the GroupTransport, the CibSink and the loop's timers,
// so tests run several daemons over SimulatedNetwork against a real Cib.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crm/attrd/attrd.h"
#include "crm/cib/request.h"
#include "crm/cluster/cluster.h"
#include "crm/core/event_loop.h"

namespace crm::attrd {

using std::chrono::milliseconds;

// Where the writer's changes go: the CIB daemon (daemon), a Cib (tests).
class CibSink {
 public:
  virtual ~CibSink() = default;
  // Performs one change; `done` runs on the loop, later.
  virtual void submit(cib::Request request, std::function<void(Status)> done) = 0;
  // The node id the CIB gives node `name` (nodes section), "" when unknown.
  virtual std::string node_id(const std::string& name) = 0;
};

struct Attribute {
  std::string name;
  std::string set_id;  // "" = status-<node id>
  milliseconds dampen{0};
  bool is_private = false;
  std::map<std::string, std::string> values;  // host -> value; "" = unset (no nvpair in the CIB)
};

class AttributeDaemon {
 public:
  struct Options {
    std::string node_name;  // this node's name, as hosts are named
    std::function<void(const std::string&)> log;  // one line each; default: stderr
  };

  AttributeDaemon(EventLoop& loop, cluster::GroupTransport& group, CibSink& cib, Options options);
  ~AttributeDaemon();
  AttributeDaemon(const AttributeDaemon&) = delete;
  AttributeDaemon& operator=(const AttributeDaemon&) = delete;

  // A client's update: `done` runs once it is held by every member (or with
  // the error: invalid-argument for a bad request, unavailable when the
  // group cannot be reached).
  void update(const Update& update, std::function<void(Status)> done);
  // The writer writes every attribute again.
  void refresh();
  // The node left the cluster: its values are dropped (writer: and deleted).
  void node_left(const std::string& host);

  std::optional<Attribute> attribute(const std::string& name) const;
  const std::map<std::string, Attribute>& attributes() const { return attributes_; }
  const std::string& node_name() const { return opts_.node_name; }
  bool is_writer() const { return writer_ == group_.local_node() && synced_self_; }
  cluster::NodeId writer() const { return writer_; }
  bool synced() const { return synced_self_; }
  // CIB requests the writer has submitted (for tests and the bench).
  uint64_t cib_requests() const { return cib_requests_; }

 private:
  void log(const std::string& line) const;
  void on_message(cluster::NodeId from, std::string_view payload);
  void on_membership(const cluster::MembershipChange& change);
  void apply_update(const Update& u);
  void learn_host(const std::string& host, cluster::NodeId id);
  void set_value(Attribute& a, const std::string& host, const std::string& value);
  void mark_changed(Attribute& a);
  void recompute_writer();
  void schedule_flush();
  void flush();
  std::string node_id_of(const std::string& host);
  void send_state(bool announce_only);

  EventLoop& loop_;
  cluster::GroupTransport& group_;
  CibSink& cib_;
  Options opts_;

  std::map<std::string, Attribute> attributes_;
  std::vector<cluster::NodeId> members_;
  std::set<cluster::NodeId> synced_;   // members known to hold the cluster's state
  std::set<cluster::NodeId> foreign_;  // joined members whose announce is still to come
  bool synced_self_ = false;
  // (name, host) set by messages delivered since this member joined and
  // before it was in sync: the senior's state does not override them.
  std::set<std::pair<std::string, std::string>> touched_;
  cluster::NodeId writer_ = 0;
  std::map<std::string, cluster::NodeId> host_ids_;  // learned from the members' messages

  // Writing.
  std::set<std::string> dirty_;                      // attributes to write in the next batch
  std::map<std::string, EventLoop::TimerId> dampen_timers_;
  std::set<std::pair<std::string, std::string>> deleted_;  // (name, host) to delete from the CIB
  bool flush_posted_ = false;
  bool write_in_flight_ = false;
  uint64_t cib_requests_ = 0;

  uint64_t next_seq_ = 1;
  std::map<uint64_t, std::function<void(Status)>> acks_;  // origin_seq -> the client's callback
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Expands the peer's increment forms against the current value: "value++"
// adds 1, "value+=N" adds N (the current value read as a score, the sum
// capped at INFINITY and written as a number, as the peer's attrd does; like
// the peer, any five characters may stand for "value"). Anything else is
// returned as it is.
std::string expand_value(const std::string& value, const std::string& current);

}  // namespace crm::attrd
