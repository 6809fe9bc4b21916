// The corosync-backed implementation of crm/cluster/cluster.h:
// CPG (agreed order) for GroupTransport, libquorum for QuorumSource, cmap for
// node names. See docs/cluster.md for the behaviour on "try again", flow
// control, large messages and corosync going away.
#include <corosync/cmap.h>
#include <corosync/corotypes.h>
#include <corosync/cpg.h>
#include <corosync/quorum.h>
#include <poll.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <thread>

#include "crm/cluster/cluster.h"
#include "crm/core/log.h"
#include "fragment.h"

namespace crm::cluster {

namespace {

using std::chrono::milliseconds;

// Frames above this are cut by us even if corosync would take more in one
// piece: it bounds the memory of one IPC request and keeps big messages from
// holding up small ones for long. corosync's own atomic limit is used when
// smaller (cpg_max_atomic_msgsize_get).
constexpr size_t kMaxFrameBytes = 512 * 1024;
constexpr milliseconds kFirstBackoff{1};
constexpr milliseconds kMaxBackoff{200};
// How long setup calls (initialize, join) retry CS_ERR_TRY_AGAIN.
constexpr milliseconds kSetupRetryFor{10000};

void log_line(const std::string& msg) { crm::log::line("crm_cluster: " + msg); }

std::string cs_name(cs_error_t rc) {
  return std::string(cs_strerror(rc)) + " (" + std::to_string(static_cast<int>(rc)) + ")";
}

Status cs_status(const std::string& what, cs_error_t rc) {
  const std::string msg = what + ": " + cs_name(rc);
  switch (rc) {
    case CS_ERR_LIBRARY:
    case CS_ERR_BAD_HANDLE:
    case CS_ERR_TRY_AGAIN:
    case CS_ERR_NOT_EXIST:
      return unavailable(msg + " (is corosync running?)");
    case CS_ERR_ACCESS:
    case CS_ERR_SECURITY:
      return permission_denied(msg);
    default:
      return io_error(msg);
  }
}

// Calls `fn` until it returns something other than CS_ERR_TRY_AGAIN or the
// setup budget is spent (only for setup calls: the loop is not running yet).
template <typename Fn>
cs_error_t retry_setup(Fn fn) {
  auto delay = milliseconds(5);
  const auto deadline = std::chrono::steady_clock::now() + kSetupRetryFor;
  while (true) {
    cs_error_t rc = fn();
    if (rc != CS_ERR_TRY_AGAIN || std::chrono::steady_clock::now() >= deadline) return rc;
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, milliseconds(200));
  }
}

std::vector<NodeId> node_ids(const cpg_address* list, size_t n) {
  std::vector<NodeId> out;
  for (size_t i = 0; i < n; ++i) out.push_back(list[i].nodeid);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// ---------------------------------------------------------------------------

class CpgGroup final : public GroupTransport {
 public:
  CpgGroup(EventLoop& loop, std::string name) : loop_(loop), name_(std::move(name)) {}
  ~CpgGroup() override { close(); }

  Status open() {
    cpg_model_v1_data_t model{};
    model.model = CPG_MODEL_V1;
    model.cpg_deliver_fn = &CpgGroup::deliver_cb;
    model.cpg_confchg_fn = &CpgGroup::confchg_cb;
    model.cpg_totem_confchg_fn = nullptr;
    model.flags = 0;
    cs_error_t rc = retry_setup(
        [&] { return cpg_model_initialize(&handle_, CPG_MODEL_V1, reinterpret_cast<cpg_model_data_t*>(&model), this); });
    if (rc != CS_OK) return cs_status("cpg_model_initialize", rc);
    initialized_ = true;
    rc = cpg_local_get(handle_, &local_);
    if (rc != CS_OK) return cs_status("cpg_local_get", rc);
    uint32_t atomic = 0;
    if (cpg_max_atomic_msgsize_get(handle_, &atomic) == CS_OK && atomic > wire::kHeaderBytes + 1024) {
      frame_bytes_ = std::min<size_t>(kMaxFrameBytes, atomic);
    }
    rc = cpg_fd_get(handle_, &fd_);
    if (rc != CS_OK) return cs_status("cpg_fd_get", rc);
    cpg_name group{};
    if (name_.empty() || name_.size() >= CPG_MAX_NAME_LENGTH) return invalid_argument("bad CPG group name '" + name_ + "'");
    group.length = static_cast<uint32_t>(name_.size());
    std::memcpy(group.value, name_.data(), name_.size());
    rc = retry_setup([&] { return cpg_join(handle_, &group); });
    if (rc != CS_OK) return cs_status("cpg_join " + name_, rc);
    loop_.watch_fd(fd_, [this] { dispatch(); });
    return Status::Ok();
  }

  NodeId local_node() const override { return local_; }
  size_t queued() const override { return queue_.size(); }

  Status send(std::string_view payload) override {
    if (lost_) return unavailable("CPG group " + name_ + ": connection to corosync lost");
    if (payload.size() > wire::kMaxMessageBytes) {
      return invalid_argument("message of " + std::to_string(payload.size()) + " bytes exceeds the limit");
    }
    for (auto& f : wire::split(payload, next_message_id_++, frame_bytes_)) queue_.push_back(std::move(f));
    if (retry_timer_ == 0) flush();
    if (lost_) return unavailable("CPG group " + name_ + ": connection to corosync lost");
    return Status::Ok();
  }

 private:
  struct Event {
    bool is_message;
    NodeId from;
    std::string payload;
    MembershipChange change;
  };

  static CpgGroup* self(cpg_handle_t h) {
    void* ctx = nullptr;
    cpg_context_get(h, &ctx);
    return static_cast<CpgGroup*>(ctx);
  }

  static void deliver_cb(cpg_handle_t h, const cpg_name*, uint32_t nodeid, uint32_t pid, void* msg, size_t len) {
    CpgGroup* g = self(h);
    if (!g) return;
    auto r = g->reassembler_.feed({nodeid, pid}, std::string_view(static_cast<const char*>(msg), len));
    if (!r.ok()) {
      log_line("group " + g->name_ + ": " + r.status().to_string());
      return;
    }
    if (!r->has_value()) return;
    g->pending_.push_back(Event{true, nodeid, std::move(**r), {}});
  }

  static void confchg_cb(cpg_handle_t h, const cpg_name*, const cpg_address* members, size_t n_members,
                         const cpg_address* left, size_t n_left, const cpg_address* joined, size_t n_joined) {
    CpgGroup* g = self(h);
    if (!g) return;
    for (size_t i = 0; i < n_left; ++i) {
      g->reassembler_.forget({left[i].nodeid, left[i].pid});
    }
    MembershipChange c;
    c.members = node_ids(members, n_members);
    c.joined = node_ids(joined, n_joined);
    c.left = node_ids(left, n_left);
    g->pending_.push_back(Event{false, 0, {}, std::move(c)});
  }

  // Runs on the loop when the CPG fd is readable. Events are collected during
  // cpg_dispatch and handed out afterwards, so a callback may destroy this
  // object without cpg_finalize running inside cpg_dispatch.
  void dispatch() {
    if (lost_) return;
    cs_error_t rc = cpg_dispatch(handle_, CS_DISPATCH_ALL);
    std::deque<Event> events;
    events.swap(pending_);
    auto alive = alive_;
    for (auto& e : events) {
      if (e.is_message) {
        auto cb = on_message;
        if (cb) cb(e.from, e.payload);
      } else {
        auto cb = on_membership;
        if (cb) cb(e.change);
      }
      if (!*alive) return;
    }
    if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN) lose(cs_status("cpg_dispatch on group " + name_, rc));
  }

  // Hands queued frames to corosync until it says "try again".
  void flush() {
    retry_timer_ = 0;
    while (!queue_.empty() && !lost_) {
      iovec iov{queue_.front().data(), queue_.front().size()};
      cs_error_t rc = cpg_mcast_joined(handle_, CPG_TYPE_AGREED, &iov, 1);
      if (rc == CS_OK) {
        queue_.pop_front();
        backoff_ = kFirstBackoff;
        blocked_since_.reset();
        continue;
      }
      if (rc == CS_ERR_TRY_AGAIN) {
        const auto now = loop_.clock().monotonic_now();
        if (!blocked_since_) blocked_since_ = now;
        if (now - *blocked_since_ > std::chrono::seconds(5) && !warned_) {
          warned_ = true;
          log_line("group " + name_ + ": corosync has said 'try again' for 5 s; " + std::to_string(queue_.size()) +
                   " frame(s) queued");
        }
        retry_timer_ = loop_.add_timer(backoff_, [this] { flush(); });
        backoff_ = std::min(backoff_ * 2, kMaxBackoff);
        return;
      }
      lose(cs_status("cpg_mcast_joined on group " + name_, rc));
      return;
    }
    warned_ = false;
  }

  void lose(const Status& why) {
    if (lost_) return;
    lost_ = true;
    log_line(why.to_string());
    if (fd_ >= 0) loop_.unwatch_fd(fd_);
    if (retry_timer_) loop_.cancel_timer(retry_timer_);
    retry_timer_ = 0;
    if (!queue_.empty()) log_line("group " + name_ + ": " + std::to_string(queue_.size()) + " frame(s) not sent");
    // Posted, so on_lost never runs inside send().
    auto alive = alive_;
    loop_.post([this, alive, why] {
      if (!*alive) return;
      auto cb = on_lost;
      if (cb) cb(why);
    });
  }

  void close() {
    *alive_ = false;
    if (retry_timer_) loop_.cancel_timer(retry_timer_);
    if (fd_ >= 0 && !lost_) loop_.unwatch_fd(fd_);
    if (initialized_) {
      cpg_context_set(handle_, nullptr);
      cpg_finalize(handle_);
    }
    initialized_ = false;
  }

  EventLoop& loop_;
  std::string name_;
  cpg_handle_t handle_ = 0;
  bool initialized_ = false;
  int fd_ = -1;
  unsigned int local_ = 0;
  bool lost_ = false;
  size_t frame_bytes_ = 64 * 1024;
  uint32_t next_message_id_ = 1;
  std::deque<std::string> queue_;
  EventLoop::TimerId retry_timer_ = 0;
  milliseconds backoff_ = kFirstBackoff;
  std::optional<Clock::Monotonic> blocked_since_;
  bool warned_ = false;
  wire::Reassembler reassembler_;
  std::deque<Event> pending_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// ---------------------------------------------------------------------------

class CorosyncQuorum final : public QuorumSource {
 public:
  explicit CorosyncQuorum(EventLoop& loop) : loop_(loop) {}
  ~CorosyncQuorum() override {
    *alive_ = false;
    if (fd_ >= 0 && !lost_) loop_.unwatch_fd(fd_);
    if (initialized_) {
      quorum_context_set(handle_, nullptr);
      quorum_finalize(handle_);
    }
  }

  Status open() {
    quorum_callbacks_t callbacks{};
    callbacks.quorum_notify_fn = &CorosyncQuorum::notify_cb;
    uint32_t type = 0;
    cs_error_t rc = retry_setup([&] { return quorum_initialize(&handle_, &callbacks, &type); });
    if (rc != CS_OK) return cs_status("quorum_initialize", rc);
    initialized_ = true;
    if (type != QUORUM_SET) log_line("corosync has no quorum provider configured: every partition counts as quorate");
    quorum_context_set(handle_, this);
    int q = 0;
    rc = retry_setup([&] { return quorum_getquorate(handle_, &q); });
    if (rc != CS_OK) return cs_status("quorum_getquorate", rc);
    quorate_ = q != 0;
    rc = quorum_fd_get(handle_, &fd_);
    if (rc != CS_OK) return cs_status("quorum_fd_get", rc);
    // CS_TRACK_CURRENT: one notification right away, which fills members().
    rc = retry_setup([&] { return quorum_trackstart(handle_, CS_TRACK_CURRENT | CS_TRACK_CHANGES); });
    if (rc != CS_OK) return cs_status("quorum_trackstart", rc);
    // Take the CS_TRACK_CURRENT answer now (up to 1 s), so members() is
    // filled when we return; no callback is set yet, so none fires.
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 1000) == 1) dispatch();
    if (lost_) return unavailable("corosync went away while setting up quorum tracking");
    loop_.watch_fd(fd_, [this] { dispatch(); });
    return Status::Ok();
  }

