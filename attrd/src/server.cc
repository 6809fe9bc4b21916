#include "server.h"

#include "crm/core/xml.h"
#include "wire.h"

namespace crm::attrd {

Result<std::unique_ptr<AttrdServer>> AttrdServer::start(EventLoop& loop, AttributeDaemon& daemon,
                                                        const std::string& path) {
  ASSIGN_OR_RETURN(auto ipc_server, ipc::Server::listen(loop, path));
  std::unique_ptr<AttrdServer> s(new AttrdServer(daemon, std::move(ipc_server)));
  AttrdServer* self = s.get();
  s->server_->on_message = [self](ipc::ClientId id, const ipc::PeerCredentials&, std::string msg) {
    self->handle(id, msg);
  };
  return s;
}

void AttrdServer::reply(ipc::ClientId client, const std::string& text) {
  if (!server_->send(client, text).ok()) server_->disconnect(client);
}

void AttrdServer::handle(ipc::ClientId client, const std::string& message) {
  xml::DocPtr out = xml::new_document("attrd_reply");
  xmlNode* r = xml::root(out);
  auto parsed = xml::parse(message, "attrd request");
  if (!parsed.ok()) {
    xml::put_status(r, parsed.status());
    reply(client, xml::to_string(r, false));
    return;
  }
  xmlNode* req = xml::root(*parsed);
  std::string req_id = xml::attr_or(req, "req_id", "0");
  xml::set_attr(r, "req_id", req_id);
  Status st;
  if (xml::is(req, "attrd_hello")) {
    xml::set_attr(r, "node", daemon_.node_name());
  } else if (xml::is(req, "attrd_update")) {
    auto u = wire::get_update(req);
    if (u.ok()) {
      std::weak_ptr<bool> alive = alive_;
      daemon_.update(*u, [this, alive, client, req_id](Status s) {
        if (alive.expired()) return;
        xml::DocPtr d = xml::new_document("attrd_reply");
        xml::set_attr(xml::root(d), "req_id", req_id);
        xml::put_status(xml::root(d), s);
        reply(client, xml::to_string(xml::root(d), false));
      });
      return;
    }
    st = u.status();
  } else if (xml::is(req, "attrd_query")) {
    std::string name = xml::attr_or(req, "name");
    std::string host = xml::attr_or(req, "host");
    bool all = xml::attr_or(req, "all") == "1";
    if (host.empty() || host == "localhost") host = daemon_.node_name();
    auto a = daemon_.attribute(name);
    if (!a) {
      st = not_found("attribute " + name + " does not exist");
    } else {
      for (const auto& [h, v] : a->values) {
        if (!all && h != host) continue;
        xmlNode* n = xml::add_child(r, "value");
        xml::set_attr(n, "name", name);
        xml::set_attr(n, "host", h);
        xml::set_attr(n, "value", v);
      }
    }
  } else if (xml::is(req, "attrd_refresh")) {
    daemon_.refresh();
  } else {
    st = invalid_argument("unknown attrd request <" + std::string(xml::name(req)) + ">");
  }
  xml::put_status(r, st);
  reply(client, xml::to_string(r, false));
}

// ---- the CIB ----------------------------------------------------------------------

DaemonCibSink::DaemonCibSink(EventLoop& loop) : loop_(loop), worker_(EventLoop::start_worker([this] { run(); })) {}

DaemonCibSink::~DaemonCibSink() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
  *alive_ = false;
}

Result<cib::CibClient*> DaemonCibSink::connection(std::unique_ptr<cib::CibClient>& c) {
  if (!c) {
    cib::ClientOptions opts;  // always the daemon, never CIB_file
    opts.timeout = std::chrono::seconds(30);
    ASSIGN_OR_RETURN(c, cib::connect(opts));
  }
  return c.get();
}

void DaemonCibSink::submit(cib::Request request, std::function<void(Status)> done) {
  {
    std::lock_guard<std::mutex> g(mu_);
    queue_.emplace_back(std::move(request), std::move(done));
  }
  cv_.notify_one();
}

void DaemonCibSink::run() {
  while (true) {
    std::pair<cib::Request, std::function<void(Status)>> job;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    Status s;
    auto c = connection(worker_conn_);
    if (!c.ok()) {
      s = c.status();
    } else {
      auto r = (*c)->call(job.first);
      s = r.status();
      if (s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kTimeout) worker_conn_.reset();
    }
    std::weak_ptr<bool> alive = alive_;
    auto done = std::move(job.second);
    loop_.post([alive, done, s] {
      if (!alive.expired()) done(s);
    });
  }
}

std::string DaemonCibSink::node_id(const std::string& name) {
  constexpr auto kNegativeTtl = std::chrono::seconds(10);
  if (name.find('\'') != std::string::npos) return "";
  if (auto it = ids_.find(name); it != ids_.end()) return it->second;
  auto now = std::chrono::steady_clock::now();
  if (auto it = unknown_since_.find(name); it != unknown_since_.end() && now - it->second < kNegativeTtl) return "";
  std::string id = lookup(name);
  if (id.empty()) unknown_since_[name] = now;
  else ids_[name] = id, unknown_since_.erase(name);
  return id;
}

std::string DaemonCibSink::lookup(const std::string& name) {
  auto c = connection(lookup_conn_);
  if (!c.ok()) return "";
  auto found = (*c)->query("", "/cib/configuration/nodes/node[@uname='" + name + "']");
  if (!found.ok()) {
    if (found.status().code() == StatusCode::kUnavailable) lookup_conn_.reset();
    return "";
  }
  auto doc = xml::parse(*found, "nodes query");
  if (!doc.ok()) return "";
  xmlNode* n = xml::root(*doc);
  if (!xml::is(n, "node")) n = xml::first_child(n, "node");
  return xml::attr_or(n, "id");
}

}  // namespace crm::attrd
