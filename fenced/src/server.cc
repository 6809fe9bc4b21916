#include "server.h"

#include <cstdio>

#include "crm/core/xml.h"
#include "wire.h"

namespace crm::fenced {
namespace {

std::chrono::milliseconds ms_attr(const xmlNode* n, const char* name, long long fallback) {
  return std::chrono::milliseconds(wire::get_number(n, name, fallback));
}

}  // namespace

Result<std::unique_ptr<FencedServer>> FencedServer::start(EventLoop& loop, Fencer& fencer, const std::string& path) {
  ASSIGN_OR_RETURN(auto ipc_server, ipc::Server::listen(loop, path));
  std::unique_ptr<FencedServer> s(new FencedServer(fencer, std::move(ipc_server)));
  FencedServer* self = s.get();
  s->server_->on_message = [self](ipc::ClientId id, const ipc::PeerCredentials&, std::string msg) {
    self->clients_.insert(id);
    self->handle(id, msg);
  };
  s->server_->on_disconnect = [self](ipc::ClientId id) { self->clients_.erase(id); };
  fencer.on_history = [self](const HistoryEntry& e) { self->notify(e); };
  return s;
}

FencedServer::~FencedServer() {
  *alive_ = false;
  fencer_.on_history = nullptr;
}

void FencedServer::reply(ipc::ClientId client, const std::string& text) {
  if (!clients_.count(client)) return;  // gone meanwhile
  if (!server_->send(client, text).ok()) server_->disconnect(client);
}

void FencedServer::notify(const HistoryEntry& e) {
  auto doc = wire::message("st_notify");
  wire::put_entry(xml::root(doc), e);
  std::string msg = wire::text(doc);
  std::vector<ipc::ClientId> gone;
  for (ipc::ClientId id : clients_) {
    if (!server_->send(id, msg).ok()) gone.push_back(id);
  }
  for (ipc::ClientId id : gone) server_->disconnect(id);
}

void FencedServer::handle(ipc::ClientId client, const std::string& message) {
  auto parsed = xml::parse(message, "fenced request");
  auto out = wire::message("st_reply");
  xmlNode* r = xml::root(out);
  if (!parsed.ok()) {
    xml::put_status(r, parsed.status());
    reply(client, wire::text(out));
    return;
  }
  xmlNode* req = xml::root(*parsed);
  std::string req_id = xml::attr_or(req, "req_id", "0");
  xml::set_attr(r, "req_id", req_id);
  std::weak_ptr<bool> alive = alive_;
  // A reply that comes when an operation completes.
  auto later = [this, alive, client, req_id](const Status& st, const std::function<void(xmlNode*)>& fill) {
    if (alive.expired()) return;
    auto doc = wire::message("st_reply");
    xmlNode* n = xml::root(doc);
    xml::set_attr(n, "req_id", req_id);
    xml::put_status(n, st);
    if (fill) fill(n);
    reply(client, wire::text(doc));
  };
  std::string target = xml::attr_or(req, "target");
  std::string name = xml::attr_or(req, "client", "client." + std::to_string(client));
  Status st;
  if (xml::is(req, "st_hello")) {
    xml::set_attr(r, "version", wire::kVersion);
    xml::set_attr(r, "node", fencer_.node_name());
  } else if (xml::is(req, "st_fence")) {
    FenceRequest fr{target, xml::attr_or(req, "action"), ms_attr(req, "timeout_ms", 0), ms_attr(req, "delay_ms", 0), name,
                    ms_attr(req, "tolerance_ms", 0)};
    fencer_.fence(fr, [later](const FenceResult& res) {
      later(res.status, [&](xmlNode* n) { wire::put_entry(xml::add_child(n, "entry"), res.entry); });
    });
    return;
  } else if (xml::is(req, "st_confirm")) {
    fencer_.confirm(target, name, [later](const FenceResult& res) {
      later(res.status, [&](xmlNode* n) { wire::put_entry(xml::add_child(n, "entry"), res.entry); });
    });
    return;
  } else if (xml::is(req, "st_query")) {
    fencer_.query(target, ms_attr(req, "timeout_ms", 10000), [later](std::vector<std::string> ids) {
      later(Status::Ok(), [&](xmlNode* n) {
        for (const auto& id : ids) xml::set_attr(xml::add_child(n, "device"), "id", id);
      });
    });
    return;
  } else if (xml::is(req, "st_targets")) {
    fencer_.targets(xml::attr_or(req, "device"), ms_attr(req, "timeout_ms", 0),
                    [later](Result<std::vector<std::string>> targets) {
                      later(targets.status(), [&](xmlNode* n) {
                        if (!targets.ok()) return;
                        for (const auto& t : *targets) xml::set_attr(xml::add_child(n, "target"), "name", t);
                      });
                    });
    return;
  } else if (xml::is(req, "st_monitor")) {
    fencer_.monitor(xml::attr_or(req, "device"), ms_attr(req, "timeout_ms", 0),
                    [later](Status s) { later(s, nullptr); });
    return;
  } else if (xml::is(req, "st_history")) {
    for (const auto& e : fencer_.history(target)) wire::put_entry(xml::add_child(r, "entry"), e);
  } else if (xml::is(req, "st_devices")) {
    for (const auto& [id, d] : fencer_.devices()) {
      xmlNode* n = xml::add_child(r, "device");
      xml::set_attr(n, "id", id);
      xml::set_attr(n, "agent", d.agent);
      if (d.from_cib) xml::set_attr(n, "from_cib", "1");
    }
  } else if (xml::is(req, "st_register")) {
    std::map<std::string, std::string> params;
    for (xmlNode* p : xml::children(req, "param")) params[xml::attr_or(p, "name")] = xml::attr_or(p, "value");
    st = fencer_.register_device(xml::attr_or(req, "id"), xml::attr_or(req, "agent"), params);
  } else if (xml::is(req, "st_unregister")) {
    st = fencer_.unregister_device(xml::attr_or(req, "id"));
  } else if (xml::is(req, "st_level_add")) {
    std::vector<std::string> devices;
    for (xmlNode* d : xml::children(req, "device")) devices.push_back(xml::attr_or(d, "id"));
    st = fencer_.register_level(target, static_cast<int>(wire::get_number(req, "index", 0)), devices);
  } else if (xml::is(req, "st_level_del")) {
    st = fencer_.unregister_level(target, static_cast<int>(wire::get_number(req, "index", 0)));
  } else if (xml::is(req, "st_levels")) {
    for (const Level& l : fencer_.levels()) {
      xmlNode* n = xml::add_child(r, "level");
      xml::set_attr(n, "target", l.key());
      xml::set_attr(n, "index", std::to_string(l.index));
      std::string devs;
      for (const auto& d : l.devices) devs += (devs.empty() ? "" : ",") + d;
      xml::set_attr(n, "devices", devs);
    }
  } else {
    st = invalid_argument("unknown fenced request <" + std::string(xml::name(req)) + ">");
  }
  xml::put_status(r, st);
  reply(client, wire::text(out));
}

}  // namespace crm::fenced