  bool quorate() const override { return quorate_ && !lost_; }
  std::vector<NodeId> members() const override { return members_; }

 private:
  static void notify_cb(quorum_handle_t h, uint32_t quorate, uint64_t, uint32_t n, uint32_t* view) {
    const void* ctx = nullptr;
    quorum_context_get(h, &ctx);
    auto* self = const_cast<CorosyncQuorum*>(static_cast<const CorosyncQuorum*>(ctx));
    if (!self) return;
    std::vector<NodeId> m(view, view + n);
    std::sort(m.begin(), m.end());
    self->notes_.push_back({quorate != 0, std::move(m)});
  }

  void dispatch() {
    if (lost_) return;
    cs_error_t rc = quorum_dispatch(handle_, CS_DISPATCH_ALL);
    auto notes = std::move(notes_);
    notes_.clear();
    auto alive = alive_;
    for (auto& [q, m] : notes) {
      bool members_changed = m != members_;
      members_ = std::move(m);
      if (q != quorate_) {
        quorate_ = q;
        auto cb = on_change;
        if (cb) cb(q);
        if (!*alive) return;
      }
      if (members_changed) {
        auto cb = on_members;
        if (cb) cb(members_);
        if (!*alive) return;
      }
    }
    if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN) {
      lost_ = true;
      loop_.unwatch_fd(fd_);
      Status why = cs_status("quorum_dispatch", rc);
      log_line(why.to_string());
      const bool was = quorate_;
      quorate_ = false;
      if (was) {
        auto cb = on_change;
        if (cb) cb(false);
        if (!*alive) return;
      }
      auto cb = on_lost;
      if (cb) cb(why);
    }
  }

  EventLoop& loop_;
  quorum_handle_t handle_ = 0;
  bool initialized_ = false;
  int fd_ = -1;
  bool lost_ = false;
  bool quorate_ = false;
  std::vector<NodeId> members_;
  std::vector<std::pair<bool, std::vector<NodeId>>> notes_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// A cmap connection for the duration of one lookup.
