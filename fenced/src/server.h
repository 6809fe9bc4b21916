// fenced's socket: an ipc::Server in front of a Fencer. Requests are XML
// elements with a req_id the reply (<st_reply>) echoes; fence, confirm, query
// and monitor replies come when the operation completes, the others at once.
// Every completed operation is sent to every client as <st_notify>.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "crm/core/ipc.h"
#include "fencer.h"

namespace crm::fenced {

class FencedServer {
 public:
  static Result<std::unique_ptr<FencedServer>> start(EventLoop& loop, Fencer& fencer, const std::string& path);
  ~FencedServer();
  // Handles one request from `client`; `reply` is called once (maybe later).
  void handle(ipc::ClientId client, const std::string& message);
  ipc::Server& ipc() { return *server_; }

 private:
  FencedServer(Fencer& fencer, std::unique_ptr<ipc::Server> server) : fencer_(fencer), server_(std::move(server)) {}
  void reply(ipc::ClientId client, const std::string& text);
  void notify(const HistoryEntry& e);

  Fencer& fencer_;
  std::unique_ptr<ipc::Server> server_;
  std::set<ipc::ClientId> clients_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace crm::fenced
