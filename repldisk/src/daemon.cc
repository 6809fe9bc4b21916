#include "daemon.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <random>
#include <sstream>

#include "crm/core/child_process.h"

namespace crm::repldisk {

namespace {

constexpr size_t kChunk = 256 * 1024;           // resync: bytes per DATA message
constexpr int kChunksPerTurn = 4;               // resync: messages per loop turn, so writes interleave
constexpr auto kConnectEvery = std::chrono::milliseconds(1000);
constexpr auto kTick = std::chrono::milliseconds(200);

Result<std::pair<std::string, std::string>> split_host_port(const std::string& addr) {
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == addr.size())
    return invalid_argument("address '" + addr + "' is not HOST:PORT");
  std::string host = addr.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::make_pair(host, addr.substr(colon + 1));
}

uint64_t random_id() {
  static std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

// A blocking connect with a deadline, for worker threads.
Result<int> connect_tcp(const std::string& addr, std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(auto hp, split_host_port(addr));
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(hp.first.c_str(), hp.second.c_str(), &hints, &res);
  if (rc != 0) return unavailable("resolving " + addr + ": " + gai_strerror(rc));
  Status last = unavailable("no address for " + addr);
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = errno_error("connect " + addr, errno);
      close(fd);
      continue;
    }
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
        err != 0) {
      last = err ? errno_error("connect " + addr, err) : timeout_error("connect " + addr + " timed out");
      close(fd);
      continue;
    }
    freeaddrinfo(res);
    return fd;
  }
  freeaddrinfo(res);
  return last;
}

void tune(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // one ack per write: latency is the cost
}

}  // namespace

// ---- start and stop ---------------------------------------------------------------

Daemon::Daemon(EventLoop& loop, DaemonOptions options, Store store)
    : loop_(loop), options_(std::move(options)), store_(std::move(store)) {}

Result<std::unique_ptr<Daemon>> Daemon::start(EventLoop& loop, cib::FileSystem& fs, DaemonOptions options) {
  if (options.name.empty() || options.node_name.empty() || options.listen.empty())
    return invalid_argument("a name, a node name and a listen address are needed");
  auto store = Store::open(fs, options.state_dir, options.size);
  if (!store.ok()) return store.status().with_context("opening the copy in " + options.state_dir);
  std::unique_ptr<Daemon> d(new Daemon(loop, std::move(options), std::move(store).value()));
  Metadata m = d->store_.meta();
  bool changed = false;
  for (const auto& [peer, addr] : d->options_.peers) {
    if (peer == d->options_.node_name) continue;
    changed = changed || m.peers[peer] != addr;
    m.peers[peer] = addr;
  }
  if (changed) RETURN_IF_ERROR(d->save_meta(m));
  RETURN_IF_ERROR(d->listen_tcp());
  std::error_code ec;
  std::filesystem::create_directories(d->options_.run_dir, ec);
  ASSIGN_OR_RETURN(d->control_, ipc::Server::listen(loop, control_socket(d->options_.run_dir)));
  Daemon* self = d.get();
  d->control_->on_message = [self](ipc::ClientId id, const ipc::PeerCredentials&, std::string msg) {
    std::string reply = self->control(msg);
    if (!self->control_->send(id, reply).ok()) self->control_->disconnect(id);
    if (msg == "stop" && reply.rfind("ok", 0) == 0) self->loop_.stop();
  };
  ASSIGN_OR_RETURN(d->fuse_, FuseDisk::mount(loop, mount_point(d->options_.run_dir), d->store_.meta().size, *d));
  d->fuse_->on_gone = [self] {
    self->log("the FUSE mount went away (unmounted from outside?): stopping");
    self->loop_.stop();
  };
  d->log("copy " + d->options_.state_dir + ": " + disk_state_name(d->store_.meta().state) + ", generation " +
         d->store_.meta().generation.to_string() + "; disk at " + disk_path(d->options_.run_dir) +
         "; replication on " + d->options_.listen + "; Secondary");
  return d;
}