class CmapSession {
 public:
  ~CmapSession() {
    if (ok_) cmap_finalize(handle_);
  }
  Status open() {
    cs_error_t rc = retry_setup([&] { return cmap_initialize(&handle_); });
    if (rc != CS_OK) return cs_status("cmap_initialize", rc);
    ok_ = true;
    return Status::Ok();
  }
  std::optional<std::string> get_string(const std::string& key) {
    char* s = nullptr;
    if (cmap_get_string(handle_, key.c_str(), &s) != CS_OK || !s) return std::nullopt;
    std::string out(s);
    std::free(s);
    return out;
  }
  std::optional<uint8_t> get_u8(const std::string& key) {
    uint8_t v = 0;
    if (cmap_get_uint8(handle_, key.c_str(), &v) == CS_OK) return v;
    if (auto u = get_u32(key)) return static_cast<uint8_t>(*u);
    return std::nullopt;
  }
  std::optional<uint32_t> get_u32(const std::string& key) {
    uint32_t v = 0;
    if (cmap_get_uint32(handle_, key.c_str(), &v) == CS_OK) return v;
    // Some configurations store it as a string.
    if (auto s = get_string(key)) return static_cast<uint32_t>(std::strtoul(s->c_str(), nullptr, 10));
    return std::nullopt;
  }

