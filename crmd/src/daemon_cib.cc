#include "daemon_cib.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace crm::crmd {

// Writes of one batch in flight at once on the writer's connection.
constexpr size_t kWriteWindow = 64;
// The shortest time between two snapshots (see worker()).
constexpr auto kMinSnapshotInterval = std::chrono::milliseconds(200);
// How long the acknowledgement of a write waits for the notification that
// carries its change before the worker reads the CIB instead.
constexpr auto kCatchUpWait = std::chrono::seconds(2);

Result<std::unique_ptr<DaemonCib>> DaemonCib::connect(EventLoop& loop) {
  std::unique_ptr<DaemonCib> d(new DaemonCib(loop));
  cib::ClientOptions opts;  // the daemon, never CIB_file
  ASSIGN_OR_RETURN(d->query_, cib::connect(opts));
  ASSIGN_OR_RETURN(d->notify_, cib::connect(opts));
  ASSIGN_OR_RETURN(d->writer_, cib::connect(opts));
  // Subscribed before the first read: no change falls between the two.
  RETURN_IF_ERROR(d->notify_->subscribe(cib::Subscription::kWithChanges));
  DaemonCib* self = d.get();
  loop.watch_fd(d->notify_->fd(), [self] { self->on_notify_readable(); });
  d->thread_ = EventLoop::start_worker([self] { self->worker(); });
  return d;
}

DaemonCib::~DaemonCib() {
  *alive_ = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (notify_ && notify_->fd() >= 0) loop_.unwatch_fd(notify_->fd());
}

void DaemonCib::submit(CibWrite write) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    writes_.push_back(std::move(write));
  }
  cv_.notify_one();
}

size_t DaemonCib::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return writes_.size();
}

bool DaemonCib::apply(std::deque<cib::Notification>& notes, SnapshotNotes& next) {
  bool current = true;
  for (cib::Notification& n : notes) {
    if (n.replaced_by != 0) next.replaced_by = n.replaced_by;
    if (!n.synced.empty()) next.synced = std::move(n.synced);
    if (!copy_ || !current) continue;  // a read comes anyway
    if (n.version == copy_->version() && n.replaced_by == 0) continue;  // nothing new (a sync round's note)
    if (!n.change) {
      current = false;  // a whole copy came
      continue;
    }
    if (n.change->to <= copy_->version()) continue;  // the last read already had it
    if (!cib::apply_journal_entry(*copy_, *n.change).ok()) current = false;
  }
  notes.clear();
  return current;
}

bool DaemonCib::catch_up(const cib::Version& version, SnapshotNotes& next) {
  // cibd sends a change's notification before the reply to the write, but
  // on another connection, which the loop thread reads.
  const auto deadline = std::chrono::steady_clock::now() + kCatchUpWait;
  while (copy_ && copy_->version() < version) {
    std::deque<cib::Notification> notes;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_until(lock, deadline, [&] { return stopping_ || !notes_.empty(); })) return false;
      if (stopping_) return true;
      notes.swap(notes_);
    }
    if (!apply(notes, next)) return false;
  }
  return copy_.has_value();
}

void DaemonCib::worker() {
  // A snapshot goes to the loop at most once per kMinSnapshotInterval, or ten
  // times the last copy's duration if longer: a stream of changes (a
  // transition's results, hundreds a second) would otherwise keep the
  // controller rebuilding its view back to back. The acknowledgements of the
  // writes sent meanwhile wait for the snapshot that contains them. An idle
  // controller's first snapshot is never delayed.
  std::vector<std::pair<uint64_t, Status>> results;  // sent, awaiting a snapshot
  bool snapshot_due = true;  // the first one
  bool read_due = true;
  SnapshotNotes next;
  auto next_snapshot = std::chrono::steady_clock::now();
  for (;;) {
    std::deque<CibWrite> batch;
    std::deque<cib::Notification> notes;
    bool stopping = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || snapshot_due || !writes_.empty() || !notes_.empty(); });
      // Stopping: the writes already handed to us still go out (a DC's last
      // "expected down" before it exits), nothing more is read.
      if (stopping_ && writes_.empty()) return;
      if (writes_.empty() && notes_.empty() && !stopping_ && std::chrono::steady_clock::now() < next_snapshot) {
        // Only a snapshot is due, and too soon: wait for its time, a write or a change.
        cv_.wait_until(lock, next_snapshot, [&] { return stopping_ || !writes_.empty() || !notes_.empty(); });
        if (stopping_ && writes_.empty()) return;
      }
      batch.swap(writes_);
      notes.swap(notes_);
      stopping = stopping_;
    }
    snapshot_due = snapshot_due || !notes.empty() || !batch.empty();
    if (!apply(notes, next)) read_due = true;
    // The batch goes out pipelined (the results of a transition are many
    // small status changes); the daemon keeps their order.
    std::optional<cib::Version> written;
    if (!batch.empty()) {
      std::vector<cib::Request> requests;
      requests.reserve(batch.size());
      for (CibWrite& w : batch) requests.push_back(std::move(w.request));
      auto replies = writer_->call_pipelined(requests, kWriteWindow);
      for (size_t i = 0; i < batch.size(); ++i) {
        Status st = i < replies.size() ? (replies[i].ok() ? Status::Ok() : replies[i].status())
                                       : unavailable("no reply from the CIB daemon");
        if (i < replies.size() && replies[i].ok() && (!written || *written < replies[i]->version)) {
          written = replies[i]->version;
        }
        results.emplace_back(batch[i].id, st);
      }
    }
    if (stopping) continue;
    if (std::chrono::steady_clock::now() < next_snapshot) continue;  // the wait above comes round
    snapshot_due = false;
    const auto start = std::chrono::steady_clock::now();
    // The writes' acknowledgements need a copy that contains them.
    if (!read_due && written && !catch_up(*written, next)) read_due = true;
    bool lost = false;
    if (read_due || !copy_) {
      auto fresh = query_->query_cib();
      if (fresh.ok()) {
        copy_ = std::move(fresh).value();
        read_due = false;
      } else {
        copy_.reset();
        lost = fresh.status().code() == StatusCode::kUnavailable;
      }
    }
    std::shared_ptr<const cib::Cib> snapshot;
    if (copy_) snapshot = std::make_shared<const cib::Cib>(copy_->copy());
    // A big CIB takes longer to copy (and the loop to take in): the next
    // snapshot waits ten times this one, so it stays a small share of a core.
    const auto end = std::chrono::steady_clock::now();
    next_snapshot = end + std::max<std::chrono::steady_clock::duration>(kMinSnapshotInterval, 10 * (end - start));
    std::weak_ptr<bool> alive = alive_;
    loop_.post([this, alive, snapshot, done = std::move(results), lost, next] {
      if (alive.expired()) return;
      if (snapshot && on_snapshot) on_snapshot(snapshot, next.replaced_by, next.synced);
      for (const auto& [id, st] : done) {
        if (on_write_done) on_write_done(id, st);
      }
      if (lost && on_lost) on_lost();
    });
    results.clear();
    next = {};
  }
}

void DaemonCib::on_notify_readable() {
  auto n = notify_->read_notifications();
  if (!n.ok()) {
    loop_.unwatch_fd(notify_->fd());
    if (on_lost) on_lost();
    return;
  }
  if (n->empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& note : *n) notes_.push_back(std::move(note));
  }
  cv_.notify_one();
}

}  // namespace crm::crmd
