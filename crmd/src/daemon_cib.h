// The controller's CIB edge in the daemon: its writes (Outputs::cib_writes)
// go to a worker thread that performs them in order on its own connection;
// after each batch of writes, and after change notifications, the worker
// reads the CIB once (at most every 200 ms while changes stream in) and posts
// the snapshot to the loop, followed by the acknowledgements of the writes it
// contains. The event loop never waits for
// the CIB daemon (replication, fsync, a large CIB's query).
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
  void request_refresh();

  EventLoop& loop_;
  std::unique_ptr<cib::CibClient> query_, notify_, writer_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<CibWrite> writes_;
  bool refresh_ = false;
  uint32_t replaced_by_ = 0;  // from a notification, for the next snapshot
  std::optional<std::vector<uint32_t>> synced_;  // likewise
  bool stopping_ = false;
  std::thread thread_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace crm::crmd