 private:
  cmap_handle_t handle_ = 0;
  bool ok_ = false;
};

}  // namespace

Result<std::unique_ptr<GroupTransport>> join_cpg_group(EventLoop& loop, const std::string& group_name) {
  auto g = std::make_unique<CpgGroup>(loop, group_name);
  RETURN_IF_ERROR(g->open().with_context("joining CPG group " + group_name));
  return std::unique_ptr<GroupTransport>(std::move(g));
}

Result<std::unique_ptr<QuorumSource>> watch_quorum(EventLoop& loop) {
  auto q = std::make_unique<CorosyncQuorum>(loop);
  RETURN_IF_ERROR(q->open().with_context("watching quorum"));
  return std::unique_ptr<QuorumSource>(std::move(q));
}

Result<std::string> node_name(NodeId node) {
  CmapSession cmap;
  RETURN_IF_ERROR(cmap.open());
  for (int i = 0; i < 1024; ++i) {
    const std::string prefix = "nodelist.node." + std::to_string(i) + ".";
    auto id = cmap.get_u32(prefix + "nodeid");
    if (!id) {
      if (!cmap.get_string(prefix + "ring0_addr")) break;  // end of the nodelist
      continue;
    }
    if (*id != node) continue;
    if (auto name = cmap.get_string(prefix + "name")) return *name;
    if (auto addr = cmap.get_string(prefix + "ring0_addr")) return *addr;
    break;
  }
  return not_found("node id " + std::to_string(node) + " is not in corosync's nodelist");
}

Result<bool> two_node() {
  CmapSession cmap;
  RETURN_IF_ERROR(cmap.open());
  auto v = cmap.get_u8("quorum.two_node");
  return v.has_value() && *v != 0;
}

Result<NodeId> local_node_id() {
  cpg_handle_t h = 0;
  cpg_callbacks_t callbacks{};
  cs_error_t rc = retry_setup([&] { return cpg_initialize(&h, &callbacks); });
  if (rc != CS_OK) return cs_status("cpg_initialize", rc);
  unsigned int id = 0;
  rc = cpg_local_get(h, &id);
  cpg_finalize(h);
  if (rc != CS_OK) return cs_status("cpg_local_get", rc);
  return static_cast<NodeId>(id);
}

std::string local_node_name() {
  if (auto id = local_node_id(); id.ok()) {
    if (auto name = node_name(*id); name.ok()) return *name;
  }
  utsname u{};
  if (uname(&u) == 0) return u.nodename;
  return "localhost";
}

}  // namespace crm::cluster
