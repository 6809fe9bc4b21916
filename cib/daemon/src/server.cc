#include "crm/cib/server.h"

#include "crm/cib/acl.h"

namespace crm::cib {

CibServer::CibServer(EventLoop& loop, Replicator& replicator) : loop_(loop), replicator_(replicator) {
  replicator_.on_change = [this](const CibChange& change) {
    if (!server_ || subscribers_.empty()) return;
    Attrs attrs{{"kind", change_kind_name(change.kind)}, {"version", change.version.to_string()}};
    if (change.replaced_by != 0) attrs.emplace_back("replaced_by", std::to_string(change.replaced_by));
    std::string note = encode("cib_notify", attrs);
    std::string with_change;  // encoded for the first subscriber that wants it
    for (const auto& [id, what] : std::map<ipc::ClientId, Subscription>(subscribers_)) {
      if (what != Subscription::kWithChanges || !change.entry) {
        (void)server_->send(id, note);
        continue;
      }
      if (with_change.empty()) {
        Attrs full = attrs;
        full.emplace_back("from", change.entry->from.to_string());
        full.emplace_back("form", journal_form_name(change.entry->form));
        with_change = encode("cib_notify", full, change.entry->text);
      }
      (void)server_->send(id, with_change);
    }
  };
  replicator_.on_synced = [this](const std::vector<cluster::NodeId>&) {
    if (!server_ || subscribers_.empty()) return;
    std::string note = synced_note();
    for (const auto& subscriber : std::map<ipc::ClientId, Subscription>(subscribers_)) {
      (void)server_->send(subscriber.first, note);
    }
  };
}

std::string CibServer::synced_note() const {
  std::string list;
  for (cluster::NodeId n : replicator_.members()) list += (list.empty() ? "" : " ") + std::to_string(n);
  // Nothing changed by the round itself (a replacement has its own note).
  return encode("cib_notify", {{"kind", "status"}, {"version", replicator_.cib().version().to_string()},
                               {"synced", list}});
}

Status CibServer::listen(const std::string& socket_path) {
  ASSIGN_OR_RETURN(server_, ipc::Server::listen(loop_, socket_path));
  server_->on_message = [this](ipc::ClientId id, const ipc::PeerCredentials& cred, std::string msg) {
    connected_.insert(id);
    on_request(id, cred, std::move(msg));
  };
  server_->on_disconnect = [this](ipc::ClientId id) {
    connected_.erase(id);
    subscribers_.erase(id);
  };
  return Status::Ok();
}

void CibServer::reply(ipc::ClientId client, const std::string& call_id, const Status& status,
                      const Version& version, std::string_view body) {
  if (!connected_.count(client)) return;  // the client went away meanwhile
  Attrs attrs{{"call-id", call_id}, {"rc", status_code_name(status.code())}, {"version", version.to_string()}};
  if (!status.ok()) attrs.emplace_back("msg", status.message());
  (void)server_->send(client, encode("cib_reply", attrs, body));
}

namespace {

// Who a request acts for: the user on the socket, or, when that is root or
// hacluster, the user the request names (the peer's CIB_user delegation:
// a privileged tool may act as someone else, whose ACLs then apply).
std::string acting_user(const ipc::PeerCredentials& cred, const std::string& requested) {
  std::string own = ipc::user_name(cred.uid);
  const bool privileged = cred.uid == 0 || own == "hacluster";
  return privileged && !requested.empty() ? requested : own;
}

}  // namespace

void CibServer::on_request(ipc::ClientId client, const ipc::PeerCredentials& cred, std::string payload) {
  auto m = split_message(payload);
  if (!m.ok()) {
    reply(client, "", m.status(), replicator_.cib().version());
    return;
  }
  std::string call_id = m->get("call-id");
  std::string op = m->get("op");
  if (op == "subscribe") {
    // A user the ACLs restrict hears that the CIB changed, never what
    // changed: it reads again, through its ACLs.
    const bool restricted = acl_required(acting_user(cred, m->get("user")));
    subscribers_[client] = m->get("changes") == "yes" && !restricted ? Subscription::kWithChanges
                                                                      : Subscription::kVersions;
    reply(client, call_id, Status::Ok(), replicator_.cib().version());
    // A subscriber learns at once which members the copy is synced with.
    if (replicator_.synced()) (void)server_->send(client, synced_note());
    return;
  }
  auto request = request_from_message(*m);
  if (!request.ok()) {
    reply(client, call_id, request.status(), replicator_.cib().version());
    return;
  }
  request->user = acting_user(cred, request->user);
  if (request->op == Op::kQuery) {
    auto result = run_query_as_user(replicator_.cib(), *request, ipc::group_names);
    reply(client, call_id, result.status(), replicator_.cib().version(), result.ok() ? *result : std::string());
    return;
  }
  replicator_.submit(std::move(request).value(), [this, client, call_id](const Status& s, const Version& v) {
    reply(client, call_id, s, v);
  });
}

}  // namespace crm::cib
