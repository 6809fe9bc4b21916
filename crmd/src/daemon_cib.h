// CibAccess over the cib daemon: the controller's changes go to a worker
// thread that performs them in order on its own connection (so the event loop
// never waits for replication); notifications mark the cached copy stale and
// it is re-read on the next current().
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "crm/cib/client.h"
#include "crm/core/event_loop.h"
#include "crm/crmd/controller.h"

namespace crm::crmd {

class DaemonCib final : public CibAccess {
 public:
  // Connects three clients (queries, notifications, writer). unavailable
  // while the cib daemon is not answering.
  static Result<std::unique_ptr<DaemonCib>> connect(EventLoop& loop);
  ~DaemonCib() override;

  const cib::Cib& current() const override;
  void submit(const cib::Request& request, std::function<void(const Status&)> done) override;

  // Called on the loop after notifications arrived (the cache is stale).
  std::function<void()> on_change;
  // Called when the cib daemon went away.
  std::function<void()> on_lost;
  size_t queued() const;

 private:
  DaemonCib(EventLoop& loop) : loop_(loop), cache_(cib::Cib::empty()) {}
  void worker();
  void on_notify_readable();

  EventLoop& loop_;
  std::unique_ptr<cib::CibClient> query_, notify_, writer_;
  mutable cib::Cib cache_;
  mutable bool stale_ = true;

  struct Job {
    cib::Request request;
    std::function<void(const Status&)> done;
  };
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread thread_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace crm::crmd
