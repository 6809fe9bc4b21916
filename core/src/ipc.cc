#include "crm/core/ipc.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace crm::ipc {
namespace {

Status fill_address(const std::string& path, sockaddr_un* addr) {
  std::memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr->sun_path)) return invalid_argument("socket path too long: " + path);
  std::memcpy(addr->sun_path, path.c_str(), path.size() + 1);
  return Status::Ok();
}

std::string frame(std::string_view message) {
  std::string out(4, '\0');
  uint32_t n = static_cast<uint32_t>(message.size());
  out[0] = static_cast<char>(n >> 24);
  out[1] = static_cast<char>(n >> 16);
  out[2] = static_cast<char>(n >> 8);
  out[3] = static_cast<char>(n);
  out.append(message);
  return out;
}

}  // namespace

namespace {

// The group ids of `pw` (primary and supplementary).
std::vector<gid_t> group_ids(const passwd& pw) {
  int ngroups = 64;
  std::vector<gid_t> groups(ngroups);
  if (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &ngroups) < 0) {
    groups.resize(ngroups);
    if (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &ngroups) < 0) ngroups = 0;
  }
  groups.resize(ngroups);
  return groups;
}

}  // namespace

bool may_administer(const PeerCredentials& peer) {
  if (peer.uid == 0) return true;
  group* g = getgrnam(kAdminGroup);
  if (!g) return false;
  if (peer.gid == g->gr_gid) return true;
  passwd* pw = getpwuid(peer.uid);
  if (!pw) return false;
  for (gid_t gid : group_ids(*pw)) {
    if (gid == g->gr_gid) return true;
  }
  return false;
}

std::string user_name(uid_t uid) {
  passwd pw;
  passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) != 0 || !found) return {};
  return found->pw_name;
}

std::vector<std::string> group_names(const std::string& user) {
  passwd pw;
  passwd* found = nullptr;
  char buf[4096];
  if (::getpwnam_r(user.c_str(), &pw, buf, sizeof buf, &found) != 0 || !found) return {};
  std::vector<std::string> names;
  for (gid_t gid : group_ids(pw)) {
    group gr;
    group* g = nullptr;
    char gbuf[16384];
    if (::getgrgid_r(gid, &gr, gbuf, sizeof gbuf, &g) == 0 && g) names.emplace_back(g->gr_name);
  }
  return names;
}

std::string run_dir() {
  const char* env = std::getenv("CRM_RUN_DIR");
  return env && *env ? env : "/run/crm";
}

std::string socket_path(std::string_view daemon) { return run_dir() + "/" + std::string(daemon) + ".sock"; }

Result<std::vector<std::string>> FrameReader::feed(std::string_view bytes) {
  buffer_.append(bytes);
  std::vector<std::string> out;
  size_t pos = 0;
  while (buffer_.size() - pos >= 4) {
    auto b = reinterpret_cast<const unsigned char*>(buffer_.data() + pos);
    uint32_t n = (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | uint32_t(b[3]);
    if (n > kMaxMessageBytes) {
      return invalid_argument("message of " + std::to_string(n) + " bytes exceeds the IPC limit");
    }
    if (buffer_.size() - pos - 4 < n) break;
    out.emplace_back(buffer_.substr(pos + 4, n));
    pos += 4 + n;
  }
  buffer_.erase(0, pos);
  return out;
}

Status write_frame(int fd, std::string_view message, std::chrono::milliseconds timeout) {
  if (message.size() > kMaxMessageBytes) return invalid_argument("message too large for IPC");
  std::string data = frame(message);
  size_t off = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return timeout_error("IPC peer is not reading");
      pollfd p{fd, POLLOUT, 0};
      poll(&p, 1, static_cast<int>(left.count()));
      continue;
    }
    return errno_error("IPC send", errno);
  }
  return Status::Ok();
}

