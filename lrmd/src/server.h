// The lrmd daemon's request handling: an ipc::Server in front of an Executor.
// Every result the executor reports is sent to every connected client.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "crm/core/ipc.h"
#include "crm/lrmd/lrmd.h"

namespace crm::lrmd {

class LrmdServer {
 public:
  // Listens on `path`; the server and executor must outlive nothing of the loop.
  static Result<std::unique_ptr<LrmdServer>> start(EventLoop& loop, Executor& executor, const std::string& path);
  // Handles one request document; returns the reply document (also for tests).
  std::string handle(const std::string& message);
  ipc::Server& ipc() { return *server_; }

 private:
  LrmdServer(Executor& executor, std::unique_ptr<ipc::Server> server)
      : executor_(executor), server_(std::move(server)) {}
  void broadcast(const ExecResult& r);

  Executor& executor_;
  std::unique_ptr<ipc::Server> server_;
  std::set<ipc::ClientId> clients_;
};

}  // namespace crm::lrmd
