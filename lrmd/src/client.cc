// LrmdClient: the ExecutorApi over the lrmd daemon's socket.
#include <cstdlib>
#include <deque>
#include <map>

#include "crm/core/ipc.h"
#include "crm/core/xml.h"
#include "crm/lrmd/lrmd.h"
#include "wire.h"

namespace crm::lrmd {
namespace {
constexpr std::chrono::seconds kCallTimeout{30};
}

class LrmdClient::Impl {
 public:
  Impl(LrmdClient& owner, EventLoop& loop) : owner_(owner), loop_(loop) {}
  ~Impl() {
    *alive_ = false;
    disconnect();
  }

  Status connect(const std::string& path) {
    disconnect();
    std::string p = path.empty() ? ipc::socket_path("lrmd") : path;
    ASSIGN_OR_RETURN(ipc::Client c, ipc::Client::connect(p));
    conn_.emplace(std::move(c));
    // The server refuses unauthorised peers right after accept; a hello round
    // trip turns that into permission-denied here rather than later.
    uint64_t hello_id = next_req_;
    std::string hello = hello_message();
    auto reply = call(hello, hello_id);
    if (!reply.ok()) {
      conn_.reset();
      return reply.status().with_context("connecting to " + p);
    }
    int fd = conn_->fd();
    loop_.watch_fd(fd, [this] { on_readable(); });
    return Status::Ok();
  }

  bool connected() const { return conn_.has_value(); }

  void disconnect() {
    if (!conn_) return;
    loop_.unwatch_fd(conn_->fd());
    conn_.reset();
  }

  void set_callback(ResultCallback cb) { cb_ = std::move(cb); }

  Result<int> exec(const ExecRequest& req) {
    uint64_t id = next_req_++;
    ASSIGN_OR_RETURN(xml::DocPtr reply, call(wire::exec_message(id, req), id));
    auto call_id = xml::attr(xml::root(reply), "call_id");
    if (!call_id) return internal_error("lrmd exec reply without call_id");
    return std::atoi(call_id->c_str());
  }

  // Sends without waiting; `done` gets the reply document's status (and the
  // document) from on_readable, or unavailable when the connection is lost.
  using ReplyCallback = std::function<void(Result<xml::DocPtr>)>;
  void send_async(const std::string& msg, uint64_t req_id, ReplyCallback done) {
    Status s = conn_ ? conn_->send(msg) : unavailable("not connected to lrmd");
    if (!s.ok()) {
      post_reply(std::move(done), s);
      lost();
      return;
    }
    awaiting_[req_id] = std::move(done);
  }

  void exec_async(const ExecRequest& req, std::function<void(Result<int>)> done) {
    uint64_t id = next_req_++;
    send_async(wire::exec_message(id, req), id, [done = std::move(done)](Result<xml::DocPtr> reply) {
      if (!reply.ok()) return done(reply.status());
      auto call_id = xml::attr(xml::root(*reply), "call_id");
      if (!call_id) return done(internal_error("lrmd exec reply without call_id"));
      done(std::atoi(call_id->c_str()));
    });
  }

  void cancel_async(const std::string& rsc, const std::string& action, uint32_t interval,
                    std::function<void(Status)> done) {
    uint64_t id = next_req_++;
    send_async(wire::cancel_message(id, rsc, action, interval), id,
               [done = std::move(done)](Result<xml::DocPtr> reply) { done(reply.status()); });
  }

  Status cancel(const std::string& rsc, const std::string& action, uint32_t interval) {
    uint64_t id = next_req_++;
    auto reply = call(wire::cancel_message(id, rsc, action, interval), id);
    return reply.status();
  }

  Result<std::vector<RecurringOp>> recurring() {
    uint64_t id = next_req_++;
    ASSIGN_OR_RETURN(xml::DocPtr reply, call(wire::recurring_message(id), id));
    std::vector<RecurringOp> out;
    for (xmlNode* n : xml::children(xml::root(reply), "op")) {
      ASSIGN_OR_RETURN(ExecRequest req, wire::get_request(n));
      out.push_back(RecurringOp{std::move(req), std::atoi(xml::attr_or(n, "call_id", "0").c_str())});
    }
    return out;
  }

  Result<std::vector<ExecResult>> history(const std::string& rsc) {
    uint64_t id = next_req_++;
    ASSIGN_OR_RETURN(xml::DocPtr reply, call(wire::history_message(id, rsc), id));
    std::vector<ExecResult> out;
    for (xmlNode* n : xml::children(xml::root(reply), "lrmd_result")) {
      ASSIGN_OR_RETURN(ExecResult r, wire::get_result(n));
      out.push_back(std::move(r));
    }
    return out;
  }

 private:
  std::string hello_message() {
    uint64_t id = next_req_++;
    auto doc = xml::new_document("lrmd_hello");
    xml::set_attr(xml::root(doc), "req_id", std::to_string(id));
    return xml::to_string(xml::root(doc), false);
  }

