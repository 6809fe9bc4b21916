// fenced: the fencer daemon (docs/fenced.md). Joins the CPG group
// "crm_fenced", registers the CIB's fence devices and topology (and follows
// CIB changes), listens on ipc::socket_path("fenced") for the controller and
// stonith_admin. Logs to stderr. SIGTERM/SIGINT: kills running agents, exits 0.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>

#include "crm/core/cluster_options.h"
#include "crm/cib/client.h"
#include "crm/cib/loopback.h"
#include "crm/core/clock.h"
#include "crm/core/event_loop.h"
#include "crm/core/ipc.h"
#include "crm/core/xml.h"
#include "fencer.h"
#include "server.h"
#include "crm/core/log.h"
#if CRM_HAVE_CLUSTER
#include "crm/cluster/cluster.h"
#endif

namespace {

using namespace crm;

void usage() {
  std::fprintf(stderr,
               "usage: fenced [--socket PATH] [--node-name NAME] [--standalone] [--no-cib] [--cib-file FILE]\n"
               "              [--agent-dirs DIR:DIR]\n"
               "  The fencer. Socket default: $CRM_RUN_DIR/fenced.sock\n"
               "  --standalone  no cluster transport: a one-node group (tests only)\n"
               "  --no-cib      do not read devices from the CIB (registrations only)\n"
               "  --cib-file    read devices once from this CIB file instead of cibd\n");
}

void log_line(const std::string& s) { crm::log::line(s); }

// Follows the CIB through cibd: the whole CIB is read again after every
// configuration change (devices and topology are small); reconnects every
// 2 s while cibd is away.
class CibFollower {
 public:
  CibFollower(EventLoop& loop, fenced::Fencer& fencer, fenced::AgentCatalog& catalog)
      : loop_(loop), fencer_(fencer), catalog_(catalog) {}
  ~CibFollower() {
    *alive_ = false;
    drop();
  }

  void start() { try_connect(); }

 private:
  void try_connect() {
    cib::ClientOptions opts;  // the daemon, never CIB_file
    Status st = [&]() -> Status {
      ASSIGN_OR_RETURN(query_, cib::connect(opts));
      ASSIGN_OR_RETURN(notify_, cib::connect(opts));
      return notify_->subscribe();
    }();
    if (!st.ok()) {
      drop();
      if (!warned_) log_line("waiting for the CIB: " + st.to_string());
      warned_ = true;
      retry();
      return;
    }
    warned_ = false;
    loop_.watch_fd(notify_->fd(), [this] { on_notify(); });
    log_line("connected to the CIB");
    refresh();
  }

  void retry() {
    std::weak_ptr<bool> alive = alive_;
    loop_.add_timer(std::chrono::seconds(2), [this, alive] {
      if (!alive.expired()) try_connect();
    });
  }

  void drop() {
    if (notify_ && notify_->fd() >= 0) loop_.unwatch_fd(notify_->fd());
    notify_.reset();
    query_.reset();
  }

  void on_notify() {
    auto n = notify_->read_notifications();
    if (!n.ok()) {
      log_line("lost the CIB connection: " + n.status().to_string());
      drop();
      retry();
      return;
    }
    bool config = false;
    for (const auto& note : *n) config = config || note.kind == cib::ChangeKind::kConfiguration;
    if (config) refresh();
  }

  void refresh() {
    // Only the configuration: the status is most of a busy cluster's CIB and
    // the fencer reads nothing in it.
    auto conf = query_->call(cib::Request{.op = cib::Op::kQuery, .section = "configuration"});
    if (!conf.ok()) {
      log_line("cannot read the CIB: " + conf.status().to_string());
      return;
    }
    auto doc = xml::parse("<cib>" + conf->xml + "</cib>", "the CIB's configuration");
    if (!doc.ok()) {
      log_line("cannot read the CIB: " + doc.status().to_string());
      return;
    }
    fencer_.apply_config(fenced::config_from_cib(doc->get(), catalog_, fencer_.node_name()));
    log_line("configuration " + conf->version.to_string() + ": " + std::to_string(fencer_.devices().size()) +
             " devices, " + std::to_string(fencer_.levels().size()) + " topology levels");
  }