Daemon::~Daemon() {
  *alive_ = false;
  if (tick_timer_) loop_.cancel_timer(tick_timer_);
  for (auto& [id, done] : requests_) done(EIO);
  requests_.clear();
  for (auto& [id, t] : workers_) t.join();
  std::vector<int> fds;
  for (auto& [fd, l] : links_) fds.push_back(fd);
  for (int fd : fds) close_link(fd, false);
  if (listen_fd_ >= 0) {
    loop_.unwatch_fd(listen_fd_);
    close(listen_fd_);
  }
  fuse_.reset();
}

Status Daemon::save_meta(Metadata m) {
  Status s = store_.save(m);
  if (!s.ok()) log("cannot save the metadata: " + s.to_string());
  return s;
}

Status Daemon::listen_tcp() {
  ASSIGN_OR_RETURN(auto hp, split_host_port(options_.listen));
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(hp.first == "*" ? nullptr : hp.first.c_str(), hp.second.c_str(), &hints, &res);
  if (rc != 0) return invalid_argument("listen address " + options_.listen + ": " + gai_strerror(rc));
  int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 16) != 0) {
    Status s = errno_error("listening on " + options_.listen, errno);
    freeaddrinfo(res);
    if (fd >= 0) close(fd);
    return s;
  }
  freeaddrinfo(res);
  listen_fd_ = fd;
  loop_.watch_fd(fd, [this] { on_accept(); });
  return Status::Ok();
}

// ---- links --------------------------------------------------------------------------

void Daemon::on_accept() {
  while (true) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    tune(fd);
    links_[fd].fd = fd;
    loop_.watch_fd(fd, [this, fd] { on_link_readable(fd); });
  }
}

Daemon::Link* Daemon::outbound_link(const std::string& peer) {
  for (auto& [fd, l] : links_)
    if (l.outbound && l.peer == peer) return &l;
  return nullptr;
}

Status Daemon::send(Link& link, std::string_view payload) {
  // Blocking up to the ack timeout: a peer that cannot take a frame that
  // long is as good as lost (see docs/repldisk.md on what this costs).
  return ipc::write_frame(link.fd, payload, options_.ack_timeout);
}

void Daemon::close_link(int fd, bool tell_core) {
  auto it = links_.find(fd);
  if (it == links_.end()) return;
  std::string peer = it->second.peer;
  bool outbound = it->second.outbound;
  loop_.unwatch_fd(fd);
  close(fd);
  links_.erase(it);
  if (primary_fd_ == fd) {
    primary_fd_.reset();
    log("link to Primary " + peer + " closed");
  }
  if (outbound) log("link to " + peer + " closed");
  if (tell_core && outbound && core_) apply(core_->lost(peer));
}

void Daemon::on_link_readable(int fd) {
  auto it = links_.find(fd);
  if (it == links_.end()) return;
  read_buffer_.resize(1 << 20);
  ssize_t n = recv(fd, read_buffer_.data(), read_buffer_.size(), 0);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    close_link(fd, true);
    return;
  }
  auto frames = it->second.reader.feed(std::string_view(read_buffer_.data(), static_cast<size_t>(n)));
  if (!frames.ok()) {
    log("bad frame from " + it->second.peer + ": " + frames.status().to_string());
    close_link(fd, true);
    return;
  }
  for (const auto& f : *frames) {
    if (!links_.count(fd)) return;  // an earlier message closed it
    auto m = wire::decode(f);
    if (!m.ok()) {
      log("bad message: " + m.status().to_string());
      close_link(fd, true);
      return;
    }
    on_message(fd, *m);
  }
}

void Daemon::on_message(int fd, const wire::Message& m) {
  Link& link = links_.at(fd);
  if (m.type == wire::Type::kError) {
    log("peer " + (link.peer.empty() ? std::string("?") : link.peer) + " refused: " + m.data);
    close_link(fd, true);
    return;
  }
  if (link.outbound) on_primary_message(link, m);
  else on_secondary_message(link, m);
}

// ---- Secondary: what a Primary sends us ------------------------------------------

