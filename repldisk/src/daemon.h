// crm-repldisk's daemon: one resource on one node. It holds the node's copy
// (Store), serves it through FUSE (FuseDisk), answers the control socket
// (ipc::Server at RUN/ctl), and talks the replication protocol (wire.h)
// over TCP: as Secondary it accepts one Primary and applies what it sends;
// as Primary it connects to every known peer and lets the Replicator decide
// when a write is safe to acknowledge. Handlers (outdate/uptodate) run on
// worker threads (core's run_to_completion), so a slow CIB never
// stalls the loop.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "crm/cib/file_system.h"
#include "crm/core/event_loop.h"
#include "crm/core/ipc.h"
#include "fuse_disk.h"
#include "replicator.h"
#include "store.h"
#include "wire.h"

namespace crm::repldisk {

struct DaemonOptions {
  std::string name;        // the resource
  std::string node_name;   // this node, as peers and handlers name it
  std::string listen;      // host:port for replication
  std::string state_dir;
  std::string run_dir;
  uint64_t size = 0;       // bytes; 0: take the existing copy's
  std::map<std::string, std::string> peers;  // name -> host:port, added to the known ones
  std::string outdate_cmd;   // run as: /bin/sh -c 'CMD "$@"' - PEER GENERATION
  std::string uptodate_cmd;  // same arguments
  std::chrono::milliseconds ack_timeout{2000};
  std::chrono::milliseconds handler_timeout{20000};
  int handler_attempts = 3;
  std::function<void(const std::string&)> log;
};

class Daemon final : public FuseDisk::Handler {
 public:
  static Result<std::unique_ptr<Daemon>> start(EventLoop& loop, cib::FileSystem& fs, DaemonOptions options);
  ~Daemon() override;

  // One control request (a line) and its answer ("ok\n..." or "error code: ...").
  std::string control(const std::string& request);

  // FuseDisk::Handler
  int open(bool for_write) override;
  void release() override;
  Result<std::string> read(uint64_t offset, size_t length) override;
  void write(uint64_t offset, std::string_view data, std::function<void(int)> done) override;
  void fsync(std::function<void(int)> done) override;

 private:
  struct Link {
    int fd = -1;
    std::string peer;          // known after HELLO (inbound) or from the start (outbound)
    bool outbound = false;
    bool greeted = false;
    ipc::FrameReader reader;
    uint64_t resync_offset = 0;   // Primary: next chunk to send
    bool resyncing = false;
  };
  Daemon(EventLoop& loop, DaemonOptions options, Store store);
  Status listen_tcp();
  void on_accept();
  void on_link_readable(int fd);
  void on_message(int fd, const wire::Message& m);
  void on_secondary_message(Link& link, const wire::Message& m);
  void on_primary_message(Link& link, const wire::Message& m);
  Status send(Link& link, std::string_view payload);
  // Closes the link; a Primary's core hears the peer was lost when `tell_core`.
  void close_link(int fd, bool tell_core);
  Link* outbound_link(const std::string& peer);

  Status promote();
  Status demote();
  Status set_peers(const std::string& args);
  std::string status_text() const;
  Status save_meta(Metadata m);

  void apply(Actions a);
  // A request already applied locally: to the core, to the peers it names.
  void replicate(std::function<void(int)> done, const std::function<std::string(RequestId)>& payload_for);
  void connect_round();
  void schedule_tick();  // while Primary: ack timeouts, reconnects
  void pump_resync(const std::string& peer);
  void run_handler(const std::string& what, const std::string& cmd, const std::string& peer,
                   std::function<void(bool)> done);
  void log(const std::string& line) const { if (options_.log) options_.log(line); }

  EventLoop& loop_;
  DaemonOptions options_;
  Store store_;
  Role role_ = Role::kSecondary;
  std::unique_ptr<Replicator> core_;           // only while Primary
  std::unique_ptr<FuseDisk> fuse_;
  std::unique_ptr<ipc::Server> control_;
  int listen_fd_ = -1;
  std::map<int, Link> links_;                  // by fd
  std::optional<int> primary_fd_;              // Secondary: the link of our Primary
  int open_count_ = 0;
  RequestId next_request_ = 1;
  std::map<RequestId, std::function<void(int)>> requests_;
  std::map<std::string, bool> connecting_;     // peers with a connect in flight
  EventLoop::TimerId tick_timer_ = 0;
  uint64_t ticks_ = 0;
  std::string read_buffer_;
  uint64_t next_worker_ = 1;
  std::map<uint64_t, std::thread> workers_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace crm::repldisk
