#include "server.h"

#include <fmt/format.h>

#include <cstdio>

#include "crm/core/xml.h"
#include "wire.h"
#include "crm/core/log.h"

namespace crm::lrmd {

Result<std::unique_ptr<LrmdServer>> LrmdServer::start(EventLoop& loop, Executor& executor, const std::string& path) {
  ASSIGN_OR_RETURN(auto ipc_server, ipc::Server::listen(loop, path));
  std::unique_ptr<LrmdServer> s(new LrmdServer(executor, std::move(ipc_server)));
  LrmdServer* self = s.get();
  s->server_->on_message = [self](ipc::ClientId id, const ipc::PeerCredentials& cred, std::string msg) {
    self->clients_.insert(id);
    std::string reply = self->handle(msg);
    if (!reply.empty()) (void)self->server_->send(id, reply);
  };
  s->server_->on_disconnect = [self](ipc::ClientId id) { self->clients_.erase(id); };
  executor.set_result_callback([self](const ExecResult& r) { self->broadcast(r); });
  return s;
}

void LrmdServer::broadcast(const ExecResult& r) {
  crm::log::line(r.summary());
  std::string msg = wire::result_message(r);
  std::vector<ipc::ClientId> gone;
  for (ipc::ClientId id : clients_) {
    if (!server_->send(id, msg).ok()) gone.push_back(id);
  }
  for (ipc::ClientId id : gone) server_->disconnect(id);
}

std::string LrmdServer::handle(const std::string& message) {
  auto reply_doc = xml::new_document("lrmd_reply");
  xmlNode* reply = xml::root(reply_doc);
  auto doc = xml::parse(message, "lrmd request");
  if (!doc.ok()) {
    wire::put_status(reply, doc.status());
    return xml::to_string(reply, false);
  }
  xmlNode* req = xml::root(*doc);
  xml::set_attr(reply, "req_id", xml::attr_or(req, "req_id", "0"));
  Status st;
  if (xml::is(req, "lrmd_hello")) {
    xml::set_attr(reply, "version", "1");
  } else if (xml::is(req, "lrmd_exec")) {
    auto r = wire::get_request(req);
    if (!r.ok()) {
      st = r.status();
    } else {
      auto id = executor_.exec(*r);
      if (id.ok()) {
        xml::set_attr(reply, "call_id", std::to_string(*id));
        crm::log::line(fmt::format("queued {} ({}) call {}", r->op_key(), r->agent_spec(), *id));
      } else {
        st = id.status();
      }
    }
  } else if (xml::is(req, "lrmd_cancel")) {
    uint32_t interval = static_cast<uint32_t>(std::strtoul(xml::attr_or(req, "interval_ms", "0").c_str(), nullptr, 10));
    st = executor_.cancel(xml::attr_or(req, "rsc_id"), xml::attr_or(req, "action"), interval);
  } else if (xml::is(req, "lrmd_recurring")) {
    auto ops = executor_.recurring_ops();
    for (const auto& op : *ops) {
      xmlNode* n = xml::add_child(reply, "op");
      wire::put_request(n, op.request);
      xml::set_attr(n, "call_id", std::to_string(op.call_id));
    }
  } else if (xml::is(req, "lrmd_history")) {
    auto results = executor_.last_results(xml::attr_or(req, "rsc_id"));
    for (const auto& r : *results) wire::put_result(xml::add_child(reply, "lrmd_result"), r);
  } else {
    st = invalid_argument("unknown lrmd request <" + std::string(xml::name(req)) + ">");
  }
  wire::put_status(reply, st);
  return xml::to_string(reply, false);
}

}  // namespace crm::lrmd