void Daemon::on_secondary_message(Link& link, const wire::Message& m) {
  int fd = link.fd;
  auto refuse = [&](const std::string& why) {
    wire::Message e;
    e.type = wire::Type::kError;
    e.data = why;
    (void)send(link, wire::encode(e));
    log("refused " + (link.peer.empty() ? std::string("a connection") : link.peer) + ": " + why);
    close_link(fd, false);
  };
  auto ack = [&](uint64_t seq) {
    wire::Message a;
    a.type = wire::Type::kAck;
    a.seq = seq;
    if (!send(link, wire::encode(a)).ok()) close_link(fd, false);
  };
  if (!link.greeted) {
    if (m.type != wire::Type::kHello || m.role != Role::kPrimary) return refuse("expected HELLO from a Primary");
    if (role_ == Role::kPrimary) return refuse("this copy is Primary on " + options_.node_name + " too");
    if (m.size != store_.meta().size)
      return refuse("size " + std::to_string(m.size) + " differs from ours, " + std::to_string(store_.meta().size));
    link.peer = m.name;
    link.greeted = true;
    // One Primary at a time: a newer connection replaces one that may be
    // half-open after its node died.
    if (primary_fd_ && *primary_fd_ != fd) close_link(*primary_fd_, false);
    primary_fd_ = fd;
    wire::Message h;
    h.type = wire::Type::kHello;
    h.name = options_.node_name;
    h.gen = store_.meta().generation;
    h.size = store_.meta().size;
    h.role = Role::kSecondary;
    h.state = store_.meta().state;
    log("Primary " + m.name + " (generation " + m.gen.to_string() + ") connected; ours is " + h.gen.to_string() +
        " " + disk_state_name(h.state));
    if (!send(link, wire::encode(h)).ok()) close_link(fd, false);
    return;
  }
  switch (m.type) {
    case wire::Type::kWrite: {
      Status s = store_.write(m.offset, m.data);
      if (!s.ok()) return refuse(s.to_string());
      return ack(m.seq);
    }
    case wire::Type::kData: {
      Status s = store_.write(m.offset, m.data);
      if (!s.ok()) return refuse(s.to_string());
      return;
    }
    case wire::Type::kFlush: {
      Status s = store_.sync();
      if (!s.ok()) return refuse(s.to_string());
      return ack(m.seq);
    }
    case wire::Type::kGen: {
      Metadata md = store_.meta();
      if (md.state != DiskState::kUpToDate) return;
      md.generation = m.gen;
      (void)save_meta(md);
      return;
    }
    case wire::Type::kResyncBegin: {
      Metadata md = store_.meta();
      md.state = DiskState::kInconsistent;
      if (!save_meta(md).ok()) return refuse("cannot record Inconsistent");
      log("resync from " + link.peer + " began: Inconsistent until it ends");
      wire::Message b;
      b.type = wire::Type::kBegun;
      if (!send(link, wire::encode(b)).ok()) close_link(fd, false);
      return;
    }
    case wire::Type::kResyncEnd: {
      Status s = store_.sync();
      if (!s.ok()) return refuse(s.to_string());
      Metadata md = store_.meta();
      md.state = DiskState::kUpToDate;
      md.generation = m.gen;
      if (!save_meta(md).ok()) return refuse("cannot record UpToDate");
      log("resync from " + link.peer + " done: UpToDate, generation " + m.gen.to_string());
      wire::Message d;
      d.type = wire::Type::kDone;
      d.gen = m.gen;
      if (!send(link, wire::encode(d)).ok()) close_link(fd, false);
      return;
    }
    default:
      return refuse("unexpected message from a Primary");
  }
}

// ---- Primary: what peers answer ----------------------------------------------------

