// The controller's CIB edge in the daemon: its writes (Outputs::cib_writes)
// go to a worker thread that performs them in order on its own connection.
// The worker keeps its own copy of the CIB: read once, then kept current
// with the changes cibd's notifications carry (a status change is a few
// hundred bytes; reading a CIB of thousands of resources is megabytes for
// cibd to write and for us to parse). A notification without its change (a
// copy replaced at a membership change) or one that does not apply makes it
// read the CIB again. After each batch of writes, and after notifications,
// it posts a snapshot of the copy to the loop (at most every 200 ms while
// changes stream in), followed by the acknowledgements of the writes it
// contains. The event loop never waits for the CIB daemon (replication,
// fsync, a large CIB's query).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>
#include <thread>

#include "crm/cib/client.h"
#include "crm/core/event_loop.h"
#include "crm/crmd/controller.h"

namespace crm::crmd {

class DaemonCib final {
 public:
  // Connects three clients (queries, notifications, writer) and asks for a
  // first snapshot. unavailable while the cib daemon is not answering.
  static Result<std::unique_ptr<DaemonCib>> connect(EventLoop& loop);
  ~DaemonCib();

  // Queues a write; its CibWriteDone comes through on_write_done.
  void submit(CibWrite write);

  // Called on the loop: a fresh copy of the CIB (and the node whose copy
  // replaced the daemon's at a membership change since the last one, else
  // 0)...
  std::function<void(std::shared_ptr<const cib::Cib>, uint32_t replaced_by,
                     std::optional<std::vector<uint32_t>> synced)> on_snapshot;
  // ...then, for each write it includes (or that was refused), its result.
  std::function<void(uint64_t id, const Status& status)> on_write_done;
  // Called when the cib daemon went away.
  std::function<void()> on_lost;
  size_t queued() const;

 private:
  explicit DaemonCib(EventLoop& loop) : loop_(loop) {}
  void worker();
  void on_notify_readable();
  // Worker: applies the notifications' changes to copy_; false when the CIB
  // must be read again.
  // What the next snapshot reports besides the copy (see on_snapshot).
  struct SnapshotNotes {
    uint32_t replaced_by = 0;
    std::optional<std::vector<uint32_t>> synced;
  };
  bool apply(std::deque<cib::Notification>& notes, SnapshotNotes& next);
  // Worker: until copy_ reached `version` through notifications (false
  // after a while without: the caller reads).
  bool catch_up(const cib::Version& version, SnapshotNotes& next);

  EventLoop& loop_;
  std::unique_ptr<cib::CibClient> query_, notify_, writer_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<CibWrite> writes_;
  std::deque<cib::Notification> notes_;  // from the loop, not yet applied
  bool stopping_ = false;
  std::optional<cib::Cib> copy_;  // the worker's
  std::thread thread_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace crm::crmd
