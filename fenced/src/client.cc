// FencerClient: the fencer's API over fenced's socket (wire format in docs/fenced.md).
#include <unistd.h>

#include <deque>
#include <optional>

#include "crm/core/ipc.h"
#include "crm/core/xml.h"
#include "crm/fenced/fenced.h"
#include "wire.h"

namespace crm::fenced {
namespace {
constexpr std::chrono::seconds kCallTimeout{30};
}

class FencerClient::Impl {
 public:
  Impl(EventLoop& loop, std::string name) : loop_(loop), name_(std::move(name)) {}
  ~Impl() {
    *alive_ = false;
    if (conn_) loop_.unwatch_fd(conn_->fd());
  }

  Status connect(const std::string& path) {
    std::string p = path.empty() ? ipc::socket_path("fenced") : path;
    ASSIGN_OR_RETURN(ipc::Client c, ipc::Client::connect(p));
    conn_.emplace(std::move(c));
    auto hello = wire::message("st_hello");
    auto reply = call(hello, kCallTimeout);
    if (!reply.ok()) {
      conn_.reset();
      return reply.status().with_context("connecting to " + p);
    }
    loop_.watch_fd(conn_->fd(), [this] { on_readable(); });
    return Status::Ok();
  }

  void set_owner(FencerClient* o) { owner_ = o; }

  // Sends a request; its reply goes to `cb` from the loop.
  Status send_async(xml::DocPtr& doc, std::function<void(xmlNode*)> cb) {
    if (!conn_) return unavailable("not connected to fenced");
    uint64_t id = next_req_++;
    xml::set_attr(xml::root(doc), "req_id", std::to_string(id));
    xml::set_attr(xml::root(doc), "client", name_);
    Status s = conn_->send(wire::text(doc));
    if (!s.ok()) {
      lost();
      return s;
    }
    pending_[id] = std::move(cb);
    return Status::Ok();
  }

  // Sends a request and waits for its reply (an error when its status is not ok).
  Result<xml::DocPtr> call(xml::DocPtr& doc, std::chrono::milliseconds timeout) {
    ASSIGN_OR_RETURN(xml::DocPtr reply, call_raw(doc, timeout));
    RETURN_IF_ERROR(xml::get_status(xml::root(reply), "fenced reply"));
    return reply;
  }

  // Sends a request and waits for its reply, whatever its status; other
  // messages are dispatched later from the loop.
  Result<xml::DocPtr> call_raw(xml::DocPtr& doc, std::chrono::milliseconds timeout) {
    if (!conn_) return unavailable("not connected to fenced");
    uint64_t id = next_req_++;
    xml::set_attr(xml::root(doc), "req_id", std::to_string(id));
    xml::set_attr(xml::root(doc), "client", name_);
    Status s = conn_->send(wire::text(doc));
    if (!s.ok()) {
      auto refusal = conn_->receive(std::chrono::milliseconds(100));
      lost();
      if (!refusal.ok() && refusal.status().code() == StatusCode::kPermissionDenied) return refusal.status();
      return s;
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return timeout_error("fenced did not reply within " + std::to_string(timeout.count()) + " ms");
      auto m = conn_->receive(left);
      if (!m.ok()) {
        if (m.status().code() != StatusCode::kTimeout) lost();
        return m.status();
      }
      auto parsed = xml::parse(*m, "fenced message");
      if (!parsed.ok()) continue;
      xmlNode* root = xml::root(*parsed);
      if (xml::is(root, "st_reply") && xml::attr_or(root, "req_id") == std::to_string(id)) {
        on_readable();  // frames read with the reply wait in the buffer
        return std::move(*parsed);
      }
      backlog_.push_back(std::move(*m));
      schedule_backlog();
    }
  }

  Result<std::vector<std::string>> names(const char* element, const char* key, const std::string& value,
                                         std::chrono::milliseconds timeout, const char* item_element,
                                         const char* item_attr);

  void on_readable() {
    if (!conn_) return;
    auto msgs = conn_->read_available();
    if (!msgs.ok()) {
      lost();
      return;
    }
    for (auto& m : *msgs) backlog_.push_back(std::move(m));
    if (!backlog_.empty()) schedule_backlog();
  }

 private:
  void schedule_backlog() {
    std::weak_ptr<bool> alive = alive_;
    loop_.post([this, alive] {
      if (alive.expired()) return;
      drain_backlog();
    });
  }