void Daemon::on_primary_message(Link& link, const wire::Message& m) {
  if (!core_) return;
  std::string peer = link.peer;
  if (!link.greeted) {
    if (m.type != wire::Type::kHello || m.name != peer || m.size != store_.meta().size) {
      log("peer at " + store_.meta().peers.at(peer) + " is not the copy " + peer + " we expect (it says " + m.name +
          ", " + std::to_string(m.size) + " bytes)");
      close_link(link.fd, true);
      return;
    }
    link.greeted = true;
    log("peer " + peer + " connected: generation " + m.gen.to_string() + " " + disk_state_name(m.state));
    apply(core_->connected(peer, m.gen, m.state));
    return;
  }
  switch (m.type) {
    case wire::Type::kAck:
      apply(core_->acked(peer, m.seq));
      return;
    case wire::Type::kBegun:
      link.resyncing = true;
      link.resync_offset = 0;
      apply(core_->resync_begun(peer));
      pump_resync(peer);
      return;
    case wire::Type::kDone: {
      log("peer " + peer + " resynced: UpToDate");
      apply(core_->resync_done(peer));
      if (!(m.gen == core_->generation())) {
        // The generation moved on while RESYNC-END was on its way.
        wire::Message g;
        g.type = wire::Type::kGen;
        g.gen = core_->generation();
        if (Link* l = outbound_link(peer); l && !send(*l, wire::encode(g)).ok()) close_link(l->fd, true);
      }
      return;
    }
    default:
      log("unexpected message from " + peer);
      close_link(link.fd, true);
  }
}

void Daemon::pump_resync(const std::string& peer) {
  Link* link = outbound_link(peer);
  if (!link || !link->resyncing || !core_) return;
  uint64_t size = store_.meta().size;
  for (int i = 0; i < kChunksPerTurn && link->resync_offset < size; ++i) {
    auto data = store_.read(link->resync_offset, kChunk);
    Status s = data.ok() ? send(*link, wire::encode_block(wire::Type::kData, 0, link->resync_offset, *data))
                         : data.status();
    if (!s.ok()) {
      log("resync to " + peer + ": " + s.to_string());
      close_link(link->fd, true);
      return;
    }
    link->resync_offset += data->size();
  }
  if (link->resync_offset < size) {
    std::weak_ptr<bool> alive = alive_;
    loop_.post([this, alive, peer] {
      if (!alive.expired()) pump_resync(peer);
    });
    return;
  }
  link->resyncing = false;
  wire::Message e;
  e.type = wire::Type::kResyncEnd;
  e.gen = core_->generation();
  if (!send(*link, wire::encode(e)).ok()) close_link(link->fd, true);
}

// ---- the core's actions --------------------------------------------------------------

void Daemon::apply(Actions a) {
  if (!core_) return;
  std::vector<std::pair<RequestId, bool>> complete = std::move(a.complete);
  if (a.new_generation) {
    Metadata m = store_.meta();
    m.generation = *a.new_generation;
    if (!save_meta(m).ok()) {
      // The old generation on disk could let a lost peer pass for in sync:
      // nothing may complete as done.
      for (auto& c : complete) c.second = false;
    } else {
      log("new generation " + m.generation.to_string());
    }
    wire::Message g;
    g.type = wire::Type::kGen;
    g.gen = *a.new_generation;
    std::vector<int> failed;
    for (auto& [fd, l] : links_) {
      if (!l.outbound || !l.greeted) continue;
      auto it = core_->peers().find(l.peer);
      if (it != core_->peers().end() && it->second.sync == PeerSync::kInSync && !send(l, wire::encode(g)).ok())
        failed.push_back(fd);
    }
    for (int fd : failed) close_link(fd, true);
  }
  for (const auto& peer : a.disconnect) {
    if (Link* l = outbound_link(peer)) close_link(l->fd, false);
  }
  for (const auto& peer : a.run_outdate) {
    log("peer " + peer + " may miss writes: outdating it");
    run_handler("outdate", options_.outdate_cmd, peer, [this, peer](bool ok) {
      if (core_) apply(core_->outdate_result(peer, ok));
    });
  }
  for (const auto& peer : a.run_uptodate) run_handler("uptodate", options_.uptodate_cmd, peer, [](bool) {});
  for (const auto& peer : a.start_resync) {
    Link* l = outbound_link(peer);
    if (!l) continue;
    wire::Message b;
    b.type = wire::Type::kResyncBegin;
    b.gen = core_->generation();
    log("peer " + peer + " differs: full resync");
    if (!send(*l, wire::encode(b)).ok()) close_link(l->fd, true);
  }
  for (const auto& [id, ok] : complete) {
    auto it = requests_.find(id);
    if (it == requests_.end()) continue;
    auto done = std::move(it->second);
    requests_.erase(it);
    done(ok ? 0 : EIO);
  }
}