  // Sends a request and waits for the reply with the same req_id. Results that
  // arrive meanwhile are queued and delivered from the loop.
  Result<xml::DocPtr> call(const std::string& msg, uint64_t req_id) {
    if (!conn_) return unavailable("not connected to lrmd");
    Status s = conn_->send(msg);
    if (!s.ok()) {
      // The server may have refused us and closed already: its refusal is
      // waiting in our receive buffer and says more than EPIPE does.
      auto refusal = conn_->receive(std::chrono::milliseconds(100));
      lost();
      if (!refusal.ok() && refusal.status().code() == StatusCode::kPermissionDenied) return refusal.status();
      return s;
    }
    auto deadline = std::chrono::steady_clock::now() + kCallTimeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return timeout_error("lrmd did not reply within 30 s");
      auto m = conn_->receive(left);
      if (!m.ok()) {
        if (m.status().code() != StatusCode::kTimeout) lost();
        return m.status();
      }
      ASSIGN_OR_RETURN(xml::DocPtr doc, xml::parse(*m, "lrmd message"));
      xmlNode* root = xml::root(doc);
      if (xml::is(root, "lrmd_result")) {
        queue_result(root);
        continue;
      }
      if (xml::is(root, "lrmd_reply") && take_async_reply(root, doc)) continue;
      if (xml::is(root, "lrmd_reply") && xml::attr_or(root, "req_id") == std::to_string(req_id)) {
        // Frames read together with the reply (e.g. the cancelled result
        // right after a cancel's reply) wait in the connection's buffer,
        // where no fd event would ever announce them: queue them now.
        on_readable();
        RETURN_IF_ERROR(wire::get_status(root));
        return doc;
      }
      // A reply to an abandoned (timed out) request: ignore.
    }
  }

  // A reply to an asynchronous request: handed to its callback from the loop.
  bool take_async_reply(xmlNode* root, xml::DocPtr& doc) {
    uint64_t id = std::strtoull(xml::attr_or(root, "req_id", "0").c_str(), nullptr, 10);
    auto it = awaiting_.find(id);
    if (it == awaiting_.end()) return false;
    ReplyCallback done = std::move(it->second);
    awaiting_.erase(it);
    Status st = wire::get_status(root);
    if (st.ok()) post_reply(std::move(done), std::move(doc));
    else post_reply(std::move(done), st);
    return true;
  }

  void post_reply(ReplyCallback done, Result<xml::DocPtr> reply) {
    auto shared = std::make_shared<Result<xml::DocPtr>>(std::move(reply));
    std::weak_ptr<bool> alive = alive_;
    loop_.post([alive, done = std::move(done), shared]() mutable {
      if (auto a = alive.lock(); a && *a) done(std::move(*shared));
    });
  }

  void queue_result(xmlNode* node) {
    auto r = wire::get_result(node);
    if (!r.ok()) return;
    backlog_.push_back(std::move(*r));
    std::weak_ptr<bool> alive = alive_;
    loop_.post([this, alive] {
      if (auto a = alive.lock(); a && *a) drain_backlog();
    });
  }

  void drain_backlog() {
    while (!backlog_.empty()) {
      ExecResult r = std::move(backlog_.front());
      backlog_.pop_front();
      if (cb_) cb_(r);
    }
  }

  void on_readable() {
    if (!conn_) return;
    auto msgs = conn_->read_available();
    if (!msgs.ok()) {
      lost();
      return;
    }
    for (auto& m : *msgs) {
      auto doc = xml::parse(m, "lrmd message");
      if (!doc.ok()) continue;
      xmlNode* root = xml::root(*doc);
      if (xml::is(root, "lrmd_result")) queue_result(root);
      else if (xml::is(root, "lrmd_reply")) take_async_reply(root, *doc);
    }
  }

  void lost() {
    if (!conn_) return;
    disconnect();
    for (auto& [id, done] : awaiting_) post_reply(std::move(done), unavailable("lost the connection to lrmd"));
    awaiting_.clear();
    std::weak_ptr<bool> alive = alive_;
    loop_.post([this, alive] {
      if (auto a = alive.lock(); a && *a && owner_.on_disconnect) owner_.on_disconnect();
    });
  }

  LrmdClient& owner_;
  EventLoop& loop_;
  std::optional<ipc::Client> conn_;
  ResultCallback cb_;
  uint64_t next_req_ = 1;
  std::deque<ExecResult> backlog_;
  std::map<uint64_t, ReplyCallback> awaiting_;  // req_id -> callback of an async request
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

LrmdClient::LrmdClient(EventLoop& loop) : impl_(std::make_unique<Impl>(*this, loop)) {}
LrmdClient::~LrmdClient() = default;
Status LrmdClient::connect(const std::string& path) { return impl_->connect(path); }
bool LrmdClient::connected() const { return impl_->connected(); }
void LrmdClient::disconnect() { impl_->disconnect(); }
void LrmdClient::set_result_callback(ResultCallback cb) { impl_->set_callback(std::move(cb)); }
Result<int> LrmdClient::exec(const ExecRequest& request) { return impl_->exec(request); }
Status LrmdClient::cancel(const std::string& rsc_id, const std::string& action, uint32_t interval_ms) {
  return impl_->cancel(rsc_id, action, interval_ms);
}
void LrmdClient::exec_async(const ExecRequest& request, std::function<void(Result<int>)> done) {
  impl_->exec_async(request, std::move(done));
}
void LrmdClient::cancel_async(const std::string& rsc_id, const std::string& action, uint32_t interval_ms,
                              std::function<void(Status)> done) {
  impl_->cancel_async(rsc_id, action, interval_ms, std::move(done));
}
Result<std::vector<RecurringOp>> LrmdClient::recurring_ops() { return impl_->recurring(); }
Result<std::vector<ExecResult>> LrmdClient::last_results(const std::string& rsc_id) { return impl_->history(rsc_id); }

}  // namespace crm::lrmd