  void drain_backlog() {
    // A callback may destroy the client: stop as soon as it has.
    std::weak_ptr<bool> alive = alive_;
    while (!alive.expired() && !backlog_.empty()) {
      std::string m = std::move(backlog_.front());
      backlog_.pop_front();
      auto parsed = xml::parse(m, "fenced message");
      if (!parsed.ok()) continue;
      xmlNode* root = xml::root(*parsed);
      if (xml::is(root, "st_notify")) {
        if (owner_ && owner_->on_fence_event) owner_->on_fence_event(wire::get_entry(root));
        continue;
      }
      if (!xml::is(root, "st_reply")) continue;
      uint64_t id = static_cast<uint64_t>(wire::get_number(root, "req_id", 0));
      auto it = pending_.find(id);
      if (it == pending_.end()) continue;
      auto cb = std::move(it->second);
      pending_.erase(it);
      cb(root);
    }
  }

  void lost() {
    if (!conn_) return;
    loop_.unwatch_fd(conn_->fd());
    conn_.reset();
    std::weak_ptr<bool> alive = alive_;
    loop_.post([this, alive] {
      if (alive.expired()) return;
      auto pending = std::move(pending_);
      pending_.clear();
      auto gone = wire::message("st_reply");
      xml::put_status(xml::root(gone), unavailable("connection to fenced lost"));
      for (auto& [id, cb] : pending) {
        cb(xml::root(gone));
        if (alive.expired()) return;
      }
      if (owner_ && owner_->on_disconnect) owner_->on_disconnect();
    });
  }