void Daemon::run_handler(const std::string& what, const std::string& cmd, const std::string& peer,
                         std::function<void(bool)> done) {
  std::string gen = store_.meta().generation.to_string();
  if (cmd.empty()) {
    // No handler: nothing records the mark, so nothing claims it was.
    bool ok = what != "outdate";
    if (!ok) log("no --outdate-peer-cmd: cannot outdate " + peer);
    std::weak_ptr<bool> alive = alive_;
    loop_.post([alive, done, ok] {
      if (!alive.expired()) done(ok);
    });
    return;
  }
  uint64_t id = next_worker_++;
  std::weak_ptr<bool> alive = alive_;
  auto timeout = options_.handler_timeout;
  int attempts = options_.handler_attempts;
  auto log_fn = options_.log;
  workers_[id] = EventLoop::start_worker([this, alive, id, what, cmd, peer, gen, done, timeout, attempts, log_fn] {
    bool ok = false;
    for (int i = 0; i < attempts && !ok; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::seconds(1));
      SpawnSpec spec{.path = "/bin/sh",
                     .argv = {"/bin/sh", "-c", cmd + " \"$@\"", "crm-repldisk", peer, gen},
                     .env = inherited_environment({})};
      RunOutcome o = run_to_completion(spec, timeout);
      ok = o.ok();
      if (log_fn)
        log_fn(what + " handler for " + peer + " (generation " + gen + "): " +
               (ok ? std::string("ok") : "failed (" + o.reason() + ")") +
               (ok || i + 1 == attempts ? "" : ", retrying"));
    }
    loop_.post([this, alive, id, done, ok] {
      if (alive.expired()) return;
      if (auto it = workers_.find(id); it != workers_.end()) {
        it->second.join();
        workers_.erase(it);
      }
      done(ok);
    });
  });
}

void Daemon::connect_round() {
  if (!core_) return;
  for (const auto& [peer, addr] : store_.meta().peers) {
    if (connecting_[peer] || outbound_link(peer) || !core_->wants_link(peer)) continue;
    connecting_[peer] = true;
    std::weak_ptr<bool> alive = alive_;
    uint64_t id = next_worker_++;
    auto timeout = options_.ack_timeout;
    std::string address = addr;
    workers_[id] = EventLoop::start_worker([this, alive, id, peer, address, timeout] {
      auto fd = connect_tcp(address, timeout);
      loop_.post([this, alive, id, peer, fd] {
        if (alive.expired()) {
          if (fd.ok()) close(*fd);
          return;
        }
        if (auto it = workers_.find(id); it != workers_.end()) {
          it->second.join();
          workers_.erase(it);
        }
        connecting_[peer] = false;
        if (!fd.ok()) return;
        if (!core_ || outbound_link(peer) || !core_->wants_link(peer)) {
          close(*fd);
          return;
        }
        tune(*fd);
        Link& l = links_[*fd];
        l.fd = *fd;
        l.peer = peer;
        l.outbound = true;
        int f = *fd;
        loop_.watch_fd(f, [this, f] { on_link_readable(f); });
        wire::Message h;
        h.type = wire::Type::kHello;
        h.name = options_.node_name;
        h.gen = core_->generation();
        h.size = store_.meta().size;
        h.role = Role::kPrimary;
        if (!send(l, wire::encode(h)).ok()) close_link(f, false);
      });
    });
  }
}

// ---- the disk ------------------------------------------------------------------------