  EventLoop& loop_;
  fenced::Fencer& fencer_;
  fenced::AgentCatalog& catalog_;
  std::unique_ptr<cib::CibClient> query_, notify_;
  bool warned_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

int main(int argc, char** argv) {
  // `fenced metadata` / `fenced version`: the peer's pacemaker-fenced answers, without starting.
  if (crm::answer_metadata_or_version(crm::kFenceDevice, argc, argv)) return 0;
  std::string socket = ipc::socket_path("fenced");
  std::string node_name, cib_file, agent_dirs;
  bool standalone = false, use_cib = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--socket") socket = next();
    else if (a == "--node-name") node_name = next();
    else if (a == "--standalone") standalone = true;
    else if (a == "--no-cib") use_cib = false;
    else if (a == "--cib-file") cib_file = next();
    else if (a == "--agent-dirs") agent_dirs = next();
    else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else {
      usage();
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(socket).parent_path(), ec);
  }
  SystemClock clock;
  EventLoop loop(clock);
  if (!agent_dirs.empty()) setenv("CRM_FENCE_AGENT_DIRS", agent_dirs.c_str(), 1);
  fenced::ProcessAgentRunner runner(loop);

  std::unique_ptr<cluster::GroupTransport> group;
  if (standalone) {
    log_line("STANDALONE mode: no cluster transport (tests only)");
    group = std::make_unique<cib::LoopbackTransport>(loop, 1);
    if (node_name.empty()) {
      char host[256] = {};
      if (::gethostname(host, sizeof host - 1) == 0) node_name = host;
    }
  } else {
#if CRM_HAVE_CLUSTER
    auto joined = cluster::join_cpg_group(loop, "crm_fenced");
    if (!joined.ok()) {
      log_line("cannot join the cluster group crm_fenced: " + joined.status().to_string());
      return joined.status().exit_code();
    }
    group = std::move(joined).value();
    if (node_name.empty()) node_name = cluster::local_node_name();
#else
    log_line("built without the corosync transport (crm_cluster): only --standalone is available");
    return 69;
#endif
  }

  fenced::Fencer::Options fo;
  fo.node_name = node_name;
  fo.log = [](const std::string& l) { log_line(l); };
  fenced::Fencer fencer(loop, *group, runner, runner, fo);
  int exit_code = 0;
  group->on_lost = [&](const Status& s) {
    log_line("lost the cluster transport (" + s.to_string() + "); exiting to be respawned");
    exit_code = 69;
    loop.stop();
  };

  std::unique_ptr<CibFollower> follower;
  if (!cib_file.empty()) {
    auto c = cib::Cib::load_file(cib_file);
    if (!c.ok()) {
      log_line(c.status().to_string());
      return c.status().exit_code();
    }
    fencer.apply_config(fenced::config_from_cib(c->doc(), runner, node_name));
  } else if (use_cib) {
    follower = std::make_unique<CibFollower>(loop, fencer, runner);
    follower->start();
  }

  auto server = fenced::FencedServer::start(loop, fencer, socket);
  if (!server.ok()) {
    log_line(server.status().to_string());
    return server.status().exit_code() ? server.status().exit_code() : 1;
  }
  auto stop = [&] {
    log_line("stopping: killing " + std::to_string(runner.running()) + " running agents");
    runner.kill_all();
    loop.stop();
  };
  for (int sig : {SIGTERM, SIGINT}) {
    Status s = loop.watch_signal(sig, stop);
    if (!s.ok()) {
      log_line(s.to_string());
      return 1;
    }
  }
  log_line("node " + node_name + ": listening on " + socket + "; successfully started");
  Status s = loop.run();
  server->reset();
  follower.reset();
  log_line("stopped");
  if (!s.ok()) {
    log_line(s.to_string());
    return 1;
  }
  return exit_code;
}
