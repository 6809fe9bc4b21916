// The Primary's replication state machine, pure: events in (a write or flush
// requested, a peer acked, a peer lost or connected, an outdate handler's
// result, a resync's progress, time passing), actions out (send the request
// to these peers, complete these requests, run these handlers, start these
// resyncs, drop these connections, persist this new generation). No I/O, no
// clock of its own: the daemon (daemon.cc) carries the actions out, tests
// drive it directly (replicator_test.cc).
//
// The safety rule it keeps: a request completes successfully only when every
// known peer is, at that moment, one of
//   - in sync and has acknowledged the request,
//   - durably Inconsistent (its resync began: its own metadata refuses
//     promotion until the resync completes), or
//   - outdated by the outdate handler (the CIB mark refuses its promotion)
//     and the Primary moved to a new generation, so it resyncs on return.
// A peer that is none of these (lost, timed out, never connected since the
// promotion) gets the outdate handler; requests wait for it, and fail (EIO)
// when it fails.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crm/core/clock.h"
#include "crm/repldisk/repldisk.h"

namespace crm::repldisk {

using RequestId = uint64_t;

struct Actions {
  // Peers that hold a request in sync must see it in this order: first
  // persist `new_generation` (before anything below completes), tell
  // in-sync peers of it, drop `disconnect`, run the handlers, start the
  // resyncs, send the request just submitted to `send_to`, then complete.
  std::optional<Generation> new_generation;
  std::vector<std::string> disconnect;     // ack timeout: close the link, the peer counts as lost
  std::vector<std::string> run_outdate;    // start the outdate handler for these peers
  std::vector<std::string> run_uptodate;   // these peers just became UpToDate: clear their mark
  std::vector<std::string> start_resync;   // send RESYNC-BEGIN to these connected peers
  std::vector<std::string> send_to;        // the request just submitted goes to these peers
  std::vector<std::pair<RequestId, bool>> complete;  // true: done; false: failed (EIO)
  void merge(Actions&& o);
};

// How the Primary sees one peer.
enum class PeerSync {
  kDisconnected,   // no link
  kHandshake,      // linked, resync-begin sent, not yet confirmed
  kResyncing,      // the peer confirmed it is durably Inconsistent; data flowing
  kInSync,         // same generation, UpToDate: requests wait for its ack
};
enum class PeerFence {
  kNone,           // not outdated for this generation
  kRunning,        // outdate handler running
  kDone,           // handler succeeded (and the generation moved on)
  kFailed,         // handler failed: requests that needed it failed; retried on the next request
};
const char* peer_sync_name(PeerSync s);
const char* peer_fence_name(PeerFence s);

struct PeerView {
  PeerSync sync = PeerSync::kDisconnected;
  PeerFence fence = PeerFence::kNone;
  // The peer confirmed a resync began since it last was in sync: its copy
  // refuses promotion by its own metadata even after the link is gone.
  bool inconsistent = false;
  Clock::Monotonic since{};  // when the handshake began (it too has the ack timeout)
};

class Replicator {
 public:
  struct Options {
    std::chrono::milliseconds ack_timeout{2000};
    // Random ids for new generations (tests pass a counter).
    std::function<uint64_t()> new_id;
  };
  // `generation` is the one the daemon persisted when it was promoted.
  Replicator(const Clock& clock, Options options, Generation generation, const std::set<std::string>& peers);

  const Generation& generation() const { return generation_; }
  const std::map<std::string, PeerView>& peers() const { return peers_; }
  size_t pending() const { return requests_.size(); }
  // Whether the daemon should try to (re)connect to this peer now: not
  // while its outdate handler runs (the mark must land first).
  bool wants_link(const std::string& peer) const;

  // Adds peers (a peer is never forgotten here: a copy the Primary stops
  // hearing of must still be outdated before writes complete).
  Actions add_peers(const std::set<std::string>& peers);
  // A write or flush that the daemon already applied locally.
  Actions submit(RequestId id);
  Actions acked(const std::string& peer, RequestId id);
  Actions lost(const std::string& peer);
  // The peer said hello with its generation and disk state.
  Actions connected(const std::string& peer, const Generation& gen, DiskState state);
  Actions resync_begun(const std::string& peer);  // the peer is durably Inconsistent
  Actions resync_done(const std::string& peer);   // the peer holds our generation, UpToDate
  Actions outdate_result(const std::string& peer, bool ok);
  // Time passed: a peer that kept a request past the ack timeout is lost.
  Actions tick();

 private:
  struct Request {
    Clock::Monotonic submitted;
    std::set<std::string> waiting;  // in-sync peers that have not acked yet
  };
  bool safe(const PeerView& p) const;
  PeerView* peer_in(const std::string& peer, PeerSync sync);  // the peer, when in that state
  // Starts the handler for peers that are neither in sync nor safe.
  void fence_unsafe(Actions& a, bool retry_failed);
  void complete_ready(Actions& a);
  Generation next_generation();

  const Clock& clock_;
  Options options_;
  Generation generation_;
  std::map<std::string, PeerView> peers_;
  std::map<RequestId, Request> requests_;
};

}  // namespace crm::repldisk
