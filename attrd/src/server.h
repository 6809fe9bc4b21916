// attrd's edges: the socket clients talk to (an ipc::Server in front of an
// AttributeDaemon) and the CIB daemon the writer writes to.
#pragma once

#include <condition_variable>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "attribute_daemon.h"
#include "crm/cib/client.h"
#include "crm/core/ipc.h"

namespace crm::attrd {

class AttrdServer {
 public:
  static Result<std::unique_ptr<AttrdServer>> start(EventLoop& loop, AttributeDaemon& daemon, const std::string& path);
  void handle(ipc::ClientId client, const std::string& message);

 private:
  AttrdServer(AttributeDaemon& daemon, std::unique_ptr<ipc::Server> server)
      : daemon_(daemon), server_(std::move(server)) {}
  void reply(ipc::ClientId client, const std::string& text);

  AttributeDaemon& daemon_;
  std::unique_ptr<ipc::Server> server_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The writer's CibSink over cibd: requests run one after the other on a
// worker thread (a busy CIB never stalls attrd's loop), results are posted
// back to the loop. Reconnects when cibd went away.
class DaemonCibSink final : public CibSink {
 public:
  explicit DaemonCibSink(EventLoop& loop);
  ~DaemonCibSink() override;
  void submit(cib::Request request, std::function<void(Status)> done) override;
  std::string node_id(const std::string& name) override;

 private:
  void run();
  std::string lookup(const std::string& name);  // one query of the nodes section
  Result<cib::CibClient*> connection(std::unique_ptr<cib::CibClient>& c);

  EventLoop& loop_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<cib::Request, std::function<void(Status)>>> queue_;
  bool stopping_ = false;
  std::unique_ptr<cib::CibClient> worker_conn_, lookup_conn_;
  // node_id() answers: a name keeps its id; an unknown name is asked again
  // only after kNegativeTtl, not on every batch the writer writes.
  std::map<std::string, std::string> ids_;
  std::map<std::string, std::chrono::steady_clock::time_point> unknown_since_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::thread worker_;
};

}  // namespace crm::attrd