int Daemon::open(bool for_write) {
  // DRBD's answers: a Secondary is not writable (EROFS) and not readable
  // either (its bytes may be mid-resync): EMEDIUMTYPE.
  if (role_ != Role::kPrimary) return for_write ? EROFS : EMEDIUMTYPE;
  ++open_count_;
  return 0;
}

void Daemon::release() {
  if (open_count_ > 0) --open_count_;
}

Result<std::string> Daemon::read(uint64_t offset, size_t length) { return store_.read(offset, length); }

void Daemon::write(uint64_t offset, std::string_view data, std::function<void(int)> done) {
  if (!core_) return done(EROFS);
  Status s = store_.write(offset, data);
  if (!s.ok()) {
    log(s.to_string());
    return done(EIO);
  }
  replicate(std::move(done), [&](RequestId id) { return wire::encode_block(wire::Type::kWrite, id, offset, data); });
}

void Daemon::fsync(std::function<void(int)> done) {
  if (!core_) return done(EROFS);
  Status s = store_.sync();
  if (!s.ok()) {
    log(s.to_string());
    return done(EIO);
  }
  replicate(std::move(done), [](RequestId id) {
    wire::Message f;
    f.type = wire::Type::kFlush;
    f.seq = id;
    return wire::encode(f);
  });
}

void Daemon::replicate(std::function<void(int)> done, const std::function<std::string(RequestId)>& payload_for) {
  RequestId id = next_request_++;
  requests_[id] = std::move(done);
  Actions a = core_->submit(id);
  std::string payload = payload_for(id);
  for (const auto& peer : a.send_to) {
    Link* l = outbound_link(peer);
    if (l && !send(*l, payload).ok()) close_link(l->fd, true);
  }
  apply(std::move(a));
}

// ---- roles and control --------------------------------------------------------------

Status Daemon::promote() {
  if (role_ == Role::kPrimary) return Status::Ok();
  const Metadata& cur = store_.meta();
  if (cur.state != DiskState::kUpToDate)
    return Status(StatusCode::kOutdated,
                  std::string("this copy is ") + disk_state_name(cur.state) + ": it may not become Primary");
  if (primary_fd_) return unavailable("peer " + links_.at(*primary_fd_).peer + " is Primary");
  // A new generation before the first write: every copy that was equal to
  // ours is now behind, so none passes for in sync without a resync.
  Metadata m = cur;
  m.generation = Generation{cur.generation.counter + 1, random_id()};
  RETURN_IF_ERROR(save_meta(m));
  std::set<std::string> peers;
  for (const auto& [p, addr] : m.peers) peers.insert(p);
  Replicator::Options o;
  o.ack_timeout = options_.ack_timeout;
  o.new_id = random_id;
  core_ = std::make_unique<Replicator>(loop_.clock(), o, m.generation, peers);
  role_ = Role::kPrimary;
  std::vector<int> inbound;
  for (auto& [fd, l] : links_)
    if (!l.outbound) inbound.push_back(fd);
  for (int fd : inbound) close_link(fd, false);
  log("Primary, generation " + m.generation.to_string());
  connect_round();
  schedule_tick();
  return Status::Ok();
}

void Daemon::schedule_tick() {
  std::weak_ptr<bool> alive = alive_;
  tick_timer_ = loop_.add_timer(kTick, [this, alive] {
    if (alive.expired() || !core_) return;
    tick_timer_ = 0;
    apply(core_->tick());
    if (++ticks_ % (kConnectEvery / kTick) == 0) connect_round();
    if (core_) schedule_tick();
  });
}

Status Daemon::demote() {
  if (role_ == Role::kSecondary) return Status::Ok();
  if (open_count_ > 0)
    return unavailable("the disk is open (" + std::to_string(open_count_) + "): detach the loop device first");
  if (core_ && core_->pending() > 0) return unavailable("writes are still waiting for peers");
  if (tick_timer_) loop_.cancel_timer(tick_timer_);
  tick_timer_ = 0;
  core_.reset();
  role_ = Role::kSecondary;
  std::vector<int> outbound;
  for (auto& [fd, l] : links_)
    if (l.outbound) outbound.push_back(fd);
  for (int fd : outbound) close_link(fd, false);
  log("Secondary");
  return Status::Ok();
}

