// CIB replication: a state machine over a GroupTransport (corosync CPG group
// "crm_cib", or the simulated network in tests). Pure logic: no sockets, no
// clock; the daemon feeds it client requests and the transport its messages.
//
// Protocol (docs/cib-daemon.md has the reasons):
//  * master = the lowest node id in the group (the controller's DC rule).
//  * A node submits a change by broadcasting it (cib-request) in agreed order.
//    Every node records delivered requests as pending.
//  * The master validates and applies pending requests in delivery order and
//    broadcasts each outcome (cib-result: an error, or the new version with a
//    patch, a replay order for status changes, or the full CIB).
//  * Every node (master included) applies results in delivery order, writes
//    the CIB durably, and the originating node then answers its client.
//  * On every membership change each member announces its version; once all
//    announcements are in, the newest copy (admin_epoch, epoch, num_updates;
//    ties to the lowest node id) is broadcast if any member differs, and the
//    "view" number moves on. Results from an older view are ignored, so the
//    (possibly new) master re-processes every request still pending: a change
//    is applied everywhere or nowhere, and never twice.
//
//   Replicator rep(*group, &store, &schema, std::move(loaded_cib), {.node_tag = "boot-17"});
//   rep.submit(request, [](const Status& s, Version v) { reply(...); });
#pragma once

#include <chrono>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crm/cib/cib.h"
#include "crm/cib/request.h"
#include "crm/cib/store.h"
#include "crm/cluster/cluster.h"
#include "crm/core/clock.h"

namespace crm::cib {

struct ReplicatorOptions {
  // Makes request ids unique across restarts of this node (e.g. boot time + pid).
  std::string incarnation = "0";
  // How configuration changes travel: a patch from diff() (falls back to the
  // full CIB when diff fails), or always the full CIB.
  bool full_cib_results = false;
  // Called when a flush is needed. Null: send and save at once. The daemon
  // posts one flush() per loop iteration instead: the iteration's messages
  // go out as one group message (a bundle) and its changes are saved with one
  // write (group commit).
  std::function<void()> request_flush;
  // Whether this node's partition has quorum (the daemon passes its
  // QuorumSource). When set and false, the master rejects configuration
  // changes with unavailable, so two sides of a split can never both take
  // configuration changes that the merge would then throw away; status
  // changes still go through (the controller rebuilds status anyway).
  // Null: configuration changes are always allowed (as the peer's cib).
  // The argument is the crm_cib group's membership as of this point of the
  // agreed order (a race-free basis for a majority rule).
  std::function<bool(const std::vector<cluster::NodeId>& group_members)> has_quorum;
  // This node's name: the update-origin of the changes submitted here.
  std::string node_name;
  // Wall time for cib-last-written (the master stamps each configuration
  // change; replicas get the stamp in the patch). Null: not written.
  const Clock* clock = nullptr;
  // Runs `fn` once after `delay` (the daemon: its event loop's timer). With
  // it, configuration patches go without the configuration's digest (which
  // costs what the whole configuration holds) and the master sends the
  // digest in a <cib-check> at most every check_interval instead, in the
  // agreed order after the results it covers; a copy that differs asks for
  // the full CIB. Null: every configuration patch carries the digest.
  std::function<void(std::chrono::milliseconds delay, std::function<void()> fn)> schedule;
  std::chrono::milliseconds check_interval{500};
  // The groups of a user name (the daemon passes ipc::group_names): which
  // acl_group entries apply to a request's user when the master checks its
  // change against the CIB's ACLs (acl.h). Null: users are in no group.
  std::function<std::vector<std::string>(const std::string& user)> user_groups;
};

// As the peer does on every configuration change: sets cib-last-written (the
// peer's ctime-like local time, "Tue Nov 24 21:50:01 2026"), update-origin,
// update-client and update-user from the request (each only when known; an
// unknown one keeps its previous value).
void stamp_change(Cib& cib, const Request& request, const Clock* clock);
// "Tue Nov 24 21:50:01 2026" (local time, day padded with a space as ctime()).
std::string last_written_text(std::time_t when);

// What Replicator::on_change reports.
struct CibChange {
  ChangeKind kind = ChangeKind::kConfiguration;
  Version version;  // the copy's new version
  // The member whose different copy replaced ours when a membership change
  // merged copies (partitions that wrote apart, a restarted node catching
  // up), else 0: a DC's controller joins its members again before planning
  // from it.
  cluster::NodeId replaced_by = 0;
  // The change itself when the copy moved by one (the form the journal
  // keeps: apply_journal_entry() repeats it on a copy at entry->from); null
  // when a whole copy came (a sync, a full result). Valid during the call.
  const JournalEntry* entry = nullptr;
};

class Replicator {
 public:
  using Reply = std::function<void(const Status&, const Version&)>;

  // Takes over the transport's callbacks. `store` may be null (no durability,
  // for benches) and `schema` null (no schema validation).
  Replicator(cluster::GroupTransport& group, CibStore* store, const Schema* schema, Cib initial,
             ReplicatorOptions options = {});

  // Submits a change made on this node. `done` runs once: after the change is
  // applied and durable here (OK, with the new version), or with the error
  // that rejected it (the CIB unchanged everywhere), or unavailable when the
  // transport is lost.
  void submit(Request request, Reply done);

