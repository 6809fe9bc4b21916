// cibd: the CIB daemon. Loads the durable copy, joins the cluster group
// "crm_cib", replicates changes and serves tools on ipc::socket_path("cib").
// See docs/cib-daemon.md.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include <fmt/format.h>

#include "crm/core/cluster_options.h"
#include "crm/cib/client.h"
#include "crm/cib/file_system.h"
#include "crm/cib/loopback.h"
#include "crm/cib/replicator.h"
#include "crm/cib/server.h"
#include "crm/cib/store.h"
#include "crm/core/clock.h"
#include "crm/core/event_loop.h"
#include "crm/core/ipc.h"
#include "crm/core/log.h"
#if CRM_HAVE_CLUSTER
#include "crm/cluster/cluster.h"
#endif

namespace {

void log_line(const std::string& line) { crm::log::line(line); }

void usage() {
  fmt::print(stderr,
             "usage: cibd [--standalone] [--schema-dir DIR] [--state-dir DIR]\n"
             "  Serves the CIB on $CRM_RUN_DIR/cib.sock and keeps it in $CRM_STATE_DIR/cib.\n"
             "  --standalone  no cluster transport: a one-node group (tests only, never in production)\n");
}

int run(int argc, char** argv) {
  using namespace crm;
  bool standalone = false;
  std::string schema_dir = cib::default_schema_dir();
  std::string state_dir = cib::CibStore::default_dir();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--standalone") {
      standalone = true;
    } else if (a == "--schema-dir" && i + 1 < argc) {
      schema_dir = argv[++i];
    } else if (a == "--state-dir" && i + 1 < argc) {
      state_dir = std::string(argv[++i]) + "/cib";
    } else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else {
      usage();
      return 2;
    }
  }

  SystemClock clock;
  EventLoop loop(clock);
  cib::PosixFileSystem fs;
  cib::CibStore store(fs, {.dir = state_dir});
  auto loaded = store.load();
  if (!loaded.ok()) {
    log_line("cannot read the CIB directory: " + loaded.status().to_string());
    return loaded.status().exit_code();
  }
  for (const auto& w : loaded->warnings) log_line("WARNING: " + w);
  cib::Cib initial = loaded->cib ? std::move(*loaded->cib) : cib::Cib::empty();
  if (loaded->cib) {
    log_line(fmt::format("loaded CIB {} from {}", initial.version().to_string(), loaded->file));
  } else {
    log_line("no CIB on disk in " + state_dir + ": starting with an empty one");
    if (Status s = store.save(initial); !s.ok()) {
      log_line("cannot write the CIB: " + s.to_string());
      return s.exit_code();
    }
  }
  auto schema = cib::Schema::load(schema_dir);
  if (!schema.ok()) {
    log_line("cannot load the schemas from " + schema_dir + ": " + schema.status().to_string());
    return schema.status().exit_code();
  }

  std::unique_ptr<cluster::GroupTransport> group;
  if (standalone) {
    log_line("STANDALONE mode: no cluster transport, changes are not replicated (tests only)");
    group = std::make_unique<cib::LoopbackTransport>(loop, 1);
  } else {
#if CRM_HAVE_CLUSTER
    auto joined = cluster::join_cpg_group(loop, "crm_cib");
    if (!joined.ok()) {
      log_line("cannot join the cluster group crm_cib: " + joined.status().to_string());
      return joined.status().exit_code();
    }
    group = std::move(joined).value();
#else
    log_line("built without the corosync transport (crm_cluster): only --standalone is available");
    return 69;
#endif
  }

  bool flush_posted = false;
  cib::Replicator* rep_ptr = nullptr;
  cib::ReplicatorOptions options;
  options.incarnation = fmt::format("{}-{}", std::time(nullptr), getpid());
  options.clock = &clock;
  {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0) options.node_name = host;
  }
  options.request_flush = [&] {
    if (flush_posted) return;
    flush_posted = true;
    loop.post([&] {
      flush_posted = false;
      (void)rep_ptr->flush();
    });
  };
  options.schedule = [&loop](std::chrono::milliseconds delay, std::function<void()> fn) {
    loop.add_timer(delay, std::move(fn));
  };
  options.user_groups = ipc::group_names;
  cib::Replicator replicator(*group, &store, &*schema, std::move(initial), options);
  rep_ptr = &replicator;
  replicator.on_log = log_line;
  int exit_code = 0;
  auto lost = group->on_lost;
  group->on_lost = [&, lost](const Status& s) {
    lost(s);
    log_line("lost the cluster transport; exiting to be respawned");
    exit_code = 69;
    loop.stop();
  };

  cib::CibServer server(loop, replicator);
  std::string socket = ipc::socket_path("cib");
  if (Status s = server.listen(socket); !s.ok()) {
    log_line("cannot listen on " + socket + ": " + s.to_string());
    return s.exit_code();
  }
  auto stop = [&] {
    log_line("signal received: stopping");
    loop.stop();
  };
  (void)loop.watch_signal(SIGTERM, stop);
  (void)loop.watch_signal(SIGINT, stop);
  signal(SIGPIPE, SIG_IGN);
  log_line(fmt::format("serving the CIB on {} (state in {})", socket, state_dir));
  Status ran = loop.run();
  (void)replicator.flush();
  if (!ran.ok()) {
    log_line("event loop failed: " + ran.to_string());
    return ran.exit_code();
  }
  log_line("stopped");
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  crm::log::set_identity(fmt::format("cibd[{}]", getpid()));
  // `cibd metadata` / `cibd version`: the peer's pacemaker-based answers, without starting.
  if (crm::answer_metadata_or_version(crm::kCibManager, argc, argv)) return 0;
  return run(argc, argv);
}