Status Daemon::set_peers(const std::string& args) {
  Metadata m = store_.meta();
  std::set<std::string> added;
  std::istringstream in(args);
  std::string item;
  while (in >> item) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) return invalid_argument("peer '" + item + "' is not NAME=HOST:PORT");
    std::string name = item.substr(0, eq), addr = item.substr(eq + 1);
    RETURN_IF_ERROR(split_host_port(addr).status());
    if (name == options_.node_name) continue;
    m.peers[name] = addr;
    added.insert(name);
  }
  if (!(m.serialize() == store_.meta().serialize())) RETURN_IF_ERROR(save_meta(m));
  if (core_) {
    apply(core_->add_peers(added));
    connect_round();
  }
  return Status::Ok();
}

std::string Daemon::status_text() const {
  const Metadata& m = store_.meta();
  std::string s = "name=" + options_.name + "\nnode=" + options_.node_name + "\nrole=" + role_name(role_) +
                  "\ndisk=" + disk_state_name(m.state) + "\ngeneration=" + m.generation.to_string() +
                  "\nsize=" + std::to_string(m.size) + "\nopen=" + std::to_string(open_count_) +
                  "\npending=" + std::to_string(requests_.size()) + "\ndevice=" + disk_path(options_.run_dir) + "\n";
  if (role_ == Role::kSecondary)
    s += "primary=" + (primary_fd_ ? links_.at(*primary_fd_).peer : std::string()) + "\n";
  for (const auto& [peer, addr] : m.peers) {
    std::string link = "Disconnected", fence = "none";
    if (core_) {
      auto it = core_->peers().find(peer);
      if (it != core_->peers().end()) {
        link = peer_sync_name(it->second.sync);
        fence = peer_fence_name(it->second.fence);
      }
    } else if (primary_fd_ && links_.at(*primary_fd_).peer == peer) {
      link = "Primary";
    }
    s += "peer=" + peer + " address=" + addr + " link=" + link + " fence=" + fence + "\n";
  }
  return s;
}

std::string Daemon::control(const std::string& request) {
  std::string cmd = request.substr(0, request.find(' '));
  std::string args = request.size() > cmd.size() ? request.substr(cmd.size() + 1) : "";
  Status s;
  if (cmd == "status") {
    return "ok\n" + status_text();
  } else if (cmd == "promote") {
    s = promote();
  } else if (cmd == "demote") {
    s = demote();
  } else if (cmd == "set-peers") {
    s = set_peers(args);
  } else if (cmd == "outdate") {
    // The agent found an outdated mark naming this node: record it here too,
    // so the daemon itself refuses promotion until a resync.
    if (role_ == Role::kPrimary) {
      s = unavailable("a Primary is not outdated by its own agent");
    } else if (store_.meta().state == DiskState::kUpToDate) {
      Metadata m = store_.meta();
      m.state = DiskState::kOutdated;
      s = save_meta(m);
    }
  } else if (cmd == "forget-peer") {
    Metadata m = store_.meta();
    if (role_ == Role::kPrimary) s = unavailable("forget peers while Secondary");
    else if (!m.peers.erase(args)) s = not_found("no peer " + args);
    else s = save_meta(m);
  } else if (cmd == "stop") {
    if (open_count_ > 0) s = unavailable("the disk is open: detach the loop device first");
    else if (!requests_.empty()) s = unavailable("writes are still waiting for peers");
  } else {
    s = invalid_argument("unknown request '" + cmd + "' (status, promote, demote, set-peers, outdate, forget-peer, stop)");
  }
  if (!s.ok()) {
    log(cmd + ": " + s.to_string());
    return "error " + s.to_string() + "\n";
  }
  if (cmd != "status") log(request + ": ok");
  return "ok\n";
}

}  // namespace crm::repldisk