namespace {

// The sockets' directory, made by whichever daemon listens first: root's,
// group haclient, 0750 (the peer's /run/crm), so that members of haclient
// reach the sockets and nobody else sees them. Only the run directory is
// given that group and mode; another directory (a test's) is only created.
Status prepare_socket_dir(const std::string& socket) {
  std::filesystem::path dir = std::filesystem::path(socket).parent_path();
  if (dir.empty()) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return errno_error("creating " + dir.string(), ec.value());
  if (std::filesystem::weakly_canonical(dir, ec) != std::filesystem::weakly_canonical(run_dir(), ec))
    return Status::Ok();
  if (group* g = getgrnam(kAdminGroup)) {
    if (::chown(dir.c_str(), 0, g->gr_gid) != 0) return errno_error("chown " + dir.string(), errno);
  }
  if (::chmod(dir.c_str(), 0750) != 0) return errno_error("chmod " + dir.string(), errno);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Server>> Server::listen(EventLoop& loop, const std::string& path) {
  sockaddr_un addr;
  RETURN_IF_ERROR(fill_address(path, &addr));
  RETURN_IF_ERROR(prepare_socket_dir(path));
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_error("socket", errno);
  unlink(path.c_str());
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Status s = errno_error("bind " + path, errno);
    close(fd);
    return s;
  }
  // Credentials are checked per connection; the mode only keeps strangers from connecting at all.
  chmod(path.c_str(), 0770);
  if (group* g = getgrnam(kAdminGroup)) {
    if (chown(path.c_str(), 0, g->gr_gid) != 0) { /* best effort: root-only socket otherwise */ }
  }
  if (::listen(fd, 64) != 0) {
    Status s = errno_error("listen " + path, errno);
    close(fd);
    return s;
  }
  std::unique_ptr<Server> server(new Server(loop, fd, path));
  Server* raw = server.get();
  loop.watch_fd(fd, [raw] { raw->on_accept(); });
  return server;
}

Server::~Server() {
  for (auto& [id, c] : clients_) {
    loop_.unwatch_fd(c.fd);
    close(c.fd);
  }
  loop_.unwatch_fd(listen_fd_);
  close(listen_fd_);
  unlink(path_.c_str());
}

void Server::on_accept() {
  while (true) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    ucred uc{};
    socklen_t len = sizeof(uc);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0) {
      close(fd);
      continue;
    }
    PeerCredentials cred{uc.pid, uc.uid, uc.gid};
    if (!admit(cred)) {
      // Tell the client why before closing, so tools can print a clear error.
      (void)write_frame(fd, "<ipc-refused reason=\"permission denied: only root and the haclient group may connect\"/>",
                        std::chrono::milliseconds(100));
      close(fd);
      continue;
    }
    ClientId id = next_id_++;
    ClientConn& conn = clients_[id];
    conn.fd = fd;
    conn.cred = cred;
    loop_.watch_fd(fd, [this, id] { on_readable(id); });
  }
}

void Server::on_readable(ClientId id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  char buf[65536];
  ssize_t n = recv(it->second.fd, buf, sizeof(buf), 0);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    disconnect(id);
    return;
  }
  auto messages = it->second.reader.feed(std::string_view(buf, static_cast<size_t>(n)));
  if (!messages.ok()) {
    disconnect(id);
    return;
  }
  PeerCredentials cred = it->second.cred;
  for (auto& m : *messages) {
    if (on_message) on_message(id, cred, std::move(m));
    if (!clients_.count(id)) return;  // the handler disconnected it
  }
}

Status Server::send(ClientId client, std::string_view message) {
  auto it = clients_.find(client);
  if (it == clients_.end() || it->second.evicted) return not_found("IPC client " + std::to_string(client) + " is gone");
  if (message.size() > kMaxMessageBytes) return invalid_argument("message too large for IPC");
  ClientConn& c = it->second;
  std::string data = frame(message);
  const size_t queued = c.out.size() - c.out_off + data.size();
  if (queued > max_queued_bytes) {
    evict(client, c, queued);
    return unavailable("IPC client " + std::to_string(client) + " does not read its messages: evicted");
  }
  if (c.out.empty()) {
    c.out = std::move(data);
  } else {
    c.out += data;
  }
  return write_queued(client, c);
}

Status Server::write_queued(ClientId id, ClientConn& c) {
  while (c.out_off < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.out_off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return errno_error("IPC send", errno);  // the client is gone: its hangup is read next
  }
  const bool all_written = c.out_off == c.out.size();
  if (all_written) {
    c.out.clear();
    c.out_off = 0;
  } else if (c.out_off > (1u << 20) && c.out_off > c.out.size() / 2) {
    c.out.erase(0, c.out_off);  // keep the buffer from growing at the front
    c.out_off = 0;
  }
  if (all_written == c.watching_writable) {
    c.watching_writable = !all_written;
    if (all_written) loop_.unwatch_writable(c.fd);
    else loop_.watch_writable(c.fd, [this, id] { on_writable(id); });
  }
  return Status::Ok();
}

