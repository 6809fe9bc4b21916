#include "daemon_cib.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace crm::crmd {

// Writes of one batch in flight at once on the writer's connection.
constexpr size_t kWriteWindow = 64;
// The shortest time between two reads of the whole CIB (see worker()).
constexpr auto kMinReadInterval = std::chrono::milliseconds(200);

Result<std::unique_ptr<DaemonCib>> DaemonCib::connect(EventLoop& loop) {
  std::unique_ptr<DaemonCib> d(new DaemonCib(loop));
  cib::ClientOptions opts;  // the daemon, never CIB_file
  ASSIGN_OR_RETURN(d->query_, cib::connect(opts));
  ASSIGN_OR_RETURN(d->notify_, cib::connect(opts));
  ASSIGN_OR_RETURN(d->writer_, cib::connect(opts));
  RETURN_IF_ERROR(d->notify_->subscribe());
  DaemonCib* self = d.get();
  loop.watch_fd(d->notify_->fd(), [self] { self->on_notify_readable(); });
  d->refresh_ = true;  // the first snapshot
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

void DaemonCib::request_refresh() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    refresh_ = true;
  }
  cv_.notify_one();
}

size_t DaemonCib::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return writes_.size();
}

void DaemonCib::worker() {
  // Writes go out as soon as they come; the read that follows them (and any
  // notification) is taken at most once per kMinReadInterval, or ten times
  // the last read's duration if longer. A stream of changes (a transition's
  // results, hundreds a second) would otherwise keep every node's controller
  // re-reading the whole CIB back to back. The acknowledgements of the writes
  // sent meanwhile wait for that read, which contains them. An idle
  // controller's first read is never delayed.
  std::vector<std::pair<uint64_t, Status>> results;  // sent, awaiting the read
  bool read_due = false;
  uint32_t replaced_by = 0;
  std::optional<std::vector<uint32_t>> synced;
  auto next_read = std::chrono::steady_clock::now();
  for (;;) {
    std::deque<CibWrite> batch;
    bool stopping = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || refresh_ || read_due || !writes_.empty(); });
      // Stopping: the writes already handed to us still go out (a DC's last
      // "expected down" before it exits), nothing more is read.
      if (stopping_ && writes_.empty()) return;
      if (writes_.empty() && !stopping_ && std::chrono::steady_clock::now() < next_read) {
        // Only a read is due, and too soon: wait for its time or a write.
        cv_.wait_until(lock, next_read, [&] { return stopping_ || !writes_.empty(); });
        if (stopping_ && writes_.empty()) return;
      }
      batch.swap(writes_);
      read_due = read_due || refresh_ || !batch.empty();
      refresh_ = false;
      stopping = stopping_;
      if (replaced_by_ != 0) replaced_by = replaced_by_;
      replaced_by_ = 0;
      if (synced_) synced.swap(synced_);
      synced_.reset();
    }
    // The batch goes out pipelined (the results of a transition are many
    // small status changes); the daemon keeps their order.
    if (!batch.empty()) {
      std::vector<cib::Request> requests;
      requests.reserve(batch.size());
      for (CibWrite& w : batch) requests.push_back(std::move(w.request));
      auto replies = writer_->call_pipelined(requests, kWriteWindow);
      for (size_t i = 0; i < batch.size(); ++i) {
        Status st = i < replies.size() ? (replies[i].ok() ? Status::Ok() : replies[i].status())
                                       : unavailable("no reply from the CIB daemon");
        results.emplace_back(batch[i].id, st);
      }
    }
    if (stopping) continue;
    if (std::chrono::steady_clock::now() < next_read) continue;  // the wait above comes round
    // One read covers every write sent so far and every notification.
    read_due = false;
    const auto read_start = std::chrono::steady_clock::now();
    auto fresh = query_->query_cib();
    // A big CIB takes longer to read (and the loop to copy): the next read
    // waits ten times this one, so reading stays a small share of a core.
    const auto read_end = std::chrono::steady_clock::now();
    next_read = read_end + std::max<std::chrono::steady_clock::duration>(kMinReadInterval, 10 * (read_end - read_start));
    std::shared_ptr<const cib::Cib> snapshot;
    bool lost = false;
    if (fresh.ok()) snapshot = std::make_shared<const cib::Cib>(std::move(fresh).value());
    else lost = fresh.status().code() == StatusCode::kUnavailable;
    std::weak_ptr<bool> alive = alive_;
    loop_.post([this, alive, snapshot, done = std::move(results), lost, replaced_by, synced] {
      if (alive.expired()) return;
      if (snapshot && on_snapshot) on_snapshot(snapshot, replaced_by, synced);
      for (const auto& [id, st] : done) {
        if (on_write_done) on_write_done(id, st);
      }
      if (lost && on_lost) on_lost();
    });
    results.clear();
    replaced_by = 0;
    synced.reset();
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
  for (const auto& note : *n) {
    std::lock_guard<std::mutex> lock(mu_);
    if (note.replaced_by != 0) replaced_by_ = note.replaced_by;
    if (!note.synced.empty()) synced_ = note.synced;
  }
  request_refresh();
}

}  // namespace crm::crmd
