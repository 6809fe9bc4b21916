// attrd: the attribute daemon (docs/attrd.md). Joins the CPG group
// "crm_attrd", holds the cluster's transient node attributes, and (when it is
// the writer) writes them to the CIB status section through cibd. Listens on
// ipc::socket_path("attrd"). Logs to stderr. SIGTERM/SIGINT: exits 0.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <set>
#include <string>

#include "attribute_daemon.h"
#include "crm/cib/loopback.h"
#include "crm/core/clock.h"
#include "crm/core/event_loop.h"
#include "crm/core/ipc.h"
#include "server.h"
#include "crm/core/log.h"
#if CRM_HAVE_CLUSTER
#include "crm/cluster/cluster.h"
#endif

namespace {

using namespace crm;

void usage() {
  std::fprintf(stderr,
               "usage: attrd [--socket PATH] [--node-name NAME] [--standalone]\n"
               "  The attribute daemon. Socket default: $CRM_RUN_DIR/attrd.sock\n"
               "  --standalone  no cluster transport: a one-node group (tests only)\n");
}

void log_line(const std::string& s) { crm::log::line(s); }

}  // namespace

int main(int argc, char** argv) {
  std::string socket = ipc::socket_path("attrd");
  std::string node_name;
  bool standalone = false;
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

  std::unique_ptr<cluster::GroupTransport> group;
#if CRM_HAVE_CLUSTER
  std::unique_ptr<cluster::QuorumSource> quorum;
#endif
  if (standalone) {
    log_line("STANDALONE mode: no cluster transport (tests only)");
    group = std::make_unique<cib::LoopbackTransport>(loop, 1);
    if (node_name.empty()) {
      char host[256] = {};
      if (::gethostname(host, sizeof host - 1) == 0) node_name = host;
    }
  } else {
#if CRM_HAVE_CLUSTER
    auto joined = cluster::join_cpg_group(loop, "crm_attrd");
    if (!joined.ok()) {
      log_line("cannot join the cluster group crm_attrd: " + joined.status().to_string());
      return joined.status().exit_code();
    }
    group = std::move(joined).value();
    if (node_name.empty()) node_name = cluster::local_node_name();
#else
    log_line("built without the corosync transport (crm_cluster): only --standalone is available");
    return 69;
#endif
  }

  attrd::DaemonCibSink sink(loop);
  attrd::AttributeDaemon::Options o;
  o.node_name = node_name;
  o.log = [](const std::string& l) { log_line(l); };
  attrd::AttributeDaemon daemon(loop, *group, sink, o);
  int exit_code = 0;
  group->on_lost = [&](const Status& s) {
    log_line("lost the cluster transport (" + s.to_string() + "); exiting to be respawned");
    exit_code = 69;
    loop.stop();
  };

#if CRM_HAVE_CLUSTER
  // A node leaves the cluster when it leaves corosync's membership; only then
  // are its attributes dropped (a restarted attrd on a live node keeps them).
  std::set<cluster::NodeId> cluster_nodes;
  if (!standalone) {
    auto q = cluster::watch_quorum(loop);
    if (!q.ok()) {
      log_line("cannot watch quorum: " + q.status().to_string());
      return q.status().exit_code();
    }
    quorum = std::move(q).value();
    auto members = quorum->members();
    cluster_nodes.insert(members.begin(), members.end());
    quorum->on_members = [&](const std::vector<cluster::NodeId>& now) {
      std::set<cluster::NodeId> current(now.begin(), now.end());
      for (cluster::NodeId gone : cluster_nodes) {
        if (current.count(gone)) continue;
        auto name = cluster::node_name(gone);
        if (name.ok()) daemon.node_left(*name);
      }
      cluster_nodes = std::move(current);
    };
    quorum->on_lost = [&](const Status& s) {
      log_line("lost corosync's quorum service (" + s.to_string() + "); exiting to be respawned");
      exit_code = 69;
      loop.stop();
    };
  }
#endif

  auto server = attrd::AttrdServer::start(loop, daemon, socket);
  if (!server.ok()) {
    log_line(server.status().to_string());
    return server.status().exit_code() ? server.status().exit_code() : 1;
  }
  for (int sig : {SIGTERM, SIGINT}) {
    Status s = loop.watch_signal(sig, [&] { loop.stop(); });
    if (!s.ok()) {
      log_line(s.to_string());
      return 1;
    }
  }
  log_line("node " + node_name + ": listening on " + socket + "; successfully started");
  Status s = loop.run();
  server->reset();
  log_line("stopped");
  if (!s.ok()) {
    log_line(s.to_string());
    return 1;
  }
  return exit_code;
}
