#include "replicator.h"

#include <algorithm>

namespace crm::repldisk {

namespace {
template <typename T>
void append(std::vector<T>& to, std::vector<T>&& from) {
  for (auto& x : from) to.push_back(std::move(x));
}
}  // namespace

void Actions::merge(Actions&& o) {
  if (o.new_generation) new_generation = o.new_generation;
  append(disconnect, std::move(o.disconnect));
  append(run_outdate, std::move(o.run_outdate));
  append(run_uptodate, std::move(o.run_uptodate));
  append(start_resync, std::move(o.start_resync));
  append(send_to, std::move(o.send_to));
  append(complete, std::move(o.complete));
}

const char* peer_sync_name(PeerSync s) {
  switch (s) {
    case PeerSync::kDisconnected: return "Disconnected";
    case PeerSync::kHandshake: return "Handshake";
    case PeerSync::kResyncing: return "Resyncing";
    case PeerSync::kInSync: return "InSync";
  }
  return "?";
}

const char* peer_fence_name(PeerFence s) {
  switch (s) {
    case PeerFence::kNone: return "none";
    case PeerFence::kRunning: return "outdating";
    case PeerFence::kDone: return "outdated";
    case PeerFence::kFailed: return "outdate-failed";
  }
  return "?";
}

Replicator::Replicator(const Clock& clock, Options options, Generation generation,
                       const std::set<std::string>& peers)
    : clock_(clock), options_(std::move(options)), generation_(generation) {
  for (const auto& p : peers) peers_[p];
}

bool Replicator::wants_link(const std::string& peer) const {
  auto it = peers_.find(peer);
  return it != peers_.end() && it->second.sync == PeerSync::kDisconnected && it->second.fence != PeerFence::kRunning;
}

bool Replicator::safe(const PeerView& p) const {
  return p.sync == PeerSync::kInSync || p.inconsistent || p.fence == PeerFence::kDone;
}

Generation Replicator::next_generation() {
  Generation g;
  g.counter = generation_.counter + 1;
  g.id = options_.new_id ? options_.new_id() : generation_.id + 1;
  generation_ = g;
  return g;
}

Actions Replicator::add_peers(const std::set<std::string>& peers) {
  for (const auto& p : peers) peers_[p];
  return {};
}

void Replicator::fence_unsafe(Actions& a, bool retry_failed) {
  for (auto& [name, p] : peers_) {
    if (safe(p) || p.sync != PeerSync::kDisconnected) continue;  // a linked peer is on its way to safe
    if (p.fence == PeerFence::kNone || (retry_failed && p.fence == PeerFence::kFailed)) {
      p.fence = PeerFence::kRunning;
      a.run_outdate.push_back(name);
    }
  }
}

void Replicator::complete_ready(Actions& a) {
  bool all_safe = std::all_of(peers_.begin(), peers_.end(), [&](const auto& kv) { return safe(kv.second); });
  if (!all_safe) return;
  for (auto it = requests_.begin(); it != requests_.end();) {
    if (it->second.waiting.empty()) {
      a.complete.emplace_back(it->first, true);
      it = requests_.erase(it);
    } else {
      ++it;
    }
  }
}

Actions Replicator::submit(RequestId id) {
  Actions a;
  Request r;
  r.submitted = clock_.monotonic_now();
  for (const auto& [name, p] : peers_) {
    if (p.sync == PeerSync::kDisconnected) continue;
    // Resyncing peers get the request too (after the chunks already sent,
    // so their copy converges), but nobody waits for them.
    a.send_to.push_back(name);
    if (p.sync == PeerSync::kInSync) r.waiting.insert(name);
  }
  requests_[id] = std::move(r);
  fence_unsafe(a, true);
  complete_ready(a);
  return a;
}

Actions Replicator::acked(const std::string& peer, RequestId id) {
  Actions a;
  auto it = requests_.find(id);
  if (it != requests_.end()) it->second.waiting.erase(peer);
  complete_ready(a);
  return a;
}

Actions Replicator::lost(const std::string& peer) {
  Actions a;
  auto it = peers_.find(peer);
  if (it == peers_.end() || it->second.sync == PeerSync::kDisconnected) return a;
  PeerView& p = it->second;
  bool was_in_sync = p.sync == PeerSync::kInSync;
  p.sync = PeerSync::kDisconnected;
  for (auto& [id, r] : requests_) r.waiting.erase(peer);
  if (was_in_sync) {
    // Its copy held our generation: from the next completed request on it
    // no longer does, so the generation moves on (persisted before anything
    // completes) and the peer resyncs when it returns; and it is outdated
    // now, as DRBD's fence-peer runs on losing a peer, not at the next write.
    a.new_generation = next_generation();
    p.fence = PeerFence::kRunning;
    a.run_outdate.push_back(peer);
  }
  if (!requests_.empty()) fence_unsafe(a, false);
  complete_ready(a);
  return a;
}

Actions Replicator::connected(const std::string& peer, const Generation& gen, DiskState state) {
  Actions a;
  auto it = peers_.find(peer);
  if (it == peers_.end()) it = peers_.emplace(peer, PeerView{}).first;
  PeerView& p = it->second;
  if (p.fence == PeerFence::kRunning) {
    a.disconnect.push_back(peer);  // the mark lands first; the next attempt resyncs
    return a;
  }
  p.since = clock_.monotonic_now();
  if (gen == generation_ && state == DiskState::kUpToDate && !p.inconsistent) {
    p.sync = PeerSync::kInSync;
    p.fence = PeerFence::kNone;
    a.run_uptodate.push_back(peer);
  } else {
    p.sync = PeerSync::kHandshake;
    a.start_resync.push_back(peer);
  }
  complete_ready(a);
  return a;
}

PeerView* Replicator::peer_in(const std::string& peer, PeerSync sync) {
  auto it = peers_.find(peer);
  return it != peers_.end() && it->second.sync == sync ? &it->second : nullptr;
}

Actions Replicator::resync_begun(const std::string& peer) {
  Actions a;
  if (PeerView* p = peer_in(peer, PeerSync::kHandshake)) {
    p->sync = PeerSync::kResyncing;
    p->inconsistent = true;
  }
  complete_ready(a);
  return a;
}

Actions Replicator::resync_done(const std::string& peer) {
  Actions a;
  if (PeerView* p = peer_in(peer, PeerSync::kResyncing)) {
    p->sync = PeerSync::kInSync;
    p->inconsistent = false;
    p->fence = PeerFence::kNone;
    a.run_uptodate.push_back(peer);
  }
  complete_ready(a);
  return a;
}

Actions Replicator::outdate_result(const std::string& peer, bool ok) {
  Actions a;
  auto it = peers_.find(peer);
  if (it == peers_.end() || it->second.fence != PeerFence::kRunning) return a;
  it->second.fence = ok ? PeerFence::kDone : PeerFence::kFailed;
  if (!ok && !safe(it->second)) {
    // Nothing may complete while this copy could still be promoted: every
    // pending request fails. The next request runs the handler again.
    for (const auto& [id, r] : requests_) a.complete.emplace_back(id, false);
    requests_.clear();
  }
  complete_ready(a);
  return a;
}

Actions Replicator::tick() {
  Actions a;
  auto now = clock_.monotonic_now();
  std::set<std::string> late;
  for (const auto& [id, r] : requests_) {
    if (now - r.submitted < options_.ack_timeout) continue;
    late.insert(r.waiting.begin(), r.waiting.end());
  }
  for (const auto& [name, p] : peers_) {
    if (p.sync == PeerSync::kHandshake && now - p.since >= options_.ack_timeout) late.insert(name);
  }
  for (const auto& peer : late) {
    a.disconnect.push_back(peer);
    a.merge(lost(peer));
  }
  return a;
}

}  // namespace crm::repldisk