  FencerClient* owner_ = nullptr;
  EventLoop& loop_;
  std::string name_;
  std::optional<ipc::Client> conn_;
  uint64_t next_req_ = 1;
  std::map<uint64_t, std::function<void(xmlNode*)>> pending_;
  std::deque<std::string> backlog_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

namespace {

FenceResult result_of(const xmlNode* reply) {
  FenceResult r;
  r.status = xml::get_status(reply, "fenced reply");
  if (xmlNode* e = xml::first_child(reply, "entry")) r.entry = wire::get_entry(e);
  return r;
}

xml::DocPtr fence_message(const std::string& target, const std::string& action, std::chrono::milliseconds timeout,
                          std::chrono::milliseconds delay, std::chrono::milliseconds tolerance) {
  auto doc = wire::message("st_fence");
  xmlNode* n = xml::root(doc);
  xml::set_attr(n, "target", target);
  if (!action.empty()) xml::set_attr(n, "action", action);
  xml::set_attr(n, "timeout_ms", std::to_string(timeout.count()));
  if (delay.count() > 0) xml::set_attr(n, "delay_ms", std::to_string(delay.count()));
  if (tolerance.count() > 0) xml::set_attr(n, "tolerance_ms", std::to_string(tolerance.count()));
  return doc;
}

}  // namespace

FencerClient::FencerClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { impl_->set_owner(this); }
FencerClient::~FencerClient() = default;

Result<std::unique_ptr<FencerClient>> FencerClient::connect(EventLoop& loop, const std::string& path,
                                                            const std::string& client_name) {
  std::string name = client_name.empty() ? "client." + std::to_string(getpid()) : client_name;
  auto impl = std::make_unique<Impl>(loop, name);
  RETURN_IF_ERROR(impl->connect(path));
  return std::unique_ptr<FencerClient>(new FencerClient(std::move(impl)));
}

Status FencerClient::fence(const std::string& target, const std::string& action, std::chrono::milliseconds timeout,
                           FenceCallback done, std::chrono::milliseconds delay, std::chrono::milliseconds tolerance) {
  auto doc = fence_message(target, action, timeout, delay, tolerance);
  return impl_->send_async(doc, [done](xmlNode* reply) { done(result_of(reply)); });
}

Result<FenceResult> FencerClient::fence_sync(const std::string& target, const std::string& action,
                                             std::chrono::milliseconds timeout, std::chrono::milliseconds delay,
                                             std::chrono::milliseconds tolerance) {
  auto doc = fence_message(target, action, timeout, delay, tolerance);
  // Every device of every level may use the whole timeout, plus the query.
  auto wait = std::max<std::chrono::milliseconds>(timeout, std::chrono::seconds(60)) * 20 + delay;
  // A failed fencing is an answer (with its entry), not an error of the call.
  ASSIGN_OR_RETURN(xml::DocPtr reply, impl_->call_raw(doc, wait));
  return result_of(xml::root(reply));
}

Status FencerClient::confirm(const std::string& target) {
  auto doc = wire::message("st_confirm");
  xml::set_attr(xml::root(doc), "target", target);
  return impl_->call(doc, kCallTimeout).status();
}

Result<std::vector<HistoryEntry>> FencerClient::history(const std::string& target) {
  auto doc = wire::message("st_history");
  if (!target.empty() && target != "*") xml::set_attr(xml::root(doc), "target", target);
  ASSIGN_OR_RETURN(xml::DocPtr reply, impl_->call(doc, kCallTimeout));
  std::vector<HistoryEntry> out;
  for (xmlNode* e : xml::children(xml::root(reply), "entry")) out.push_back(wire::get_entry(e));
  return out;
}

Result<std::vector<DeviceSummary>> FencerClient::devices() {
  auto doc = wire::message("st_devices");
  ASSIGN_OR_RETURN(xml::DocPtr reply, impl_->call(doc, kCallTimeout));
  std::vector<DeviceSummary> out;
  for (xmlNode* d : xml::children(xml::root(reply), "device")) {
    out.push_back({xml::attr_or(d, "id"), xml::attr_or(d, "agent"), xml::attr_or(d, "from_cib") == "1"});
  }
  return out;
}

// A request `element key=value timeout_ms=...` whose reply lists <item_element item_attr=.../>.
Result<std::vector<std::string>> FencerClient::Impl::names(const char* element, const char* key,
                                                          const std::string& value, std::chrono::milliseconds timeout,
                                                          const char* item_element, const char* item_attr) {
  auto doc = wire::message(element);
  xml::set_attr(xml::root(doc), key, value);
  xml::set_attr(xml::root(doc), "timeout_ms", std::to_string(timeout.count()));
  ASSIGN_OR_RETURN(xml::DocPtr reply, call(doc, timeout + kCallTimeout));
  std::vector<std::string> out;
  for (xmlNode* n : xml::children(xml::root(reply), item_element)) out.push_back(xml::attr_or(n, item_attr));
  return out;
}

Result<std::vector<std::string>> FencerClient::query(const std::string& target, std::chrono::milliseconds timeout) {
  return impl_->names("st_query", "target", target, timeout, "device", "id");
}

Result<std::vector<std::string>> FencerClient::targets(const std::string& device, std::chrono::milliseconds timeout) {
  return impl_->names("st_targets", "device", device, timeout, "target", "name");
}

Status FencerClient::monitor(const std::string& device, std::chrono::milliseconds timeout) {
  auto doc = wire::message("st_monitor");
  xml::set_attr(xml::root(doc), "device", device);
  xml::set_attr(xml::root(doc), "timeout_ms", std::to_string(timeout.count()));
  return impl_->call(doc, timeout + kCallTimeout).status();
}

Status FencerClient::register_device(const std::string& id, const std::string& agent,
                                     const std::map<std::string, std::string>& params) {
  auto doc = wire::message("st_register");
  xml::set_attr(xml::root(doc), "id", id);
  xml::set_attr(xml::root(doc), "agent", agent);
  for (const auto& [k, v] : params) {
    xmlNode* p = xml::add_child(xml::root(doc), "param");
    xml::set_attr(p, "name", k);
    xml::set_attr(p, "value", v);
  }
  return impl_->call(doc, kCallTimeout).status();
}

Status FencerClient::unregister_device(const std::string& id) {
  auto doc = wire::message("st_unregister");
  xml::set_attr(xml::root(doc), "id", id);
  return impl_->call(doc, kCallTimeout).status();
}

Status FencerClient::register_level(const std::string& target, int index, const std::vector<std::string>& devices) {
  auto doc = wire::message("st_level_add");
  xml::set_attr(xml::root(doc), "target", target);
  xml::set_attr(xml::root(doc), "index", std::to_string(index));
  for (const auto& d : devices) xml::set_attr(xml::add_child(xml::root(doc), "device"), "id", d);
  return impl_->call(doc, kCallTimeout).status();
}

Status FencerClient::unregister_level(const std::string& target, int index) {
  auto doc = wire::message("st_level_del");
  xml::set_attr(xml::root(doc), "target", target);
  xml::set_attr(xml::root(doc), "index", std::to_string(index));
  return impl_->call(doc, kCallTimeout).status();
}

Result<std::vector<FencerClient::LevelSummary>> FencerClient::levels() {
  auto doc = wire::message("st_levels");
  ASSIGN_OR_RETURN(xml::DocPtr reply, impl_->call(doc, kCallTimeout));
  std::vector<LevelSummary> out;
  for (xmlNode* l : xml::children(xml::root(reply), "level")) {
    LevelSummary s;
    s.target = xml::attr_or(l, "target");
    s.index = static_cast<int>(wire::get_number(l, "index", 0));
    std::string devs = xml::attr_or(l, "devices");
    size_t start = 0;
    while (start < devs.size()) {
      size_t c = devs.find(',', start);
      s.devices.push_back(devs.substr(start, c == std::string::npos ? std::string::npos : c - start));
      if (c == std::string::npos) break;
      start = c + 1;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace crm::fenced
