// Local IPC between daemons and tools: a unix stream socket per daemon with
// length-prefixed messages (4-byte big-endian length, then the payload, usually
// XML). The server checks the peer's credentials (SO_PEERCRED) on accept: only
// root and members of the `haclient` group may talk to a daemon.
//
//   auto server = ipc::Server::listen(loop, ipc::socket_path("lrmd"));
//   (*server)->on_message = [&](ipc::ClientId id, const ipc::PeerCredentials&, std::string msg) {
//     (*server)->send(id, handle(msg));
//   };
//
//   ASSIGN_OR_RETURN(ipc::Client c, ipc::Client::connect(ipc::socket_path("cib")));
//   ASSIGN_OR_RETURN(std::string reply, c.call("<cib_query/>", std::chrono::seconds(30)));
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/event_loop.h"
#include "crm/core/log.h"
#include "crm/core/status.h"

namespace crm::ipc {

inline constexpr size_t kMaxMessageBytes = 64u << 20;
inline constexpr const char* kAdminGroup = "haclient";

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// True for root and for members (primary or supplementary) of `haclient`.
bool may_administer(const PeerCredentials& peer);
// The name of `uid` ("" when unknown) and the groups (primary and
// supplementary) a user name belongs to: who the CIB's ACLs apply to.
std::string user_name(uid_t uid);
std::vector<std::string> group_names(const std::string& user);

// Directory of the daemons' sockets: $CRM_RUN_DIR, else /run/crm.
std::string run_dir();
// run_dir() + "/" + daemon + ".sock"
std::string socket_path(std::string_view daemon);

using ClientId = uint64_t;

// Splits a byte stream into framed messages.
class FrameReader {
 public:
  // Appends bytes; returns complete messages, or an error for an oversized frame.
  Result<std::vector<std::string>> feed(std::string_view bytes);

 private:
  std::string buffer_;
};

// Writes one framed message to a (blocking or non-blocking) socket, waiting
// up to `timeout` for it to drain.
Status write_frame(int fd, std::string_view message, std::chrono::milliseconds timeout);

class Server {
 public:
  // Binds and listens on `path` (removing a stale socket file first) and
  // watches it on `loop`. The server must not outlive the loop. The socket's
  // directory is created when missing; the run directory is made root's,
  // group haclient, mode 0750 (the peer's /run/crm).
  static Result<std::unique_ptr<Server>> listen(EventLoop& loop, const std::string& path);
  ~Server();

  // Called for each complete message from an admitted client.
  std::function<void(ClientId, const PeerCredentials&, std::string)> on_message;
  // Called when a client goes away.
  std::function<void(ClientId)> on_disconnect;
  // Test hook: replaces may_administer for admission.
  std::function<bool(const PeerCredentials&)> admit = may_administer;

  // Gets a line when a client is evicted (see send); the daemon's log.
  std::function<void(const std::string&)> on_log = [](const std::string& line) { log::line(line); };

  // Never blocks: what the client's socket cannot take now is queued and
  // written when it can, in order. A client that leaves more than
  // max_queued_bytes unread is evicted (disconnected on the next loop
  // iteration), as the peer evicts clients that do not keep up: one slow
  // subscriber must not stall a daemon that serves the whole node.
  Status send(ClientId client, std::string_view message);
  void disconnect(ClientId client);
  const std::string& path() const { return path_; }
  size_t client_count() const { return clients_.size(); }
  size_t queued_bytes(ClientId client) const;
  size_t max_queued_bytes = 2 * kMaxMessageBytes;

 private:
  struct ClientConn {
    int fd = -1;
    PeerCredentials cred;
    FrameReader reader;
    std::string out;  // framed output the socket has not taken yet, from out_off
    size_t out_off = 0;
    bool watching_writable = false;  // out holds bytes: written when the socket takes more
    bool evicted = false;
  };
  Server(EventLoop& loop, int fd, std::string path) : loop_(loop), listen_fd_(fd), path_(std::move(path)) {}
  void on_accept();
  void on_readable(ClientId id);
  void on_writable(ClientId id);
  // Writes what `c` has queued as far as its socket takes it; watches for
  // writability while something is left.
  Status write_queued(ClientId id, ClientConn& c);
  void evict(ClientId id, ClientConn& c, size_t wanted);
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // expires with the server (evict's posted disconnect)

  EventLoop& loop_;
  int listen_fd_;
  std::string path_;
  ClientId next_id_ = 1;
  std::map<ClientId, ClientConn> clients_;
};

// A connection to a daemon; blocking calls for tools, read_available() for loops.
class Client {
 public:
  static Result<Client> connect(const std::string& path);
  Client(Client&& other) noexcept;
  Client& operator=(Client&& other) noexcept;
  ~Client();

  Status send(std::string_view message);
  // Waits up to `timeout` for one message; timeout-error when none came,
  // unavailable when the daemon closed the connection.
  Result<std::string> receive(std::chrono::milliseconds timeout);
  Result<std::string> call(std::string_view request, std::chrono::milliseconds timeout);
  // Reads what is available without blocking; unavailable on EOF.
  Result<std::vector<std::string>> read_available();
  int fd() const { return fd_; }

 private:
  explicit Client(int fd) : fd_(fd) {}
  int fd_ = -1;
  FrameReader reader_;
  std::vector<std::string> pending_;
};

}  // namespace crm::ipc