  // Sends what is queued for the group, saves the CIB if it changed and
  // answers the clients waiting for that.
  Status flush();

  // Called on every node after each change is applied locally (also after a
  // sync replaced the CIB: kind kConfiguration).
  std::function<void(const CibChange&)> on_change;
  // Called when a membership change's sync round ends: every member listed
  // now holds the same CIB (the winner's when the copies differed). A DC's
  // controller plans only from a copy synced with all its members.
  std::function<void(const std::vector<cluster::NodeId>& members)> on_synced;
  // Log lines (warnings about resyncs, rejected results, save failures).
  std::function<void(const std::string&)> on_log;

  const Cib& cib() const { return cib_; }
  cluster::NodeId local_node() const { return local_; }
  cluster::NodeId master() const { return master_; }
  bool is_master() const { return master_ == local_ && !syncing_; }
  // True when the last membership round completed and this copy is current.
  bool synced() const { return joined_ && !syncing_ && !stale_; }
  uint64_t view() const { return view_; }
  size_t pending_count() const { return pending_.size(); }
  const std::vector<cluster::NodeId>& members() const { return members_; }

  // Counters for benches and tests.
  struct Stats {
    uint64_t requests_applied = 0, results_sent = 0, full_syncs = 0, saves = 0, rejected = 0, checks = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Pending {
    std::string id;
    cluster::NodeId origin;
    Request request;
  };
  struct Announce {
    Version version;
    std::string hash;
    uint64_t view;
  };

  void on_message(cluster::NodeId from, std::string_view payload);
  void on_membership(const cluster::MembershipChange& change);
  void on_lost(const Status& status);

  void handle_request(cluster::NodeId from, const Message& m);
  void handle_result(cluster::NodeId from, const Message& m);
  void handle_announce(cluster::NodeId from, const Message& m);
  void handle_sync(cluster::NodeId from, const Message& m);
  void handle_resync(cluster::NodeId from, const Message& m);
  void handle_check(cluster::NodeId from, const Message& m);
  void send_check();

  void maybe_finish_round();
  void finish_round(uint64_t new_view);
  void process_pending();  // master only
  void send_sync(const Cib& state, const char* reason);
  void adopt(Cib state, cluster::NodeId replaced_by);
  void changed(ChangeKind kind, cluster::NodeId replaced_by = 0, const JournalEntry* entry = nullptr);
  void answer(const std::string& id, const Status& status, const Version& version);
  void send_or_log(const std::string& payload);
  void send_outbox();
  std::string members_tag() const;
  std::string hash_of(const Cib& cib) const;
  void log(const std::string& line) {
    if (on_log) on_log(line);
  }

  cluster::GroupTransport& group_;
  CibStore* store_;
  const Schema* schema_;
  Cib cib_;
  ReplicatorOptions options_;
  cluster::NodeId local_;
  cluster::NodeId master_ = 0;
  std::vector<cluster::NodeId> members_;
  bool joined_ = false;
  bool syncing_ = false;
  bool stale_ = false;  // a result could not be applied: waiting for a full sync
  bool lost_ = false;
  uint64_t view_ = 0;
  std::map<cluster::NodeId, Announce> announces_;

  uint64_t next_call_ = 1;
  std::deque<Pending> pending_;
  struct Waiter {
    std::string id;
    Request request;
    Reply reply;
    bool resolved = false;  // its result was delivered; waiting for the save
  };
  std::map<uint64_t, Waiter> waiters_;  // local requests in submission order
  Waiter* find_waiter(const std::string& id);
  // Asks for the full CIB after a result did not apply (or a check failed);
  // the waiter of request `id`, when given, is answered after the sync.
  void go_stale(const std::string& why, Waiter* waiter = nullptr, const std::string& id = "");
  // Ids of requests whose result was delivered (bounded), so a copy re-sent
  // after a membership change is never applied twice.
  std::set<std::string> completed_;
  std::deque<std::string> completed_order_;
  void remember_completed(const std::string& id);
  // Master only: the CIB after every result it has sent in this view, and
  // what its changes are checked against (rebuilt when it describes another
  // copy: a new tentative_ is a new document).
  std::optional<Cib> tentative_;
  CheckIndex check_index_;
  std::set<std::string> processed_;
  // Successful local requests answered once the CIB is durable.
  bool dirty_ = false;
  // What flush() makes durable: the changes applied since the last flush, in
  // order (the store's journal), or the whole CIB when a copy came whole.
  std::vector<JournalEntry> journal_;
  bool snapshot_due_ = false;
  // Messages for the group queued until the next flush (with request_flush).
  std::vector<std::string> outbox_;
  std::vector<std::string> outbox_requests_;  // ids of this node's requests in it
  size_t outbox_bytes_ = 0;
  std::vector<std::pair<std::string, Version>> after_save_;
  std::vector<std::string> after_sync_;  // while stale_
  bool check_scheduled_ = false;  // master: a <cib-check> will follow the latest changes
  // Scheduled functions hold it weakly: they may outlive the replicator.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  Stats stats_;
};

}  // namespace crm::cib
