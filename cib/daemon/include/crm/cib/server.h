// The local face of cibd: answers clients on the IPC socket from the local
// copy (queries) or through the Replicator (changes), and sends change
// notifications to subscribed clients.
//
// Wire form (every message "<header/>\n<body>", see request.h):
//   client -> cibd  <cib_request call-id="7" op="modify" section="status" flags="allow-create"/>\n<node_state .../>
//                   <cib_request call-id="8" op="subscribe"/>
//   cibd -> client  <cib_reply call-id="7" rc="ok" version="0.12.40"/>\n<query result>
//                   <cib_reply call-id="7" rc="schema-invalid" msg="..." version="0.12.39"/>
//                   <cib_notify kind="status" version="0.12.40"/>
//                   <cib_notify kind="status" version="0.12.41" from="0.12.40" form="patch|request"/>\n<the change>
//                     (to subscribers with changes="yes", when the copy moved by one change)
#pragma once

#include <memory>
#include <map>
#include <set>
#include <string>

#include "crm/cib/client.h"
#include "crm/cib/replicator.h"
#include "crm/core/event_loop.h"
#include "crm/core/ipc.h"

namespace crm::cib {

class CibServer {
 public:
  // `replicator` must outlive the server. Takes over replicator.on_change.
  CibServer(EventLoop& loop, Replicator& replicator);
  // Listens on `socket_path` (ipc::socket_path("cib") in production).
  Status listen(const std::string& socket_path);
  ipc::Server* ipc() { return server_.get(); }
  size_t subscribers() const { return subscribers_.size(); }

 private:
  // "<cib_notify kind=status synced='1 2 3'/>": the members the copy is synced with.
  std::string synced_note() const;
  void on_request(ipc::ClientId client, const ipc::PeerCredentials& cred, std::string payload);
  void reply(ipc::ClientId client, const std::string& call_id, const Status& status, const Version& version,
             std::string_view body = {});

  EventLoop& loop_;
  Replicator& replicator_;
  std::unique_ptr<ipc::Server> server_;
  std::set<ipc::ClientId> connected_;
  std::map<ipc::ClientId, Subscription> subscribers_;
};

}  // namespace crm::cib