void Server::on_writable(ClientId id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  if (!write_queued(id, it->second).ok()) disconnect(id);
}

void Server::evict(ClientId id, ClientConn& c, size_t wanted) {
  c.evicted = true;
  if (on_log) {
    on_log("evicting IPC client " + std::to_string(id) + " (pid " + std::to_string(c.cred.pid) + "): " +
           std::to_string(wanted) + " bytes would be waiting for it to read, more than " +
           std::to_string(max_queued_bytes));
  }
  // Later, not here: the caller may be walking a list of clients.
  std::weak_ptr<bool> alive = alive_;
  loop_.post([this, alive, id] {
    if (!alive.expired()) disconnect(id);
  });
}

size_t Server::queued_bytes(ClientId client) const {
  auto it = clients_.find(client);
  return it == clients_.end() ? 0 : it->second.out.size() - it->second.out_off;
}

void Server::disconnect(ClientId client) {
  auto it = clients_.find(client);
  if (it == clients_.end()) return;
  loop_.unwatch_fd(it->second.fd);
  close(it->second.fd);
  clients_.erase(it);
  if (on_disconnect) on_disconnect(client);
}

Result<Client> Client::connect(const std::string& path) {
  sockaddr_un addr;
  RETURN_IF_ERROR(fill_address(path, &addr));
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_error("socket", errno);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    close(fd);
    if (err == EACCES || err == EPERM) {
      return permission_denied("cannot connect to " + path + ": " + std::strerror(err) +
                               " (only root and members of the " + kAdminGroup + " group may use the cluster's daemons)");
    }
    return Status(StatusCode::kUnavailable,
                  "cannot connect to " + path + ": " + std::strerror(err) + " (is the daemon running?)");
  }
  return Client(fd);
}

Client::Client(Client&& other) noexcept
    : fd_(other.fd_), reader_(std::move(other.reader_)), pending_(std::move(other.pending_)) {
  other.fd_ = -1;
}

Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    reader_ = std::move(other.reader_);
    pending_ = std::move(other.pending_);
    other.fd_ = -1;
  }
  return *this;
}

Client::~Client() {
  if (fd_ >= 0) close(fd_);
}

Status Client::send(std::string_view message) { return write_frame(fd_, message, std::chrono::seconds(30)); }

Result<std::vector<std::string>> Client::read_available() {
  std::vector<std::string> out;
  out.swap(pending_);
  char buf[65536];
  while (true) {
    ssize_t n = recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {
      if (!out.empty()) return out;
      return unavailable("daemon closed the connection");
    }
    auto msgs = reader_.feed(std::string_view(buf, static_cast<size_t>(n)));
    if (!msgs.ok()) return msgs.status();
    for (auto& m : *msgs) out.push_back(std::move(m));
  }
  return out;
}

Result<std::string> Client::receive(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pending_.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return timeout_error("no reply within " + std::to_string(timeout.count()) + " ms");
    pollfd p{fd_, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno != EINTR) return errno_error("poll", errno);
    if (r <= 0) continue;
    ASSIGN_OR_RETURN(auto msgs, read_available());
    for (auto& m : msgs) pending_.push_back(std::move(m));
  }
  std::string first = std::move(pending_.front());
  pending_.erase(pending_.begin());
  if (first.rfind("<ipc-refused", 0) == 0) return permission_denied(first);
  return first;
}

Result<std::string> Client::call(std::string_view request, std::chrono::milliseconds timeout) {
  Status sent = send(request);
  if (!sent.ok()) {
    // A daemon that refuses a peer writes its reason and closes at once, so
    // the write can fail (EPIPE) before we read that reason: prefer it.
    auto reason = receive(std::chrono::milliseconds(100));
    if (!reason.ok() && reason.status().code() == StatusCode::kPermissionDenied) return reason.status();
    return sent;
  }
  return receive(timeout);
}

}  // namespace crm::ipc
